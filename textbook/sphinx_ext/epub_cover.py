"""The EPUB's cover: the book's title and author (and the course's logo, if it sets one) drawn
as an SVG, so a library shows the book rather than a blank tile.

The drawing is text, made from the settings at every build: a changed title
changes the cover, and two builds give the same bytes. SVG has no line
breaking, so the title is broken between words into lines that fit.
"""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape, quoteattr

#: The cover's file in ``_static/`` and the page showing it (``templates/textbook-epub-cover.html``).
IMAGE = "textbook-cover.svg"
PAGE_TEMPLATE = "textbook-epub-cover.html"
WIDTH, HEIGHT = 1600, 2560  # the 1:1.6 of most e-book stores' covers
_TITLE_SIZE, _AUTHOR_SIZE = 120, 64
_CHARACTERS_A_LINE = 20  # of the title, at its size, within the margins


def cover_svg(title: str, author: str, logo: str | None = None) -> str:
    """The cover as SVG text; ``logo`` is a file name beside it, drawn above the title."""
    lines = textwrap.wrap(title, _CHARACTERS_A_LINE) or [title]
    top = 1100 - len(lines) * _TITLE_SIZE // 2
    title_lines = "\n".join(
        f'  <text x="{WIDTH // 2}" y="{top + i * int(_TITLE_SIZE * 1.25)}" font-size="{_TITLE_SIZE}"'
        f' font-weight="bold">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    picture = (f'  <image x="{WIDTH // 2 - 200}" y="{top - 620}" width="400" height="400" xlink:href={quoteattr(logo)}/>\n'
               if logo else "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        f' font-family="sans-serif" text-anchor="middle">\n'
        f"  <title>{escape(title)}</title>\n"
        f'  <rect width="{WIDTH}" height="{HEIGHT}" fill="#1d3557"/>\n'
        f'  <rect y="{HEIGHT - 360}" width="{WIDTH}" height="360" fill="#457b9d"/>\n'
        f'  <g fill="#ffffff">\n{picture}{title_lines}\n'
        f'  <text x="{WIDTH // 2}" y="{HEIGHT - 160}" font-size="{_AUTHOR_SIZE}">{escape(author)}</text>\n'
        "  </g>\n</svg>\n"
    )
