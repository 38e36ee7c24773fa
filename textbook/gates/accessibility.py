"""PDF/UA-1, checked by two independent checkers: a PDF a screen reader cannot follow fails the build.

``pdfua`` (rules on the structure tree, tags, language, alt texts, read with
pikepdf) and ``page`` (``page-validation``: the PDF/UA-1 profile of a
conformance checker written in Rust) both run offline on every PDF the Typst
engine prints. Every finding of either is a problem, named with the PDF,
where in it (page and element for ``pdfua``, the PDF object for ``page``),
the rule and its message. Neither is a full conformance test (``pdfua``
says which share of PDF/UA's rules it checks); together they catch what the
print route can get wrong: a figure or formula without alt text, untagged
content, a missing language or title.

Most of ``pdfua``'s time on a book goes into reading every page's content
stream for marked content. What it finds on a page depends on that stream
alone, so it is kept by the stream's bytes: after an edit to one chapter,
only the pages that changed are read again (``_RememberedPages``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import pikepdf
from pdfua.document import _MAX_STRUCT_DEPTH, PageContent, PdfDocument, StructElement, UnmarkedContent

from textbook.gates import background

#: Cached findings are those of this gate and these checkers.
_CACHE_VERSION = "|".join([hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16],
                           version("pdfua"), version("page-validation")])


class _RememberedPages(PdfDocument):
    """``pdfua``'s view of a PDF whose reading of a page's content stream is taken from
    ``known`` (content digest: what was found there) when the same bytes were read before; every
    page read is added to ``seen``."""

    def __init__(self, pdf: pikepdf.Pdf, path: str, known: dict[str, list], seen: dict[str, list]):
        super().__init__(pdf, path)
        self.known, self.seen = known, seen

    def _walk(self, node, depth: int, page: int | None) -> Iterator[StructElement]:
        """The elements under ``node``, parent first, as ``pdfua`` walks them; but each built once:
        its own walk builds an element's subtree again for every ancestor (``_build`` resolves
        the children it then walks into), more than half of reading a book's tree."""
        element = self._build(node, depth, page)
        pending = [] if element is None else [element]
        while pending:
            element = pending.pop()
            yield element
            pending.extend(reversed(element.children))

    def _build(self, node, depth: int, page: int | None) -> StructElement | None:
        """``pdfua``'s element with its subtree, each of a node's entries read only when the
        listing of its keys has it: a question to the PDF library per key asked, most of them
        absent, is most of building a book's tree."""
        if depth > _MAX_STRUCT_DEPTH or not isinstance(node, pikepdf.Dictionary):
            return None
        keys = node.keys()
        if "/Pg" in keys:
            page = self._page_number(node["/Pg"]) or page
        children = []
        if "/K" in keys:
            kids = node["/K"]
            for kid in kids if isinstance(kids, pikepdf.Array) else (kids,):
                built = self._build(kid, depth + 1, page)
                if built is not None:
                    children.append(built)
        attributes = self._attribute_dicts(node) if "/A" in keys else ()
        return StructElement(
            role=self._name(node["/S"]) if "/S" in keys else None,
            obj=node,
            page=page,
            alt=self._text(node["/Alt"]) if "/Alt" in keys else None,
            actual_text=self._text(node["/ActualText"]) if "/ActualText" in keys else None,
            has_scope=any(a.get("/Scope") is not None for a in attributes),
            has_headers="/Headers" in keys or any(a.get("/Headers") is not None for a in attributes),
            children=tuple(children),
        )

    def _analyse_page(self, page_number: int) -> PageContent:
        try:
            contents = self._pdf.pages[page_number - 1].obj.get("/Contents")
            streams = contents if isinstance(contents, pikepdf.Array) else [contents]
            digest = hashlib.sha256(b"".join(s.read_raw_bytes() for s in streams if s is not None)).hexdigest()
        except (IndexError, pikepdf.PdfError, AttributeError):
            return super()._analyse_page(page_number)  # which says what is wrong with the page
        if digest in self.known:
            counts, mcids, errors = self.known[digest]
            found = PageContent(page_number, UnmarkedContent(*counts), tuple(mcids), tuple(errors))
        else:
            found = super()._analyse_page(page_number)
        unmarked = found.unmarked
        self.seen[digest] = [[unmarked.unmarked_text_operators, unmarked.unmarked_xobjects,
                              unmarked.has_marked_content], list(found.mcids), list(found.errors)]
        return found


