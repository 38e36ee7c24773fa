"""The EPUB edition: Sphinx's EPUB 3 builder, made valid for EPUBCheck, offline and reproducible.

What Sphinx's own ``epub`` builder lacks for this book, fixed here rather than in ``conf.py``:

* metadata: title, author, publisher, rights, language, version, a
  description (``textbook_description``), a contributor (the author) and a
  stable identifier (a UUID made from the title) default to the project's own
  settings, never Sphinx's "unknown"; the date is ``SOURCE_DATE_EPOCH``
  (Sphinx's ``format_date``);
* math: MathML (``math_mathml.py``), which EPUB 3 allows in a page the
  manifest declares with ``properties="mathml"``; Sphinx declares none;
* figures: matplotlib's SVGs declare an external DTD, which EPUB forbids, and
  draw a space as a glyph ``<path>`` without the ``d`` SVG requires: the
  copies in the book lose their DOCTYPE and get an empty ``d``;
* notebook outputs: pandas writes ``<style scoped>`` before a table, which is
  not XML; the EPUB's pages leave those styles out;
* style: MyST-NB's stylesheet uses CSS (``:has``, empty custom properties)
  that EPUBCheck rejects; notebook cells get a small stylesheet of their own,
  which also wraps long code lines (a narrow screen would cut them off) and
  drops the epub theme's colon after a field name (the page has its own:
  "Difficulty::"); code is highlighted (the epub theme's style is "none");
* navigation: a module's entry in the table of contents is named as its
  chapter opens, with the unit label and number ("Module 4: Serving ..."),
  in the course's words;
* cover: an SVG of the title, author and the course's logo (``epub_cover.py``),
  declared as the cover image (``properties="cover-image"``), unless
  ``conf.py`` sets ``epub_cover``;
* stale files: the builder packages every file in its folder, so pages and
  images that no current document uses are removed first;
* bytes: the zip's entries carry ``SOURCE_DATE_EPOCH``'s time, not the files';
  the manifest's item ids are made from the file names, not numbered in
  sorted order (figures of measured outputs are named by their content, so
  one new name would renumber every item after it).

The HTML-only parts of the book (notebook downloads, starter notebooks, the
book theme) are left out by the builder's ``download_support = False`` and
its own ``epub`` theme.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import time
import uuid
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.highlighting import PygmentsBridge
from sphinx.util import logging
from sphinx.util.osutil import make_filename

from textbook.core.config import of_sphinx
from textbook.core.messages import Words
from textbook.sphinx_ext import epub_cover
from textbook.sphinx_ext.module_overview import modules

logger = logging.getLogger(__name__)

STYLESHEET = "textbook-epub.css"
#: Notebook cells told apart from prose without MyST-NB's stylesheet; code wrapped; one colon.
CELL_STYLE = """\
div.cell div.cell_input { border-left: 3px solid #4a7ab5; margin-top: 1em; }
div.cell div.cell_output { border-left: 3px solid #bbbbbb; margin-bottom: 1em; }
div.cell_output img { max-width: 100%; }
details.hide[open] > summary > span.collapsed, details.hide:not([open]) > summary > span.expanded { display: none; }
pre { white-space: pre-wrap; word-wrap: break-word; }
dl.field-list > dt:after { content: none; }
"""
#: Pygments' style when the project names none (the epub theme's own is "none": no colour).
CODE_STYLE = "sphinx"
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>\s*", re.S)
_PATH_WITHOUT_DATA = re.compile(rb"<path(?![^>]*\sd=)")
_SCOPED_STYLE = re.compile(r"<style scoped>.*?</style>\s*", re.S)
#: What a page holds when it holds MathML (the manifest then declares it).
_MATHML = re.compile(r'<math xmlns="http://www\.w3\.org/1998/Math/MathML"')
#: Pages the builder writes that are not documents.
GENERATED_PAGES = {"nav", "genindex"}


def configure(app: Sphinx, config) -> None:
    """``config-inited``: the EPUB's metadata from the project's settings, where conf.py sets none."""
    if not config.version:
        config.version = config.release  # EPUB 3 wants a version; the release is it
    project = of_sphinx(config)
    ours = {  # name: (Sphinx's default, ours)
        "epub_copyright": ("", config.author),
        "epub_description": ("unknown", project.description or config.project),
        "epub_contributor": ("unknown", config.author),
        "epub_identifier": ("unknown", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'textbook:' + config.project)}"),
        "epub_scheme": ("unknown", "uuid"),
        "epub_basename": (make_filename(config.project), Path(config.latex_documents[0][1]).stem),
        "epub_use_index": (config.html_use_index, False),  # no index entries: an empty page helps no reader
        "epub_show_urls": ("inline", "no"),  # links stay links; a URL after each one breaks the prose
        "epub_cover": ((), (f"_static/{epub_cover.IMAGE}", epub_cover.PAGE_TEMPLATE)),
    }
    for name, (sphinx_default, value) in ours.items():
        if config[name] == sphinx_default:  # what conf.py sets wins
            config[name] = value


def drop_scoped_styles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``, EPUB only: pandas' ``<style scoped>`` (bare attribute, not XML) leaves
    the page; the table keeps its markup. At write time, so the shared doctrees keep it for HTML."""
    if app.builder.name != "epub":
        return
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "").split() and "<style scoped>" in raw.astext():
            text = _SCOPED_STYLE.sub("", raw.astext())
            raw.replace_self(nodes.raw("", text, format=raw["format"], classes=raw["classes"]))


def clean_svg(content: bytes) -> bytes:
    """An SVG as EPUB accepts it: no DOCTYPE, a ``d`` on every path."""
    return _PATH_WITHOUT_DATA.sub(b'<path d=""', _DOCTYPE.sub(b"", content, count=1))


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)  # zip dates start in 1980
    return time.gmtime(epoch)[:6]


