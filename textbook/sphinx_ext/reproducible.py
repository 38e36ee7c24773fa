"""Byte-identical editions from the same sources.

Two builds of the same sources must give the same files, so that a change
in an edition always means a change in the book. What would otherwise vary:

* dates: Sphinx's "today" and the PDFs' creation dates and IDs come from
  ``SOURCE_DATE_EPOCH``, which the build sets to the day of the last commit
  (or of the newest source file outside git);
* random ids and orders: notebook cell ids (see ``downloads.py``), SVG ids
  (matplotlib's hash salt, fixed by the figure worker for script figures
  and by ``execution/kernel_environment.py`` for cells' figures);
* the order files appear in: MyST-NB copies its stylesheet only at the end
  of an HTML build, so pages written by a first build link it without the
  ``?v=`` checksum a later build adds; we copy it before pages are written;
* measurements: the outputs of cells an author tags ``measures-time`` (a
  duration, a memory size) differ by nature; they stay on the page but are
  left out of the search index, so it does not differ too (nobody searches
  for "0.13s"). See also the EPUB's item ids in ``epub.py``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textbook.core.config import ProjectConfig

if TYPE_CHECKING:  # this module is also used before Sphinx is imported (freshness check)
    from docutils import nodes
    from sphinx.application import Sphinx

DAY = 24 * 60 * 60
#: The tag of a cell whose output measures the machine (documented in CONTRIBUTING.md).
MEASURES_TIME = "measures-time"


def source_date_epoch(root: Path) -> str:
    """Midnight (UTC) of the day of the last commit, or of the newest source file.

    A whole day, not the second: the date printed in the PDFs is a day, and
    a PDF recompiles only when its ``.tex`` changes, so a finer time would
    leave two otherwise identical builds with different creation dates.
    """
    stamp = None
    try:
        clean = not subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout
        if clean:
            stamp = int(
                subprocess.run(
                    ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=True
                ).stdout.strip()
            )
    except (OSError, ValueError, subprocess.CalledProcessError):
        pass
    if stamp is None:
        folders = ProjectConfig.read(root).source_folders
        sources = [root / "conf.py", *(p for folder in folders for p in folder.rglob("*"))]
        stamp = int(max(p.stat().st_mtime for p in sources if p.is_file()))
    return str(stamp - stamp % DAY)


def copy_mystnb_stylesheet_early(app: Sphinx) -> None:
    """Give every build the same page markup: the stylesheet exists before pages are written."""
    from myst_nb.sphinx_ext import add_global_html_resources

    if app.builder.format == "html":
        (Path(app.outdir) / "_static").mkdir(parents=True, exist_ok=True)
        add_global_html_resources(app, None)


def leave_measurements_out_of_search(app: Sphinx, doctree: nodes.document) -> None:
    """``doctree-read``: the outputs of ``measures-time`` cells are not indexed for search."""
    from docutils import nodes

    for cell in doctree.findall(nodes.container):
        if f"tag_{MEASURES_TIME}" in cell["classes"]:
            for output in cell.findall(nodes.container):
                if "cell_output" in output["classes"]:
                    output["classes"].append("no-search")
