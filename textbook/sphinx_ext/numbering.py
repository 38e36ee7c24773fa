"""Number chapters from the module number, so module 00 is chapter 0.

Sphinx numbers a numbered toctree from 1. The course numbers its modules from
00, and every number a reader sees (section 0.2, Figure 0.3, Exercise 0.1)
must agree across HTML and print. So a TocTreeCollector subclass shifts the
first component of every section number by ``textbook_first_number - 1``.
Figure numbers derive from section numbers and follow. The shift is undone
before Sphinx compares old and new numbers, so an unchanged book is not
rewritten on every build. Print writes the numbers the HTML edition shows
(``typst/translator.py``).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.util import logging

from textbook.core.front_matter import module_number
from textbook.sphinx_ext import figure_numbering

logger = logging.getLogger(__name__)


def _shift(number: tuple[int, ...] | list[int] | None, offset: int):
    if not number:
        return number
    shifted = (number[0] + offset, *number[1:])
    return list(shifted) if isinstance(number, list) else shifted


def _shift_all(secnumbers: dict[str, dict[str, tuple[int, ...]]], offset: int):
    return {
        docname: {anchor: _shift(number, offset) for anchor, number in numbers.items()}
        for docname, numbers in secnumbers.items()
    }


class ChapterOffsetTocTreeCollector(TocTreeCollector):
    """Sphinx's toctree collector with chapter numbers starting at the first module, and figures
    numbered from each document's kept outline (``figure_numbering.py``)."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        super().clear_doc(app, env, docname)
        figure_numbering.forget(env, docname)

    def assign_figure_numbers(self, env: BuildEnvironment) -> list[str]:
        return figure_numbering.assign_figure_numbers(env)

    def assign_section_numbers(self, env: BuildEnvironment) -> list[str]:
        offset = env.config.textbook_first_number - 1
        if not offset:
            return super().assign_section_numbers(env)
        # Compare against the unshifted numbers Sphinx itself would have kept.
        env.toc_secnumbers = _shift_all(env.toc_secnumbers, -offset)
        rewrite_needed = super().assign_section_numbers(env)
        env.toc_secnumbers = _shift_all(env.toc_secnumbers, offset)
        # The toc entries and document titles carry their own copies of the number.
        for toc in env.tocs.values():
            for reference in toc.findall(nodes.reference):
                if reference.get("secnumber"):
                    reference["secnumber"] = _shift(reference["secnumber"], offset)
        for title in env.titles.values():
            if title.get("secnumber"):
                title["secnumber"] = _shift(title["secnumber"], offset)
        return rewrite_needed


def replace_toctree_collector(app: Sphinx) -> None:
    """Disable Sphinx's built-in toctree collector and enable ours in its place."""
    for listener in list(app.events.listeners.get("doctree-read", [])):
        owner = getattr(listener.handler, "__self__", None)
        if type(owner) is TocTreeCollector:
            owner.disable(app)
    app.add_env_collector(ChapterOffsetTocTreeCollector)


def check_chapters_match_modules(app: Sphinx, env: BuildEnvironment) -> None:
    """A module's chapter number must be its module number, or numbers would disagree
    between the book (numbered by toctree position) and the handouts and exercises
    (numbered by file name): list the modules in order, with no gaps."""
    for docname in sorted(env.toc_secnumbers):
        number = module_number(docname)
        chapter = env.toc_secnumbers[docname].get("")
        if number is not None and chapter and chapter[0] != number:
            logger.warning(
                "module %d (%s) is chapter %d in the toctree; list the modules in order, with no gaps",
                number,
                docname,
                chapter[0],
                location=env.config.root_doc,
                type="textbook",
                subtype="numbering",
            )
