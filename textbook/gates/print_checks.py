"""The metadata gate: what every printed PDF must say about itself.

A PDF's metadata must give a title, an author, a subject and a language, or
viewers and libraries show the file's name and guess the language. (What
damages a printed page is caught elsewhere: a character no font has stops
the compiler, which writes PDF/UA-1; text running into the margin, or over
other text, is the page-layout gate's, ``page_layout.py``.)
"""

from __future__ import annotations

from pathlib import Path

import pikepdf


def missing_metadata(pdf: Path) -> list[str]:
    """What ``pdf`` does not say about itself: its document information's Title, Author and Subject,
    its catalogue's Lang."""
    with pikepdf.open(pdf) as document:
        info = document.trailer.get("/Info", pikepdf.Dictionary())
        missing = [name for name in ("Title", "Author", "Subject") if not str(info.get(f"/{name}", "")).strip()]
        if not str(document.Root.get("/Lang", "")).strip():
            missing.append("Lang (language)")
    return missing
