"""A chapter to run as it is, offline, in plain Jupyter: a zip beside the notebook download.

The ``.ipynb`` download (``downloads.py``) is the chapter's MyST source as a
notebook: plain Jupyter shows its directives and roles as written, lacks the
script-drawn figures and cannot import the course's shared code. The zip
holds one folder, named after the page, with

- the notebook: a first cell saying what it needs, then the page as plain
  Markdown (``plain_markdown.py``: cross-references as their text, figures
  as attachments, exercises as the questions every student edition shows)
  between the executed code cells;
- the shared code package (``textbook_course_code``), when the chapter
  imports it, so the first import works with the notebook's folder as the
  working folder, as Jupyter starts kernels.

It is written to ``_sources/`` with the notebook, so the leak scan reads it
(every file inside) and stale pages' zips are pruned like their sources.
The theme's download menu offers it first.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import nbformat
from docutils import nodes
from nbformat import v4
from sphinx.application import Sphinx

from textbook.core.config import of_sphinx
from textbook.core.messages import Words
from textbook.execution import course_code
from textbook.execution.packages import imported, to_install
from textbook.sphinx_ext.plain_markdown import Numbers, chunks_of, image_files

#: The page context key holding the zip's name (set while the notebook is written, read for the button).
CONTEXT_KEY = "textbook_runnable_zip"
#: After the theme fills its download menu (priority 501).
PRIORITY_AFTER_THEME_BUTTONS = 502
#: Every entry's time: a constant, so the same chapter gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def file_name(pagename: str) -> str:
    return f"{pagename}.zip"


def _numbers(app: Sphinx, docname: str) -> Numbers:
    env = app.env
    formats = dict(app.config.numfig_format) if app.config.numfig else {}
    return Numbers(env.toc_secnumbers.get(docname, {}), env.toc_fignumbers.get(docname, {}), formats)


def _shared_files(app: Sphinx, docname: str) -> list[Path]:
    """The shared package's files, if the chapter imports it (caches and compiled files left out)."""
    package = course_code.shared_package(app.srcdir, app.config)
    chapter = Path(app.env.doc2path(docname)).read_text(encoding="utf-8")
    if not course_code.chapter_dependencies(chapter, package):
        return []
    return sorted(p for p in package.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")  # fmt: skip


def _about(app: Sphinx, notebook: nbformat.NotebookNode, shared: list[Path]) -> str:
    """The first cell: what to open it with, and the packages to install."""
    project = of_sphinx(app.config)
    words = Words.of(project)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    code += [p.read_text(encoding="utf-8") for p in shared if p.suffix == ".py"]
    packages = to_install(set().union(*map(imported, code)), project.course_code, project.cache_dir / "packages.json")
    needs = words("notebook.python")
    if packages:
        needs = words("notebook.python_with", packages=", ".join(f"`{p}`" for p in packages))
    if shared:
        needs = words("runnable.shared_code", needs=needs, folder=f"{project.course_code}/")
    return words("runnable.about", needs=needs)


def runnable_notebook(app: Sphinx, docname: str, executed: nbformat.NotebookNode,
                      doctree: nodes.document, shared: list[Path]) -> nbformat.NotebookNode:  # fmt: skip
    """The page's Markdown between the executed notebook's code cells, in the page's order.

    A code cell the page does not show (removed input and output) still runs:
    it goes just before the next cell the page shows.
    """
    chunks, shown = chunks_of(doctree, image_files(Path(app.srcdir)), _numbers(app, docname))
    code = {index: cell for index, cell in enumerate(executed.cells) if cell.cell_type == "code"}
    hidden = [index for index in code if index not in set(shown)]
    cells = [v4.new_markdown_cell(_about(app, executed, shared))]

    def markdown(chunk) -> None:
        if chunk.markdown.strip():
            cell = v4.new_markdown_cell(chunk.markdown)
            if chunk.attachments:
                cell["attachments"] = chunk.attachments
            cells.append(cell)

    for chunk, index in zip(chunks, shown):
        markdown(chunk)
        while hidden and hidden[0] < index:
            cells.append(copy.deepcopy(code[hidden.pop(0)]))
        cells.append(copy.deepcopy(code[index]))
    cells.extend(copy.deepcopy(code[index]) for index in hidden)
    markdown(chunks[-1])
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })  # fmt: skip
    nbformat.validate(notebook)
    return notebook


def archive(app: Sphinx, docname: str, executed: nbformat.NotebookNode, doctree: nodes.document) -> bytes:
    """The zip: ``<page>/<page>.ipynb`` and, if the chapter imports it, ``<page>/<package>/``."""
    shared = _shared_files(app, docname)
    folder = docname.rsplit("/", 1)[-1]
    notebook = runnable_notebook(app, docname, executed, doctree, shared)
    entries = {f"{folder}/{folder}.ipynb": nbformat.writes(notebook).encode("utf-8")}
    package = course_code.shared_package(app.srcdir, app.config)
    for path in shared:
        entries[f"{folder}/{package.name}/{path.relative_to(package).as_posix()}"] = path.read_bytes()
    buffer = io.BytesIO()
    with ZipFile(buffer, "w") as zipped:
        for name, content in sorted(entries.items()):
            entry = ZipInfo(name, date_time=_ZIP_TIME)
            entry.external_attr = 0o644 << 16
            zipped.writestr(entry, content, compress_type=ZIP_DEFLATED)
    return buffer.getvalue()


def add_button(app: Sphinx, pagename: str, templatename, context: dict, doctree) -> None:
    """``html-page-context``, after the theme: the zip first in its download menu."""
    name = context.get(CONTEXT_KEY)
    group = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if not name or group is None:
        return
    group["buttons"].insert(0, {
        "type": "link",
        "url": f"{context['pathto']('_sources', 1)}/{name}",
        "text": ".zip",
        "icon": "fas fa-file-zipper",
        "tooltip": Words.of(of_sphinx(app.config))("runnable.tooltip"),
        "label": "download-runnable-button",
    })  # fmt: skip
