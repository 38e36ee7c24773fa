project = "Executed book"
extensions = ["myst_nb", "textbook"]
exclude_patterns = ["_build"]
nb_execution_mode = "cache"
nb_execution_raise_on_error = False  # a failing cell is a warning, and -W fails the build
nb_execution_show_tb = True
