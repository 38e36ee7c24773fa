"""Offer each executed chapter as a ``.ipynb`` download in the HTML edition.

MyST-NB writes the executed notebook of every chapter to ``jupyter_execute/``
beside the output folder. sphinx-book-theme shows a ``.ipynb`` download button
when ``ipynb_source`` is in the page context, but sets it only when launch
buttons (Binder, Colab) are configured, which an offline book has none of. We
copy the notebook into ``_sources/`` and set the context key ourselves, before
the theme builds its header buttons (priority 501).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from myst_nb.sphinx_ext import OUTPUT_FOLDER

PRIORITY_BEFORE_THEME_BUTTONS = 500


def offer_notebook_download(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if app.builder.format != "html" or doctree is None:
        return
    executed = Path(app.outdir).parent / OUTPUT_FOLDER / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    content = executed.read_bytes()
    if not target.is_file() or target.read_bytes() != content:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    context["ipynb_source"] = f"{pagename}.ipynb"
