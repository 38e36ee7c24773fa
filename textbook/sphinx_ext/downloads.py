"""Offer each executed chapter as a ``.ipynb`` download in the HTML edition.

MyST-NB writes every chapter as a notebook to ``jupyter_execute/`` beside the
output folder, but in ``cache`` execution mode it writes the notebook it read,
without the outputs it took from the cache. We merge the cached outputs back
in, so the download is the executed chapter a student expects.

sphinx-book-theme shows a ``.ipynb`` download button when ``ipynb_source`` is
in the page context, but sets it only when launch buttons (Binder, Colab) are
configured, which an offline book has none of. We copy the notebook into
``_sources/`` and set the key ourselves, before the theme builds its header
buttons (priority 501).

A module with code exercises also offers a starter notebook (see
``exercises/starter_notebooks.py``): written into the output's
``_downloads/exercises/`` after every HTML build, where the leak scan reads
it, and linked from the chapter just before its exercises.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from docutils import nodes
from myst_nb.sphinx_ext import OUTPUT_FOLDER
from sphinx.application import Sphinx

from textbook.execution import course_code
from textbook.execution.streams import coalesce_streams
from textbook.exercises import starter_notebooks, tracking
from textbook.sphinx_ext import paths

PRIORITY_BEFORE_THEME_BUTTONS = 500


def offers_downloads(app: Sphinx) -> bool:
    """An HTML edition with files to download: not the EPUB, which holds nothing but the book."""
    return app.builder.format == "html" and app.builder.download_support


def executed_notebook(app: Sphinx, written: Path) -> bytes:
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
    return nbformat.writes(notebook).encode("utf-8")


def offer_notebook_download(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    if not offers_downloads(app) or doctree is None:
        return
    written = Path(app.outdir).parent / OUTPUT_FOLDER / f"{pagename}.ipynb"
    if not written.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    content = executed_notebook(app, written)
    if not target.is_file() or target.read_bytes() != content:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _code_exercises(app: Sphinx, docname: str):
    """The module ``docname`` lists exercises of, and its code exercises (none outside the book)."""
    if not offers_downloads(app) or app.config.textbook_edition != "book":
        return None, []
    module = tracking.listed_module(app.env, docname)
    exercises = tracking.bank(app.env).for_module(module) if module else []
    return module, [exercise for exercise in exercises if exercise.kind == "code"]


def link_starter_notebook(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """"Starter notebook for these exercises", just before the first exercise of the page."""
    module, code = _code_exercises(app, docname)
    first = next(doctree.findall(lambda n: isinstance(n, nodes.container) and "exercise" in n["classes"]), None)
    if not code or first is None:
        return
    name = starter_notebooks.file_name(module)
    uri = "../" * docname.count("/") + f"{starter_notebooks.FOLDER}/{name}"
    link = nodes.paragraph("", "", classes=["starter-notebook"])
    link += nodes.Text("Starter notebook for these exercises: ")
    link += nodes.reference("", name, refuri=uri)
    link += nodes.Text(" (each code exercise's question, starter code and public checks, ready to run).")
    parent, index = first.parent, first.parent.index(first)
    while index > 0 and isinstance(parent[index - 1], nodes.target):
        index -= 1  # before the exercise's link target, so a link to the exercise lands on the exercise
    parent.insert(index, link)


def write_starter_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """One notebook per module whose chapter lists code exercises; notebooks of no such module go.

    Writing them means asking the installed packages which distribution each import
    comes from (a second or so), so they are written again only when their code
    exercises, module titles or the generator changed, recorded as a digest in the cache.
    """
    if exception is not None or not offers_downloads(app) or app.config.textbook_edition != "book":
        return
    folder = Path(app.outdir) / starter_notebooks.FOLDER
    modules = {}
    for docname in sorted(app.env.all_docs):
        module, code = _code_exercises(app, docname)
        if code:
            modules[module] = code
    bank = tracking.bank(app.env)
    made_from = repr([(m, bank.modules[m].title, [(e.id, e.number, e.digest) for e in code])
                      for m, code in modules.items()])  # fmt: skip
    digest = hashlib.sha256(f"{app.config.textbook_reading_code}\n{made_from}".encode()).hexdigest()
    stamp = paths.cache_dir(app.config) / "starter-notebooks.digest"
    names = [starter_notebooks.file_name(module) for module in modules]
    if stamp.is_file() and stamp.read_text() == digest and all((folder / name).is_file() for name in names):
        return
    wanted = {name: starter_notebooks.notebook_bytes(bank.modules[module], code)
              for name, (module, code) in zip(names, modules.items())}  # fmt: skip
    for old in folder.glob("*.ipynb") if folder.is_dir() else []:
        if old.name not in wanted:
            old.unlink()
    for name, content in wanted.items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
