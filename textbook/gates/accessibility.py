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
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

#: Cached findings are those of this gate and these checkers.
_CACHE_VERSION = "|".join([hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16],
                           version("pdfua"), version("page-validation")])


def _found(pdf: Path) -> list[str]:
    """Both checkers' findings on ``pdf``, each "where: rule: message (checker)"."""
    import page
    import pdfua

    try:
        report = pdfua.validate(str(pdf))
    except pdfua.PdfuaError as error:
        return [f"document: cannot be read as PDF ({error}) (pdfua)"]
    found = [f"{f.location.describe()}: {f.rule_id}: {f.message} (pdfua)" for f in report.findings]
    try:
        failures = page.validate_pdf(pdf, profile="ua1").failures
    except page.PageError as error:
        return [*found, f"document: cannot be read as PDF ({error}) (page)"]
    for failure in failures:
        where = f"object {failure.object_id.object_number}" if failure.object_id else "document"
        found.append(f"{where}: {failure.rule_id}: {failure.message} (page)")
    return found


def findings(pdf: Path) -> list[str]:
    """Every finding of both checkers on ``pdf``, one line each, named with it; none for a PDF both pass."""
    return [f"{pdf.name}: {line}" for line in _found(pdf)]


def findings_all(pdfs: list[Path], cache_file: Path | None = None) -> list[str]:
    """The findings on every PDF; a PDF whose bytes were checked before is not checked again (an
    unchanged chapter's handout, after an edit elsewhere)."""
    cache = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file and cache_file.is_file() else {}
    known = cache.get("pdfs", {}) if cache.get("version") == _CACHE_VERSION else {}
    kept, lines = {}, []
    for pdf in pdfs:
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        kept[digest] = known[digest] if digest in known else _found(pdf)
        lines += [f"{pdf.name}: {line}" for line in kept[digest]]
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({"version": _CACHE_VERSION, "pdfs": kept}, indent=1), encoding="utf-8")
    return lines
