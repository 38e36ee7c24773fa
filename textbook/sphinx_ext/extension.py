"""The textbook's Sphinx extension: figures from scripts, module front matter,
chapter numbering from 0, per-module handouts and notebook downloads.

Sphinx loads it as ``textbook`` (see ``__init__.py``). The build CLI
(``textbook build``) lives in ``textbook.cli``; nothing here depends on it,
so ``sphinx-build`` and ``sphinx-autobuild`` work the same way.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

from textbook import __version__
from textbook.execution import course_code, execute_ahead, kernel_environment, streams
from textbook.figures.drawing import FigureError, refresh_figures
from textbook.figures.figure_directive import ScriptFigure
from textbook.core import encoding
from textbook.core.config import of_sphinx
from textbook.core.problems import carrying
from textbook.sphinx_ext import code_width, compiled_templates, download_shelf, downloads, epub, few_documents, math_mathml
from textbook.sphinx_ext import module_overview
from textbook.sphinx_ext import numbering, numeric_columns, numref_targets
from textbook.sphinx_ext import keep_together, math_roles, plot_code, print_matter, prose_numbers, quiet
from textbook.sphinx_ext import read_elsewhere, reading_code, reproducible, runnable_download, search_index, settings
from textbook.sphinx_ext import search_results
from textbook.sphinx_ext import stale_outputs
from textbook.sphinx_ext import term_index
from textbook.sphinx_ext import unfinished_runs, web_address, web_index, web_theme

logger = logging.getLogger(__name__)


def draw_figures(app: Sphinx) -> None:
    """Redraw changed figures before Sphinx decides which documents are outdated."""
    started = time.perf_counter()
    try:
        project = of_sphinx(app.config)
        report = refresh_figures(project.figures_dir, project.figures_output)
    except FigureError as error:
        raise carrying(ExtensionError(str(error)), error.problems) from None
    logger.info(
        "figures: %d drawn, %d unchanged, %d removed (%.1f s)%s",
        len(report.drawn),
        len(report.unchanged),
        len(report.removed),
        time.perf_counter() - started,
        f": {', '.join(report.drawn)}" if report.drawn else "",
    )


def refuse_undecodable_documents(app: Sphinx, env, docnames: list[str]) -> None:
    """``textbook build`` checks every source's encoding first; this says the same under
    ``sphinx-build`` and ``textbook serve``, before anything reads a bad chapter."""
    found = [encoding.decoding_problem(Path(env.doc2path(docname))) for docname in docnames]
    problems = [problem for problem in found if problem]
    if problems:
        raise carrying(ExtensionError("\n".join(problems)), problems)


def execute_inside_build_folder(app: Sphinx, config) -> None:
    """Chapters run in a fresh temporary folder (``nb_execution_in_temp``): put it under
    the build folder, so what a chapter writes (an MLflow store, a model file) stays there."""
    if not config.nb_execution_in_temp:
        return
    scratch = of_sphinx(config).cache_dir / "execution"
    scratch.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = os.environ["TMPDIR"] = str(scratch)


#: Chapter kernels inherit these: libraries that phone home must not (the build is offline).
OFFLINE_ENVIRONMENT = {"MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}


def keep_kernels_offline(app: Sphinx, config) -> None:
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


#: The outputs the Typst engine prints, best first (myst-nb knows no such builder): drawings, then text.
TYPST_OUTPUTS = ("image/svg+xml", "image/png", "image/jpeg", "text/plain")


def print_outputs_in_typst(app: Sphinx, config) -> None:
    """Which of a cell's outputs the Typst engine prints; set for every builder, so that switching
    engines is no change of configuration (which would read every chapter again)."""
    config.nb_mime_priority_overrides = [
        *config.nb_mime_priority_overrides,
        *(("typst", mime, rank) for rank, mime in enumerate(TYPST_OUTPUTS, 1)),
    ]


def add_templates(app: Sphinx, config) -> None:
    """Our template overrides (see textbook/templates/) win over the theme's."""
    config.templates_path = [str(Path(__file__).parent / "templates"), *config.templates_path]


