"""Text and values written into Typst source so that nothing in them reads as Typst syntax."""

from __future__ import annotations

import re

#: Characters that start markup in Typst's markup mode (emphasis, labels, references, code, math,
#: dashes, lists, headings, comments, smart quotes): each is escaped with a backslash.
_SPECIAL = re.compile(r"([\\#*_`$<>@\[\]~=\-+/'\"])")


def text(value: str) -> str:
    """``value`` as literal text in markup mode."""
    return _SPECIAL.sub(r"\\\1", value)


def after_code(value: str) -> str:
    """Markup that may follow a code expression (``#raw("x")``, ``#emph[y]``), its first character
    escaped if it would continue that expression: ``;`` would end it and vanish, ``.`` and ``(``
    would read as a field access or a call."""
    return "\\" + value if value[:1] in (";", ".", "(") else value


def string(value: str) -> str:
    """``value`` as a Typst string literal."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


def label(docname: str, identifier: str) -> str:
    """The Typst label of an id in a document: ``<00-run:figure-one>``, characters Typst refuses replaced."""
    return "<" + re.sub(r"[^\w:.-]", "-", f"{docname}:{identifier}") + ">"