def item_id(name: str) -> str:
    """A manifest item's XML id, made from its file name alone: the same in every build."""
    return "item-" + hashlib.sha256(name.encode()).hexdigest()[:16]


class TextbookEpubBuilder(Epub3Builder):
    """Sphinx's ``epub`` builder with the fixes above."""

    def init_highlighter(self) -> None:
        super().init_highlighter()
        if self.config.pygments_style is None:
            self.highlighter = PygmentsBridge("html", CODE_STYLE)

    def init_css_files(self) -> None:
        super().init_css_files()
        self.add_css_file(STYLESHEET)

    def add_css_file(self, filename: str, **kwargs) -> None:
        if not Path(filename).name.startswith("mystnb."):  # replaced by STYLESHEET
            super().add_css_file(filename, **kwargs)

    def make_id(self, name: str) -> str:
        return item_id(name)

    def get_refnodes(self, doctree: nodes.Node, result: list[dict]) -> list[dict]:
        """The table of contents' entries (for the nav and the NCX): a module's as "Module 4: title"."""
        result = super().get_refnodes(doctree, result)
        if isinstance(doctree, nodes.document):  # the outermost call, once the entries are collected
            words, numbers = Words.of(of_sphinx(self.config)), {d: m.number for d, m in modules(self.env).items()}
            for item in result:
                docname = Path(item["refuri"]).with_suffix("").as_posix()
                if "#" not in item["refuri"] and docname in numbers:
                    before, after = words.around("unit.heading", "title", number=numbers[docname])
                    item["text"] = html.escape(before) + item["text"] + html.escape(after)
        return result

    def toc_metadata(self, level: int, navpoints: list) -> dict:
        """The NCX's identifier is the book's (Sphinx gives the XML id ``epub_uid``, which EPUBCheck refuses)."""
        return {**super().toc_metadata(level, navpoints), "uid": self.config.epub_identifier}

    def copy_static_files(self) -> None:
        super().copy_static_files()
        static = Path(self.outdir) / "_static"
        for stylesheet in static.glob("mystnb.*.css"):
            stylesheet.unlink()
        (static / STYLESHEET).write_text(CELL_STYLE, encoding="utf-8")
        if self.config.epub_cover and self.config.epub_cover[0] == f"_static/{epub_cover.IMAGE}":
            project = of_sphinx(self.config)
            logo = Path(project.logo).name if project.logo else None  # in _static/ (web_theme.py)
            cover = epub_cover.cover_svg(self.config.epub_title, self.config.epub_author, logo)
            (static / epub_cover.IMAGE).write_text(cover, encoding="utf-8")

    def build_content(self) -> None:
        """Sphinx's ``content.opf``, with the properties EPUB 3 wants declared: the cover's image
        (``cover-image``; Sphinx names it only in EPUB 2's ``<meta name="cover">``) and each page
        that holds MathML (``mathml``)."""
        super().build_content()
        outdir = Path(self.outdir)
        properties = {name: "mathml" for name in self.files
                      if name.endswith(self.out_suffix) and _MATHML.search((outdir / name).read_text(encoding="utf-8"))}
        if self.config.epub_cover:
            properties[self.config.epub_cover[0]] = "cover-image"
        opf = outdir / "content.opf"
        text = opf.read_text(encoding="utf-8")
        for name, value in sorted(properties.items()):
            item = f'id="{self.make_id(name)}"'
            text = re.sub(f"(<item {item} [^>]*?)\\s*/>", f'\\1 properties="{value}"/>', text, count=1)
        opf.write_text(text, encoding="utf-8")

    def handle_finish(self) -> None:
        self._remove_stale_files()
        self._clean_svgs()
        super().handle_finish()

    def _remove_stale_files(self) -> None:
        """Pages of gone documents, images nothing uses (formulas drawn as SVG by older versions
        of the generator), books of another name, the copy of ``.buildinfo`` Sphinx keeps when the
        configuration changed: never packaged."""
        outdir = Path(self.outdir)
        (outdir / ".buildinfo.bak").unlink(missing_ok=True)
        for book in outdir.glob("*.epub"):  # written under another name before
            if book.name != f"{self.config.epub_basename}.epub":
                book.unlink()
        documents = set(self.env.all_docs) | GENERATED_PAGES
        for page in outdir.glob("**/*.xhtml"):
            if page.relative_to(outdir).with_suffix("").as_posix() not in documents:
                page.unlink()
        used = {unique for _docs, unique in self.env.images.values()}
        for image in (outdir / self.imagedir).glob("*"):
            if image.is_file() and image.name not in used:
                image.unlink()
        shutil.rmtree(outdir / self.imagedir / "math", ignore_errors=True)

    def _clean_svgs(self) -> None:
        for svg in (Path(self.outdir) / self.imagedir).glob("*.svg"):
            content = svg.read_bytes()
            cleaned = clean_svg(content)
            if cleaned != content:
                svg.write_bytes(cleaned)

    def build_epub(self) -> None:
        """As Sphinx writes it (``mimetype`` first, stored), with fixed dates and permissions."""
        logger.info("writing %s.epub file...", self.config.epub_basename)
        outdir = Path(self.outdir)
        names = ["mimetype", "META-INF/container.xml", "content.opf", "toc.ncx", *self.files]
        with ZipFile(outdir / f"{self.config.epub_basename}.epub", "w") as epub:
            for name in names:
                entry = ZipInfo(name, date_time=_zip_time())
                entry.external_attr = 0o644 << 16
                entry.compress_type = ZIP_STORED if name == "mimetype" else ZIP_DEFLATED
                epub.writestr(entry, (outdir / name).read_bytes())
