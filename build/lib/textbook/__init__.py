"""The textbook generator: a Sphinx extension (``textbook.sphinx_ext.extension``) and a CLI
(``textbook.cli``).

Enable the extension in ``conf.py`` with ``extensions = ["myst_nb", "textbook"]``.
This module stays empty of imports so that the CLI can decide in a fraction
of a second that nothing needs rebuilding, before it loads Sphinx.
"""

__version__ = "0.1.0"


def setup(app):
    from textbook.sphinx_ext.extension import setup as setup_extension

    return setup_extension(app)
