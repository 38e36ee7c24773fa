"""A chapter's resolved doctree as plain Markdown, for a notebook that plain Jupyter shows as the page does.

A chapter's MyST source shows raw directives and roles in Jupyter
(```` ```{module-overview} ````, ``{numref}``, ``{term}``). The doctree the
HTML page is written from has them resolved: a cross-reference is its text
("Figure 4.2"), a glossary term a word, the module overview and the
exercises (questions only, rendered while reading) ordinary nodes. So we
write that doctree as CommonMark, cut into one Markdown cell between each
pair of code cells; the code cells themselves come from the executed
notebook. Images are given back as notebook attachments, so the notebook
shows its figures without any file beside it. Raw print markup (a page
break) has no place in Markdown and is left out.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import admonitionlabels

#: Characters that mean something in Markdown (or, ``$``, math in Jupyter) when they appear in prose.
_SPECIAL = re.compile(r"([\\`*_$\[\]<>|#])")


@dataclass
class Chunk:
    """What comes before one code cell: its Markdown and the images that Markdown shows."""

    markdown: str = ""
    attachments: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Numbers:
    """How the HTML page numbers things: section numbers by anchor, figure and table numbers by id."""

    sections: dict[str, tuple[int, ...]] = field(default_factory=dict)
    figures: dict[str, dict[str, tuple[int, ...]]] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)

    def caption_prefix(self, kind: str, node: nodes.Element) -> str:
        for node_id in node["ids"]:
            number = self.figures.get(kind, {}).get(node_id)
            if number and kind in self.formats:
                return self.formats[kind] % ".".join(map(str, number)) + ": "
        return ""


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _is_code_cell(node: nodes.Node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


class _Writer:
    """Walks a doctree; ``chunks`` gets the Markdown before each code cell, ``cells`` their indices."""

    def __init__(self, image_file, numbers: Numbers):
        self.image_file = image_file  # an image node -> the file to embed, or None
        self.numbers = numbers
        self.chunks: list[Chunk] = [Chunk()]
        self.cells: list[int] = []

    # -- block level ---------------------------------------------------------

    def blocks(self, node: nodes.Node, depth: int) -> None:
        """Writes ``node``'s children, in order; code cells cut the chapter into chunks."""
        out: list[str] = []
        for child in node.children:
            if _is_code_cell(child):
                self._cut(out)
                out = []
                self.cells.append(child["cell_index"])
            elif isinstance(child, nodes.section):
                self._append(out)
                out = []
                self.blocks(child, depth + 1)
            else:
                out.extend(self.block(child, depth))
        self._append(out)

    def _append(self, blocks: list[str]) -> None:
        text = "\n\n".join(b for b in blocks if b.strip())
        if text:
            current = self.chunks[-1]
            current.markdown = f"{current.markdown}\n\n{text}" if current.markdown else text

    def _cut(self, blocks: list[str]) -> None:
        self._append(blocks)
        self.chunks.append(Chunk())

    def block(self, node: nodes.Node, depth: int) -> list[str]:
        if isinstance(node, (nodes.comment, nodes.target, nodes.substitution_definition, addnodes.index,
                             addnodes.toctree, addnodes.compact_paragraph, nodes.system_message)):
            return []
        if isinstance(node, nodes.raw):
            return [node.astext()] if node.get("format") == "html" else []
        if isinstance(node, nodes.title):
            return [self._heading(node, depth)]
        if isinstance(node, (nodes.paragraph, nodes.rubric)):
            text = self.inline(node)
            return [f"**{text}**" if isinstance(node, nodes.rubric) else text]
        if isinstance(node, nodes.literal_block):
            language = node.get("language", "")
            language = "" if language in ("default", "none", "text") else language
            fence = "````" if "```" in node.astext() else "```"
            return [f"{fence}{language}\n{node.astext().rstrip()}\n{fence}"]
        if isinstance(node, nodes.math_block):
            return [f"$$\n{node.astext().strip()}\n$$"]
        if isinstance(node, nodes.bullet_list):
            return [self._list(node, depth, lambda _: "- ")]
        if isinstance(node, nodes.enumerated_list):
            start = node.get("start", 1)
            return [self._list(node, depth, lambda i: f"{start + i}. ")]
        if isinstance(node, nodes.Admonition):
            return [self._admonition(node, depth)]
        if isinstance(node, nodes.figure):
            return self._figure(node, depth)
        if isinstance(node, nodes.image):
            return [self._image(node)]
        if isinstance(node, nodes.table):
            return [self._table(node)]
        if isinstance(node, nodes.field_list):
            return [self._fields(node, depth)]
        if isinstance(node, nodes.definition_list):
            return [self._definitions(node, depth)]
        if isinstance(node, nodes.block_quote):
            return [_quoted("\n\n".join(self._inner(node, depth)))]
        if isinstance(node, nodes.transition):
            return ["---"]
        if isinstance(node, nodes.Element) and not isinstance(node, nodes.TextElement):
            return self._inner(node, depth)  # containers, compounds, topics: their content
        return [self.inline(node)]

    def _inner(self, node: nodes.Node, depth: int) -> list[str]:
        return [block for child in node.children for block in self.block(child, depth)]

    def _heading(self, title: nodes.title, depth: int) -> str:
        section = title.parent
        anchor = "" if depth <= 1 or not section["ids"] else "#" + section["ids"][0]
        number = self.numbers.sections.get(anchor)
        prefix = ".".join(map(str, number)) + " " if number else ""
        return "#" * min(max(depth, 1), 6) + " " + prefix + self.inline(title)

    def _list(self, node: nodes.Element, depth: int, marker) -> str:
        items = []
        for index, item in enumerate(node.children):
            bullet = marker(index)
            body = "\n\n".join(self._inner(item, depth))
            indent = " " * len(bullet)
            items.append(bullet + body.replace("\n", "\n" + indent).replace("\n" + indent + "\n", "\n\n"))
        return "\n".join(items)

    def _admonition(self, node: nodes.Element, depth: int) -> str:
        titles = [child for child in node.children if isinstance(child, nodes.title)]
        title = self.inline(titles[0]) if titles else admonitionlabels.get(node.tagname, "")
        body = [b for child in node.children if child not in titles for b in self.block(child, depth)]
        return _quoted("\n\n".join([f"**{title}**", *body] if title else body))

    def _figure(self, node: nodes.figure, depth: int) -> list[str]:
        out = []
        for child in node.children:
            if isinstance(child, nodes.caption):
                out.append(f"*{self.numbers.caption_prefix('figure', node)}{self.inline(child)}*")
            elif isinstance(child, nodes.legend):
                out.extend(self._inner(child, depth))
            else:
                out.extend(self.block(child, depth))
        return out

    def _image(self, node: nodes.image) -> str:
        alt = _escape(node.get("alt", ""))
        path = self.image_file(node)
        if path is None:
            return alt
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.chunks[-1].attachments[path.name] = {mime: base64.b64encode(path.read_bytes()).decode("ascii")}
        return f"![{alt}](attachment:{path.name})"

    def _table(self, node: nodes.table) -> str:
        rows: list[list[str]] = []
        header = 0
        for part in node.findall(lambda n: isinstance(n, (nodes.thead, nodes.tbody))):
            for row in part.children:
                rows.append([self.inline(entry).replace("\n", " ").replace("|", "\\|") for entry in row.children])
            if isinstance(part, nodes.thead):
                header = len(rows)
        if not rows:
            return ""
        width = max(map(len, rows))
        rows = [row + [""] * (width - len(row)) for row in rows]
        if not header:  # Markdown tables need a header row: an empty one
            rows.insert(0, [""] * width)
        lines = [f"| {' | '.join(rows[0])} |", "|" + "---|" * width] + [f"| {' | '.join(r)} |" for r in rows[1:]]
        titles = [child for child in node.children if isinstance(child, nodes.title)]
        caption = f"*{self.numbers.caption_prefix('table', node)}{self.inline(titles[0])}*\n\n" if titles else ""
        return caption + "\n".join(lines)

    def _fields(self, node: nodes.field_list, depth: int) -> str:
        lines = []
        for item in node.children:
            name, body = item.children[0], item.children[1]
            text = "\n\n".join(self._inner(body, depth))
            one_paragraph = len(body.children) == 1 and isinstance(body[0], nodes.paragraph)
            lines.append(f"**{self.inline(name)}:** {text}" if one_paragraph else f"**{self.inline(name)}:**\n\n{text}")
        return "\n\n".join(lines)

    def _definitions(self, node: nodes.definition_list, depth: int) -> str:
        items = []
        for item in node.children:
            terms = [self.inline(c) for c in item.children if isinstance(c, nodes.term)]
            body = [b for c in item.children if isinstance(c, nodes.definition) for b in self._inner(c, depth)]
            items.append("\n\n".join([f"**{', '.join(terms)}**", *body]))
        return "\n\n".join(items)

    # -- inline level --------------------------------------------------------

    def inline(self, node: nodes.Node) -> str:
        if isinstance(node, nodes.Text):
            return _escape(node.astext())
        if isinstance(node, (nodes.raw, nodes.target, addnodes.index, nodes.substitution_definition)):
            return node.astext() if isinstance(node, nodes.raw) and node.get("format") == "html" else ""
        if isinstance(node, nodes.literal):
            text = node.astext()
            ticks = "``" if "`" in text else "`"
            return f"{ticks}{text}{ticks}"
        if isinstance(node, nodes.math):
            return f"${node.astext()}$"
        if isinstance(node, nodes.image):
            return self._image(node)
        inner = "".join(self.inline(child) for child in node.children)
        if isinstance(node, nodes.emphasis):
            return f"*{inner}*" if inner.strip() else inner
        if isinstance(node, nodes.strong):
            return f"**{inner}**" if inner.strip() else inner
        if isinstance(node, nodes.reference) and "://" in node.get("refuri", ""):
            return inner if node.astext() == node["refuri"] else f"[{inner}]({node['refuri']})"
        return inner  # an internal reference, a term, a pending glue: the words the page shows


def _quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def chunks_of(doctree: nodes.document, image_file, numbers: Numbers) -> tuple[list[Chunk], list[int]]:
    """The Markdown before each code cell of ``doctree`` (one more chunk, after the last), and the
    notebook index of each code cell, in page order. ``image_file(node)`` gives an image's file."""
    writer = _Writer(image_file, numbers)
    writer.blocks(doctree, 0)
    return writer.chunks, writer.cells


#: What Jupyter shows in a Markdown cell, best first.
_SHOWN = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")


def image_files(srcdir: Path):
    """An image node's file: the best of its candidates Jupyter shows (the SVG of a script
    figure, not the PDF), found from the source folder as Sphinx names them."""

    def found(node: nodes.image) -> Path | None:
        shown = {}
        for mime, uri in node.get("candidates", {}).items():
            mime = mimetypes.guess_type(uri)[0] if mime == "*" else mime
            path = (Path(srcdir) / uri.lstrip("/")).resolve() if "://" not in uri else None
            if mime in _SHOWN and path is not None and path.is_file():
                shown[mime] = path
        return next((shown[mime] for mime in _SHOWN if mime in shown), None)

    return found
