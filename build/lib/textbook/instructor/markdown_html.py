"""Bank Markdown as HTML for a learning-management system.

Moodle and QTI players show HTML, not MyST, so exports render each section
with markdown-it-py (the parser MyST itself uses): CommonMark with tables,
and ``$...$`` / ``$$...$$`` math (parsed with MyST's defaults) written with
the ``\\(...\\)`` and ``\\[...\\]`` delimiters MathJax finds in a page,
which is how Moodle's MathJax filter shows formulas. Raw HTML in the
Markdown is escaped, not passed through.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.dollarmath import dollarmath_plugin


def _mathjax(content: str, options: dict) -> str:
    opening, closing = (r"\[", r"\]") if options["display_mode"] else (r"\(", r"\)")
    return escapeHtml(f"{opening}{content}{closing}")


@cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return parser.use(dollarmath_plugin, renderer=_mathjax)


def to_html(markdown: str) -> str:
    """A block of Markdown (a whole section) as HTML."""
    return _parser().render(markdown).strip()


def inline_html(markdown: str) -> str:
    """One line of Markdown (a choice, a rubric criterion) as HTML without a paragraph around it."""
    return _parser().renderInline(markdown).strip()
