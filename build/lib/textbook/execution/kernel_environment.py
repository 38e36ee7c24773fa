"""What every kernel that executes a chapter starts with, without a line in the chapter.

matplotlib names the clip paths and glyphs of an SVG with ids drawn from a
random salt unless ``svg.hashsalt`` is set, so a figure drawn by a cell
would differ at every execution. The figure worker sets it for script
figures; chapter kernels get it from a ``matplotlibrc`` of ours, which
``MATPLOTLIBRC`` names. Kernels inherit the build's environment, so MyST-NB's
kernels and the execute-ahead workers' alike read it. (The date in the SVG
comes from ``SOURCE_DATE_EPOCH``, which ``textbook build`` sets.)

Settings of the author's own shell that change what chapter code prints are
dropped for the same reason: chapters that run pytest would print, say, a
table of durations for an author whose ``PYTEST_ADDOPTS`` asks for one.
"""

from __future__ import annotations

import os

from sphinx.application import Sphinx

from textbook.core.config import of_sphinx

#: Environment variables of the author's shell that would change what chapters print.
PERSONAL_SETTINGS = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")

#: The settings every chapter kernel starts with (matplotlib's defaults otherwise).
KERNEL_MATPLOTLIBRC = "svg.hashsalt: textbook-chapter\n"


def fix_figure_ids(app: Sphinx, config) -> None:
    """Write our matplotlibrc under the cache folder and name it in ``MATPLOTLIBRC``."""
    rc = of_sphinx(config).cache_dir / "matplotlib" / "matplotlibrc"
    if not rc.is_file() or rc.read_text(encoding="utf-8") != KERNEL_MATPLOTLIBRC:
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_text(KERNEL_MATPLOTLIBRC, encoding="utf-8")
    os.environ["MATPLOTLIBRC"] = str(rc)


def drop_personal_settings(app: Sphinx, config) -> None:
    """Kernels (and the processes they start) run without ``PERSONAL_SETTINGS``."""
    for name in PERSONAL_SETTINGS:
        os.environ.pop(name, None)
