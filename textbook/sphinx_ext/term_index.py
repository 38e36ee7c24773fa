"""Index every use of a glossary term, so the printed index lists the pages that use it.

Sphinx indexes a glossary term where the glossary defines it; a chapter's
``{term}`` reference adds nothing to the index, so an index built from the
glossary alone would point every term at the glossary's own page. Each
reference gets an index entry under its term, at the place it is used (an
index node and a target just before the reference), in the HTML index and
in print alike.

The entry is the term as the glossary spells it: the reference's explicit
target (``{term}`PSI <population stability index>```) or its text, with a
capital that only starts a sentence lowered ("Data validation" is the entry
"data validation"; "CI/CD" stays as it is). A use inside the glossary adds
none: the glossary's page is the term's definition, indexed already, and a
second entry on that page would print its number twice ("289, 289": the
definition's, in bold, and the use's). An entry is placed outside the
emphasis around a reference (``*{term}`lineage`*``), beside the paragraph's
other index entries.

Authors add entries of their own with ``{index}`` (``CONTRIBUTING.md``); the
index must hold each term once, in one spelling: ``duplicate_terms`` names a
term spelt two ways, which the tests refuse for the book.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.index_entries import split_index_msg
from sphinx.util.nodes import make_id

_ROLE_CONTENT = re.compile(r"`(?P<text>.*)`\s*$", re.DOTALL)
_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)


def entry_name(rawtext: str) -> str:
    """The glossary term a ``{term}`` role's source text refers to, spelt as defined."""
    match = _ROLE_CONTENT.search(rawtext)
    text = " ".join((match.group("text") if match else rawtext).split())
    explicit = _EXPLICIT.match(text)
    if explicit:
        return explicit.group("target")
    if text[:1].isupper() and text[1:] == text[1:].lower():
        return text[:1].lower() + text[1:]
    return text


class IndexTermUses(SphinxTransform):
    """Put an index entry and its target before every ``{term}`` reference."""

    default_priority = 500

    def apply(self, **kwargs) -> None:
        self.move_definition_entries()
        for reference in list(self.document.findall(addnodes.pending_xref)):
            if reference.get("refdomain") != "std" or reference.get("reftype") != "term":
                continue
            if _inside(reference, addnodes.glossary):
                continue  # the glossary's page is the term's definition, indexed there
            name = entry_name(reference.rawsource)
            node_id = make_id(self.env, self.document, "index-term", name)
            target = nodes.target("", "", ids=[node_id])
            self.document.note_explicit_target(target)
            entry = addnodes.index(entries=[("single", name, node_id, "", None)], inline=True)
            place = reference
            while isinstance(place.parent, nodes.Inline):  # beside the emphasis around it, not in it
                place = place.parent
            parent = place.parent
            position = parent.index(place)
            parent.insert(position, target)
            parent.insert(position, entry)

    def move_definition_entries(self) -> None:
        """Move a glossary term's own index entry from the term to its definition.

        The term stays plain text (a list item's label in print), and the entry
        stands where the definition begins, on the same page.
        """
        for term in list(self.document.findall(nodes.term)):
            item = term.parent
            definition = next((child for child in item.children if isinstance(child, nodes.definition)), None)
            if definition is None:
                continue
            for entry in [child for child in term.children if isinstance(child, addnodes.index)]:
                term.remove(entry)
                first = definition.children[0] if definition.children else None
                (first if isinstance(first, nodes.paragraph) else definition).insert(0, entry)


def _inside(node: nodes.Node, kind: type) -> bool:
    while node is not None:
        if isinstance(node, kind):
            return True
        node = node.parent
    return False


def entry_lines(kind: str, value: str) -> list[tuple[str, str, tuple[str, str] | None]]:
    """The index lines one entry (``{index}``'s ``single``, ``pair``, ``triple``, ``see``, ``seealso``)
    makes, as Sphinx's ``IndexEntries`` makes them: its term, its sub-entry ("" for none), and for a
    reference to another term, its kind and that term (``("see", "population stability index")``)."""
    parts = split_index_msg(kind, value)
    if kind == "single":
        return [(parts[0], parts[1] if len(parts) > 1 else "", None)]
    if kind == "pair":
        return [(parts[0], parts[1], None), (parts[1], parts[0], None)]
    if kind == "triple":
        first, second, third = parts
        return [(first, f"{second} {third}", None), (second, f"{third}, {first}", None),
                (third, f"{first} {second}", None)]
    return [(parts[0], "", (kind, parts[1]))]


def index_lines(entries: dict[str, list]) -> dict[str, dict[str, set[str]]]:
    """The printed index's lines from the index domain's entries (``env.domaindata["index"]
    ["entries"]``: each document's ``(type, value, target, main, key)``): each term with its
    sub-entries ("" for the term's own line, "see X" for a reference), and the documents that
    index each."""
    lines: dict[str, dict[str, set[str]]] = {}
    for docname, document in entries.items():
        for kind, value, _target, _main, _key in document:
            for term, sub, see in entry_lines(kind, value):
                sub = f"{see[0]} {see[1]}" if see else sub
                lines.setdefault(term, {}).setdefault(sub, set()).add(docname)
    return lines


def line_count(entries: dict[str, list]) -> int:
    """How many lines the index prints: its terms and their sub-entries."""
    lines = index_lines(entries)
    return len(lines) + sum(1 for subs in lines.values() for sub in subs if sub)


def duplicate_terms(entries: dict[str, list]) -> list[str]:
    """Each term, or sub-entry of one term, that the index holds in more than one spelling
    (case and spaces aside): "Data drift" beside "data drift" would be two lines for one thing."""

    def clashes(names, where: str) -> list[str]:
        spellings: dict[str, list[str]] = {}
        for name in names:
            spellings.setdefault(" ".join(name.casefold().split()), []).append(name)
        return sorted(f"{where}{' and '.join(repr(n) for n in sorted(found))} are one term: choose one spelling"
                      for found in spellings.values() if len(found) > 1)

    lines = index_lines(entries)
    problems = clashes(lines, "")
    for term, subs in sorted(lines.items()):
        problems += clashes([sub for sub in subs if sub], f"under {term!r}: ")
    return problems


