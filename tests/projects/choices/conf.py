project = "Choices"
author = "Tests"
extensions = ["myst_nb", "textbook"]
nitpicky = True
numfig = True
nb_execution_mode = "off"
latex_documents = [("index", "choices.pdf", project, author, "manual", True)]
html_theme = "sphinx_book_theme"
