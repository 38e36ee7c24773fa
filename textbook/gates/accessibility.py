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

from pathlib import Path


def findings(pdf: Path) -> list[str]:
    """Every finding of both checkers on ``pdf``, one line each; none for a PDF both pass."""
    import page
    import pdfua

    try:
        report = pdfua.validate(str(pdf))
    except pdfua.PdfuaError as error:
        return [f"{pdf.name}: document: cannot be read as PDF ({error}) (pdfua)"]
    found = []
    for finding in report.findings:
        found.append(f"{pdf.name}: {finding.location.describe()}: {finding.rule_id}: {finding.message} (pdfua)")
    try:
        failures = page.validate_pdf(pdf, profile="ua1").failures
    except page.PageError as error:
        return [*found, f"{pdf.name}: document: cannot be read as PDF ({error}) (page)"]
    for failure in failures:
        where = f"object {failure.object_id.object_number}" if failure.object_id else "document"
        found.append(f"{pdf.name}: {where}: {failure.rule_id}: {failure.message} (page)")
    return found
