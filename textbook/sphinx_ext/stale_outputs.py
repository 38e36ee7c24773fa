"""Remove from the HTML output what no current document produces.

Sphinx builds incrementally into the same folder and never deletes: the page
of a renamed chapter, the plot of a cell whose output changed and the search
index's words that no page holds any more all stay behind, and would be
published with the edition. After each HTML build we delete pages and page
sources (with their notebook and runnable zip) of documents that no longer exist, images no document uses, and
search-index words that point to no page, so an incremental build publishes
exactly what a clean build does.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.search import js_index

#: Pages the HTML builder writes that are not documents.
GENERATED_PAGES = {"genindex", "search", "py-modindex"}


def _docname(path: Path, root: Path) -> str:
    name = path.relative_to(root).as_posix()
    for suffix in (".ipynb", ".zip", ".txt", ".md", ".html"):
        name = name.removesuffix(suffix)
    return name


def remove_stale_outputs(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    documents = set(app.env.all_docs) | GENERATED_PAGES
    for page in outdir.glob("**/*.html"):
        if "_static" not in page.relative_to(outdir).parts and _docname(page, outdir) not in documents:
            page.unlink()
    sources = outdir / "_sources"
    for source in sources.glob("**/*") if sources.exists() else []:
        if source.is_file() and _docname(source, sources) not in documents:
            source.unlink()
    images = outdir / "_images"
    used = {unique for _docs, unique in app.env.images.values()}
    for image in images.iterdir() if images.exists() else []:
        if image.is_file() and image.name not in used:  # folders: other extensions' (imgmath)
            image.unlink()
    _drop_dead_index_terms(outdir / "searchindex.js")


def _drop_dead_index_terms(index: Path) -> None:
    """Words that point to no page (left behind when a page lost them)."""
    if not index.exists():
        return
    text = index.read_text(encoding="utf-8")
    data = js_index.loads(text)
    for key in ("terms", "titleterms"):
        data[key] = {term: pages for term, pages in data.get(key, {}).items() if pages != []}
    cleaned = js_index.dumps(data)
    if cleaned != text:
        index.write_text(cleaned, encoding="utf-8")
