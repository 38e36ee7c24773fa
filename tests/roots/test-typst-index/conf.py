project = "Indexed"
author = "Tests"
extensions = ["myst_nb", "textbook"]
nb_execution_mode = "off"
nitpicky = True
latex_documents = [("index", "indexed.pdf", project, author, "manual", True)]
exclude_patterns = ["_build"]
