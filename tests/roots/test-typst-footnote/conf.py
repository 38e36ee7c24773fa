project = "Footnotes"
author = "Tests"
extensions = ["myst_nb", "textbook"]
nb_execution_mode = "off"
latex_documents = [("index", "notes.pdf", project, author, "manual", True)]
exclude_patterns = ["_build"]
