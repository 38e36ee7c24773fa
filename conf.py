"""Sphinx configuration for the book. Kept thin and flat: behaviour lives in
the ``textbook`` extension, and the build CLI passes the source folder
(``book/``) and output folders."""

from pathlib import Path

project = "MLOps from Notebook to Production"
author = "The MLOps Textbook authors"
copyright = "2026, The MLOps Textbook authors"
release = "2026.11"

extensions = ["myst_nb", "textbook"]
root_doc = "index"
exclude_patterns = ["**.ipynb_checkpoints"]
nitpicky = True
numfig = True
numfig_secnum_depth = 1
numfig_format = {"figure": "Figure %s", "table": "Table %s", "code-block": "Listing %s"}

# MyST and notebook execution: every chapter runs, once, cached under _build/.
myst_enable_extensions = ["colon_fence", "dollarmath", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_cache_path = str(Path(__file__).parent / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = False  # a failing cell is a warning, and -W fails the build
nb_execution_show_tb = True
nb_execution_timeout = 120
# Each chapter runs in a fresh folder under _build/cache/execution: what it
# writes (an MLflow store, saved models) never lands in book/ or in $HOME.
nb_execution_in_temp = True
nb_merge_streams = True

# The generator's settings (all of them, with defaults: README, "Settings").
# The folders are the defaults: book/, exercises/, figures_src/, exams/, _build/.
textbook_unit_label = "Module"
textbook_first_number = 0  # module 00 is the introduction
textbook_course_name = "MLOps textbook"  # the Moodle export's category root
textbook_description = (  # the EPUB's description
    "A course for data scientists: one small model taken from a notebook to a"
    " tested, served, monitored and retrained system, with code that runs."
)
# Where the HTML edition is hosted: print and the EPUB then give a chapter's
# address where they point to it. This repository publishes no site; an example:
# textbook_html_url = "https://mlops-textbook.github.io/book/"
textbook_licence = (  # on every PDF's title page
    "Text and figures under the Creative Commons Attribution 4.0 licence"
    " (https://creativecommons.org/licenses/by/4.0/); code under the MIT licence."
)

# Math: the extension writes it as MathML in HTML and the EPUB (no TeX, no
# MathJax from a CDN: the HTML edition works offline).

# HTML edition.
html_theme = "sphinx_book_theme"
html_title = project
html_static_path = []
html_last_updated_fmt = None
html_context = {"default_mode": "light"}  # the theme's colour mode before the reader picks one
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "show_toc_level": 2,
}

# PDF editions, printed by Typst: the book (Sphinx's list of printed documents: its root, its PDF,
# title, author, "manual" for a book, True to print only its toctrees), a handout per module, the
# workbook and the keys (added by the generator).
latex_documents = [("index", "mlops-book.pdf", project, author, "manual", True)]
textbook_paper = "a4"  # or "letter": the page size of every PDF edition
