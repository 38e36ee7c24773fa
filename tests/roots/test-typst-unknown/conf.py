import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

project = "Unknown to print"
author = "Tests"
extensions = ["myst_nb", "textbook", "gadget"]
nb_execution_mode = "off"
latex_documents = [("index", "unknown.pdf", project, author, "manual", True)]
myst_enable_extensions = ["dollarmath"]
exclude_patterns = ["_build"]