def _pdfua_report(pdf: Path, pages: dict[str, list], seen: dict[str, list]):
    """``pdfua.validate``, with the pages' content streams read through ``_RememberedPages``."""
    import pdfua

    try:
        document = _RememberedPages(pikepdf.Pdf.open(pdf), str(pdf), pages, seen)
    except (pikepdf.PdfError, OSError, ValueError) as error:
        raise pdfua.PdfuaError(f"{pdf}: not a readable PDF ({error})") from error
    with document:
        outcomes = pdfua.Validator()._run_rules(document)  # validate() opens its own PdfDocument
    return pdfua.Report(path=str(pdf), outcomes=outcomes, duration_ms=0.0)


#: Threads in which ``page`` checks PDFs at once: it leaves Python's lock while it works, so a
#: book's check (the longest by far) runs beside those of the smaller PDFs and ``pdfua``'s.
PAGE_THREADS = 2

#: The content streams whose reading is kept: a few editions' worth, those read last first.
MOST_PAGES_KEPT = 5000


def _found(pdf: Path, pages: dict[str, list] | None = None, seen: dict[str, list] | None = None,
           beside: Future | None = None) -> list[str]:
    """Both checkers' findings on ``pdf``, each "where: rule: message (checker)"; ``pages`` and
    ``seen`` are what ``_RememberedPages`` knows and learns of content streams. ``beside``:
    ``page``'s findings on it, being found in another thread (it leaves Python's lock while it
    works), else found here after ``pdfua``'s. A file that is no PDF is one finding."""
    import pdfua

    try:
        report = _pdfua_report(pdf, pages or {}, {} if seen is None else seen)
    except pdfua.PdfuaError as error:
        return [f"document: cannot be read as PDF ({error}) (pdfua)"]
    found = [f"{f.location.describe()}: {f.rule_id}: {f.message} (pdfua)" for f in report.findings]
    return found + (beside.result() if beside is not None else _page_findings(pdf))


def _page_findings(pdf: Path) -> list[str]:
    """``page-validation``'s findings on ``pdf``."""
    import page

    try:
        failures = page.validate_pdf(pdf, profile="ua1").failures
    except page.PageError as error:
        return [f"document: cannot be read as PDF ({error}) (page)"]
    return [f"{f'object {failure.object_id.object_number}' if failure.object_id else 'document'}: "
            f"{failure.rule_id}: {failure.message} (page)" for failure in failures]


def findings(pdf: Path) -> list[str]:
    """Every finding of both checkers on ``pdf``, one line each, named with it; none for a PDF both pass."""
    return [f"{pdf.name}: {line}" for line in _found(pdf)]


def findings_all(pdfs: list[Path], cache_file: Path | None = None) -> list[str]:
    """The findings on every PDF; a PDF whose bytes were checked before is not checked again (an
    unchanged chapter's handout, after an edit elsewhere), nor a page's content stream read before.
    ``page`` goes through the PDFs to check in ``PAGE_THREADS`` threads while ``pdfua`` reads them here."""
    cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file and cache_file.is_file() else {}
    if cache.get("version") != _CACHE_VERSION:
        cache = {}
    known, pages = cache.get("pdfs", {}), cache.get("pages", {})
    digests = {pdf: hashlib.sha256(pdf.read_bytes()).hexdigest() for pdf in pdfs}
    kept, seen, lines = {}, {}, []
    to_check = sorted((pdf for pdf, digest in digests.items() if digest not in known), key=lambda pdf: -pdf.stat().st_size)
    with ThreadPoolExecutor(max_workers=PAGE_THREADS, thread_name_prefix="page-validation") as beside:
        checking = {pdf: beside.submit(_page_findings, pdf) for pdf in to_check}  # the longest first
        for pdf, digest in digests.items():
            kept[digest] = known[digest] if digest in known else _found(pdf, pages, seen, checking[pdf])
            lines += [f"{pdf.name}: {line}" for line in kept[digest]]
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        kept_pages = seen | {digest: found for digest, found in pages.items() if digest not in seen}
        cache = {"version": _CACHE_VERSION, "pdfs": kept, "pages": dict(list(kept_pages.items())[:MOST_PAGES_KEPT])}
        cache_file.write_text(json.dumps(cache), encoding="utf-8")
    return lines


def start_checking(pdfs: list[Path], cache_file: Path) -> subprocess.Popen:
    """``findings_all`` in a process of its own (``background``); ``finish_checking`` collects them."""
    return background.start("textbook.gates.accessibility", cache_file, pdfs)


def finish_checking(process: subprocess.Popen) -> list[str]:
    """The findings ``start_checking``'s process found, one line each."""
    return background.finish(process, "accessibility")


if __name__ == "__main__":
    print(json.dumps(findings_all([Path(name) for name in sys.argv[2:]], cache_file=Path(sys.argv[1]))))
