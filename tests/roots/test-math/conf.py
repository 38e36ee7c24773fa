project = "Formulas"
author = "Tests"
extensions = ["myst_nb", "textbook"]
nb_execution_mode = "off"
numfig = True
latex_documents = [("index", "formulas.pdf", project, author, "manual", True)]
myst_enable_extensions = ["dollarmath"]
exclude_patterns = ["_build"]
