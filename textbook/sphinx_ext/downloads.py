"""Offer each executed chapter as a ``.ipynb`` download in the HTML edition.

MyST-NB writes every chapter as a notebook to ``jupyter_execute/`` beside the
output folder, but in ``cache`` execution mode it writes the notebook it read,
without the outputs it took from the cache. We merge the cached outputs back
in, so the download is the executed chapter a student expects.

sphinx-book-theme shows a ``.ipynb`` download button when ``ipynb_source`` is
in the page context, but sets it only when launch buttons (Binder, Colab) are
configured, which an offline book has none of. We copy the notebook into
``_sources/`` and set the key ourselves, before the theme builds its header
buttons (priority 501). That notebook is the chapter's source; the one to run
in plain Jupyter is offered beside it (``runnable_download.py``).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from myst_nb.sphinx_ext import OUTPUT_FOLDER
from sphinx.application import Sphinx

from textbook.execution import course_code
from textbook.execution.streams import coalesce_streams
from textbook.sphinx_ext import runnable_download

PRIORITY_BEFORE_THEME_BUTTONS = 500


def offers_downloads(app: Sphinx) -> bool:
    """An HTML edition with files to download: not the EPUB, which holds nothing but the book."""
    return app.builder.format == "html" and app.builder.download_support


def executed_notebook(app: Sphinx, written: Path) -> bytes:
    """The notebook MyST-NB wrote, with its outputs from the execution cache, as its download's bytes."""
    return nbformat.writes(executed(app, written)).encode("utf-8")


def executed(app: Sphinx, written: Path) -> nbformat.NotebookNode:
    """The notebook MyST-NB wrote, with its outputs from the execution cache."""
    notebook = nbformat.read(written, as_version=4)
    config = app.env.mystnb_config
    if config.execution_mode == "cache":
        try:
            _, notebook = get_cache(config.execution_cache_path).merge_match_into_notebook(notebook)
        except KeyError:
            pass  # not in the cache (execution failed): offer it without outputs
    # The hidden cell that carries the shared code's digest is the build's, not the reader's.
    notebook.cells = [cell for cell in notebook.cells if course_code.DIGEST_KEY not in cell.metadata]
    # Reading a Markdown notebook gives each cell a random id; number them so
    # that two builds of the same chapter give the same file.
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
        # How a kernel cuts its printed text into stream outputs varies from one
        # execution to the next; merged, as the pages show it, the text does not.
        if cell.cell_type == "code" and config.merge_streams:
            cell.outputs = coalesce_streams(cell.outputs)
    return notebook


def offer_notebook_download(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if not offers_downloads(app) or doctree is None:
        return
    written = Path(app.outdir).parent / OUTPUT_FOLDER / f"{pagename}.ipynb"
    if not written.is_file():
        return
    notebook = executed(app, written)
    write_if_changed(Path(app.outdir) / "_sources" / f"{pagename}.ipynb", nbformat.writes(notebook).encode("utf-8"))
    context["ipynb_source"] = f"{pagename}.ipynb"
    archive = runnable_download.archive(app, pagename, notebook, doctree)
    write_if_changed(Path(app.outdir) / "_sources" / runnable_download.file_name(pagename), archive)
    context[runnable_download.CONTEXT_KEY] = runnable_download.file_name(pagename)


def write_if_changed(target: Path, content: bytes) -> None:
    """An unchanged download keeps its file (and its time), so a rebuild copies nothing new."""
    if not target.is_file() or target.read_bytes() != content:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
