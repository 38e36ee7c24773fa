"""The student editions a build published, offered on the home page of the HTML edition built with them.

Copied into ``html/downloads/`` (the PDF book, each handout, the workbook,
the EPUB: never a key) after every edition of the build is published, so
already leak-scanned, and linked from the element ``download_shelf.py`` left
on the home page. Only when the HTML was built in the same run: an HTML
edition offers what was built with it, and a later ``make pdf`` leaves its
copies as they were.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

from textbook.bank.bank import Bank
from textbook.core.layout import Layout
from textbook.core.messages import Words
from textbook.sphinx_ext.download_shelf import PLACEHOLDER

#: The editions offered, in the order the shelf lists them.
OFFERED = ("pdf", "handouts", "workbook", "epub")


def _label(edition: str, output: Path, bank: Bank | None, words: Words) -> str:
    if edition == "handouts" and bank is not None:
        module = next((m for m in bank.modules.values() if Path(m.docname).name == output.stem), None)
        if module is not None:
            return words("shelf.handout", number=module.number, title=module.title)
    return words(f"shelf.{edition}")


def fill(layout: Layout, outputs: dict[str, list[Path]], bank: Bank | None, words: Words) -> int:
    """Copy ``outputs`` (edition: its published files) into the HTML edition and link them from its
    home page; the number of files offered."""
    home = layout.html / "index.html"
    page = home.read_text(encoding="utf-8")
    if PLACEHOLDER not in page:
        return 0
    folder = layout.html / "downloads"
    shutil.rmtree(folder, ignore_errors=True)
    items = []
    for edition in OFFERED:
        for output in outputs.get(edition, []):
            target = folder / (f"handouts/{output.name}" if edition == "handouts" else output.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:  # a published edition is replaced, never written in place: its file can be shared
                os.link(output, target)
            except OSError:
                shutil.copyfile(output, target)
            link = html.escape(target.relative_to(layout.html).as_posix(), quote=True)
            items.append(f'<li><a href="{link}">{html.escape(_label(edition, output, bank, words))}</a></li>')
    if not items:
        return 0
    heading = html.escape(words("shelf.heading"))
    shelf = (f'<nav id="textbook-downloads" aria-labelledby="textbook-downloads-heading">'
             f'<h2 id="textbook-downloads-heading">{heading}</h2><ul>{"".join(items)}</ul></nav>')
    staging = home.with_name(".index.html.staging")
    staging.write_text(page.replace(PLACEHOLDER, shelf, 1), encoding="utf-8")
    staging.replace(home)
    return len(items)
