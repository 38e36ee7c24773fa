"""Figure numbers assigned without unpickling every chapter on every build.

After reading, Sphinx numbers the figures, tables, listings and equations of
the whole book by walking every document's doctree in toctree order, each
loaded from its pickle, on every build, even one that read a single chapter.
The book's three Sphinx runs of an edit (print, EPUB, HTML) spent 1.8 s of
CPU there. The walk only looks at a document's sections, its toctrees and
its numbered elements, so this keeps that outline of each document in the
environment (``Outline``), made from its doctree the first time it is needed
and dropped when the document is read again, and numbers from the outlines
exactly as Sphinx 9's ``TocTreeCollector.assign_figure_numbers`` does from
the doctrees (a test compares the two).
"""

from __future__ import annotations

from typing import NamedTuple

from docutils import nodes
from sphinx import addnodes
from sphinx.domains.std import StandardDomain
from sphinx.environment import BuildEnvironment
from sphinx.util import url_re

#: One document's outline, in document order: ("section", anchor, items), ("toctree", docnames),
#: or ("numbered", figure type, id). A numbered element's own items follow it, at its level.
Item = tuple
_KEPT = "textbook_numbered_items"


class Outline(NamedTuple):
    """What numbering reads of a document: its ``items``, and ``targets``, each id of an element
    standing for that element as a ``{numref}`` to it reads it (``numref_targets.py``): its class,
    its ids, and a code block's caption container still holding a code block."""

    items: list[Item]
    targets: dict[str, nodes.Element]


def _target(element: nodes.Element) -> nodes.Element:
    stand_in = element.copy()  # its class and attributes (the ids), no children
    if isinstance(element, nodes.container) and any(isinstance(c, nodes.literal_block) for c in element.children):
        stand_in += nodes.literal_block()  # what makes a container a numbered code block
    return stand_in


def _figure_type(env: BuildEnvironment, node: nodes.Element) -> str | None:
    """The enumerable type Sphinx numbers ``node`` as, if any (its ``get_figtype``)."""
    for domain in env.domains.sorted():
        figtype = domain.get_enumerable_node_type(node)
        if isinstance(domain, StandardDomain) and not domain.get_numfig_title(node):
            continue  # an element without a caption is not numbered
        if figtype:
            return figtype
    return None


def _items(env: BuildEnvironment, element: nodes.Element) -> list[Item]:
    found: list[Item] = []
    for node in element.children:
        if isinstance(node, nodes.section):
            found.append(("section", "#" + node["ids"][0], _items(env, node)))
        elif isinstance(node, addnodes.toctree):
            found.append(("toctree", [docname for _title, docname in node["entries"]]))
        elif isinstance(node, nodes.Element):
            figtype = _figure_type(env, node)
            if figtype and node["ids"]:
                found.append(("numbered", figtype, node["ids"][0]))
            found += _items(env, node)
    return found


def _outline(env: BuildEnvironment, docname: str) -> Outline:
    doctree = env.get_doctree(docname)
    targets = {}
    for element in doctree.findall(nodes.Element):
        if element["ids"]:
            stand_in = _target(element)
            targets |= dict.fromkeys(element["ids"], stand_in)
    return Outline(_items(env, doctree), targets)


def _kept(env: BuildEnvironment) -> dict[str, Outline]:
    """The outlines kept in the environment (pickled with it), for the enumerable types they were made with."""
    enumerable = sorted(f"{kind.__module__}.{kind.__qualname__}" for kind in env.domains.standard_domain.enumerable_nodes)
    kept = getattr(env, _KEPT, None)
    if kept is None or kept["enumerable"] != enumerable:
        kept = {"enumerable": enumerable, "documents": {}}
        setattr(env, _KEPT, kept)
    return kept["documents"]


def targets(env: BuildEnvironment, docname: str) -> dict[str, nodes.Element] | None:
    """The stand-ins of ``docname``'s elements by id, if its outline is kept (a document in the
    numbered toctree, outlined since it was last read)."""
    kept = getattr(env, _KEPT, None)
    outline = kept["documents"].get(docname) if kept is not None else None
    return None if outline is None else outline.targets


def forget(env: BuildEnvironment, docname: str) -> None:
    """A document read again, or removed: its outline is made anew when next needed."""
    kept = getattr(env, _KEPT, None)
    if kept is not None:
        kept["documents"].pop(docname, None)


def assign_figure_numbers(env: BuildEnvironment) -> list[str]:
    """``TocTreeCollector.assign_figure_numbers``: ``env.toc_fignumbers`` for every document
    under a numbered toctree, and the documents whose numbers changed."""
    generated = frozenset(env.domains.standard_domain._virtual_doc_names)
    outlines = _kept(env)
    old_numbers, env.toc_fignumbers = env.toc_fignumbers, {}
    counters: dict[str, dict[tuple[int, ...], int]] = {}
    walked: set[str] = set()

    def section_number(docname: str, anchor: str) -> tuple[int, ...]:
        numbers = env.toc_secnumbers.get(docname, {})
        return (numbers[anchor] if anchor in numbers else numbers.get("")) or ()

    def walk(docname: str, items: list[Item], secnum: tuple[int, ...]) -> None:
        for item in items:
            if item[0] == "section":
                walk(docname, item[2], section_number(docname, item[1]) or secnum)
            elif item[0] == "toctree":
                for subdocname in item[1]:
                    if not (url_re.match(subdocname) or subdocname == "self" or subdocname in generated):
                        walk_document(subdocname, secnum)
            else:
                _, figtype, figure_id = item
                counter = counters.setdefault(figtype, {})
                prefix = secnum[: env.config.numfig_secnum_depth]
                counter[prefix] = counter.get(prefix, 0) + 1
                numbers = env.toc_fignumbers.setdefault(docname, {}).setdefault(figtype, {})
                numbers[figure_id] = (*prefix, counter[prefix])

    def walk_document(docname: str, secnum: tuple[int, ...]) -> None:
        if docname in walked:
            return
        walked.add(docname)
        if docname not in outlines:
            outlines[docname] = _outline(env, docname)
        walk(docname, outlines[docname].items, secnum)

    if not env.config.numfig:
        return []
    walk_document(env.config.root_doc, ())
    return [docname for docname, numbers in env.toc_fignumbers.items() if numbers != old_numbers.get(docname)]