def setup(app: Sphinx) -> dict:
    streams.merge_streams_exactly()
    settings.register(app)  # every textbook_<name> a course sets (core/config.py)
    # Not for conf.py: its default changes with the code Sphinx runs and so
    # invalidates environments read by an older generator.
    app.add_config_value("textbook_reading_code", reading_code.digest(), "env", types=[str])

    quiet.silence_config_dumps()

    # config-inited: check the course's settings.
    app.connect("config-inited", settings.check_and_record_root, priority=100)
    app.connect("config-inited", execute_inside_build_folder)
    app.connect("config-inited", keep_kernels_offline)
    app.connect("config-inited", kernel_environment.fix_figure_ids)
    app.connect("config-inited", kernel_environment.drop_personal_settings)
    app.connect("config-inited", course_code.put_package_on_kernel_path)
    app.connect("config-inited", quiet.quiet_kernel_spec)
    app.connect("config-inited", add_templates)
    app.connect("config-inited", print_outputs_in_typst)
    app.connect("config-inited", web_theme.add_logo_and_favicon)
    app.connect("config-inited", web_theme.add_stylesheet)
    app.connect("config-inited", epub.configure)  # the EPUB's metadata, where conf.py sets none
    # builder-inited ... build-finished: what a failed or killed run read and wrote is redone next time.
    unfinished_runs.register(app)
    # builder-inited: figures are drawn before outdated documents are found,
    # so a redrawn figure re-reads exactly the chapters that include it.
    app.connect("builder-inited", draw_figures)
    # builder-inited: one search box, set before the theme adds one to the page header.
    app.connect("builder-inited", web_theme.one_search_box, priority=400)
    # builder-inited: MyST-NB's stylesheet exists before any page links it.
    app.connect("builder-inited", reproducible.copy_mystnb_stylesheet_early)
    # builder-inited: templates compiled in an earlier build are not compiled again.
    app.connect("builder-inited", compiled_templates.keep_compiled_templates)
    # env-before-read-docs: chapters that need executing run now, all cores busy.
    app.connect("env-before-read-docs", refuse_undecodable_documents, priority=400)  # before anything reads them
    app.connect("env-before-read-docs", execute_ahead.execute_ahead)
    app.connect("env-before-read-docs", few_documents.read_few_in_process, priority=900)
    # source-read: a chapter that imports the shared code depends on it, cache key included.
    app.connect("source-read", course_code.mark_importing_chapter)
    # env-purge-doc / env-merge-info: keep module front matter parallel-safe.
    app.connect("env-purge-doc", module_overview.purge_doc)
    app.connect("env-merge-info", module_overview.merge_info)
    # env-get-updated: a page whose document another step re-read (shared code, figure) is rewritten.
    app.connect("env-get-updated", read_elsewhere.pages_older_than_their_reading)
    # env-check-consistency: chapter numbers are module numbers.
    app.connect("env-check-consistency", numbering.check_chapters_match_modules)
    # doctree-read: measured outputs (cells tagged measures-time) stay out of the search index.
    app.connect("doctree-read", reproducible.leave_measurements_out_of_search)
    # doctree-read: code that would not fit the printed page is a warning.
    app.connect("doctree-read", code_width.check_code_width)
    # doctree-read: a role inside math, and a number typed where the outputs compute it, are warnings.
    app.connect("doctree-read", math_roles.refuse_roles_in_math)
    app.connect("doctree-read", prose_numbers.flag_typed_numbers)
    app.connect("doctree-resolved", download_shelf.leave_room)  # filled by pipeline/shelf.py
    # doctree-resolved: in print, no break between "Figure" and its number.
    app.connect("doctree-resolved", print_matter.keep_numbers_with_names)
    # doctree-resolved: columns of numbers right-aligned in HTML and the EPUB.
    app.connect("doctree-resolved", numeric_columns.mark_number_columns)
    # doctree-resolved: a module's HTML page opens with its unit label and number.
    app.connect("doctree-resolved", module_overview.label_the_unit_in_html)
    # html-page-context: add the .ipynb download before the theme draws its buttons.
    app.connect(
        "html-page-context",
        downloads.offer_notebook_download,
        priority=downloads.PRIORITY_BEFORE_THEME_BUTTONS,
    )
    # html-page-context: the runnable zip (written with the notebook) first in the theme's download menu.
    app.connect(
        "html-page-context",
        runnable_download.add_button,
        priority=runnable_download.PRIORITY_AFTER_THEME_BUTTONS,
    )
    # html-page-context: the index page links each page by its title.
    app.connect("html-page-context", web_index.add_page_titles)
    # html-page-context: each page once in the search results.
    app.connect("html-page-context", search_results.add_script)
    # html-page-context: empty header cells are written as data cells (accessibility).
    app.connect("html-page-context", web_theme.empty_header_cells_as_data)
    # doctree-resolved: pandas' scoped styles are not XML; the EPUB's pages leave them out.
    app.connect("doctree-resolved", epub.drop_scoped_styles)

    # build-finished: what no current document produces leaves the HTML output.
    app.connect("build-finished", stale_outputs.remove_stale_outputs)

    math_mathml.register(app)  # math in HTML and the EPUB as MathML (see math_mathml.py)
    app.add_builder(epub.TextbookEpubBuilder, override=True)  # the EPUB edition (see epub.py)
    app.add_directive("script-figure", ScriptFigure)
    app.add_directive("module-overview", module_overview.ModuleOverview)
    app.add_transform(term_index.IndexTermUses)
    search_index.keep_index_entries()  # an incremental build keeps unchanged pages' index entries
    numref_targets.keep_target_doctrees()  # a {numref} does not unpickle its target's chapter each time
    app.add_node(keep_together.keep_edge, **keep_together.VISITORS)
    numbering.replace_toctree_collector(app)
    # doctree-read / print post-transform: plot code collapsed in HTML, a note in print.
    plot_code.register(app)
    # read / post-transform: "the HTML edition" in prose followed by its address in print and EPUB.
    web_address.register(app)
    app.setup_extension("textbook.exercises")

    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
