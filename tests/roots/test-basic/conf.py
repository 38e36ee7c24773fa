project = "Tiny book"
author = "Tests"
extensions = ["myst_nb", "textbook"]
nitpicky = True
numfig = True
numfig_secnum_depth = 1
nb_execution_mode = "off"
latex_documents = [("index", "tiny.tex", project, author, "manual", True)]
numfig_format = {"figure": "Figure %s"}
exclude_patterns = ["_build"]
extensions.append("sphinx.ext.imgmath")
imgmath_image_format = "svg"
imgmath_embed = True
myst_enable_extensions = ["dollarmath"]
