project = "Inline code"
author = "Tests"
extensions = ["myst_nb", "textbook"]
nb_execution_mode = "off"
latex_documents = [("index", "inline.pdf", project, author, "manual", True)]
exclude_patterns = ["_build"]
