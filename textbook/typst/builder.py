"""``-b typst``: the book and the handouts as Typst documents, compiled to tagged PDFs (PDF/UA-1) without TeX.

It reads the same doctrees as every other edition (chapters executed once),
assembles the book as Sphinx's LaTeX builder does (the root document with every
toctree inlined, references resolved to this one document) and each module
alone as its handout, writes ``<name>.typ`` beside the template
``textbook.typ`` and the images, and
compiles them with the Typst compiler the ``typst`` wheel carries: no
system package, no network (no Typst package is fetched). The documents are
Sphinx's ``latex_documents`` (its list of printed documents: root, file name,
title, author, theme), each printed as its file name's stem with ``.pdf``;
a handout's is ``handout-<docname>.pdf``.

A node the translator cannot print, a formula it cannot write, an image
without alt text, or a Typst error stops the build with every place named.

With ``textbook_print_later``, the compiler runs in a thread of its own after
the builder finishes (``Printing``): it leaves Python's lock while it works, so
a pipeline builds the other editions meanwhile and waits for the PDFs later.
Where the project has a build server (``core.build_server``), the compiler
runs there and keeps each document's layout: after an edit, it lays out again
what changed (under a second for the book, against four from nothing).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.builders import Builder
from sphinx.errors import SphinxError
from sphinx.util import logging
from docutils.utils import new_document

from textbook.core import build_server
from textbook.core.config import of_sphinx
from textbook.core.messages import Words
from textbook.exercises import INSTRUCTOR_THEME
from textbook.sphinx_ext.module_overview import modules
from textbook.typst import markup
from textbook.typst.kept_heights import OPENING_LINES, KeptHeights, given_file
from textbook.typst.translator import SOURCE_MARK, Printed, TypstTranslator, printed_again

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).parent / "templates" / "textbook.typ"
#: A handout's PDF is this and its module's docname.
HANDOUT_PREFIX = "handout-"
#: The key of each document of one source when its text was last written (``TypstBuilder._key``),
#: and what each larger document's chapters printed, with their keys (``TypstBuilder._kept``).
KEPT = ".kept.json"


class TypstBuildError(SphinxError):
    """Print failed; ``problems`` names each cause, ``file:line: message`` where the source is known."""

    category = "Typst engine"

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems

    def __reduce__(self):  # raised in the build server, raised again in the build (core.build_server)
        return type(self), (self.args[0], self.problems)


#: The place of an error in a Typst diagnostic: ``┌─ <path>:<line>:<column>``.
_DIAGNOSTIC_PLACE = re.compile(r"┌─ (\S+?):(\d+):\d+")


def _chapter_place(source: Path, diagnostic: str) -> str | None:
    """The chapter's ``file:line`` that the Typst source line of an error was written from."""
    place = _DIAGNOSTIC_PLACE.search(diagnostic or "")
    if place is None or not place.group(1).endswith(source.name):
        return None
    before = source.read_text(encoding="utf-8").splitlines()[: int(place.group(2))]
    marks = SOURCE_MARK.findall("\n".join(before))
    return marks[-1] if marks else None


@dataclass(frozen=True)
class Document:
    """One PDF: its root document, file name, title and author, how it is laid out; a handout's own title."""

    root: str
    name: str
    title: str
    author: str
    toctree_only: bool = False
    kind: str = "book"  # the template's function: "book", "document" (workbook, key), "handout"
    notice: str | None = None  # on every page: the instructor editions'
    handout_of: str | None = None


class TypstBuilder(Builder):
    name = "typst"
    format = "typst"
    epilog = "The PDF is in %(outdir)s."
    supported_image_types = ["image/svg+xml", "image/png", "image/jpeg"]
    supported_remote_images = False
    default_translator_class = TypstTranslator

    def init(self) -> None:
        self.docnames: set[str] = set()

    def get_outdated_docs(self) -> str:
        return "all documents"

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return "%" + docname  # a document not in this PDF is printed as text (TypstTranslator.visit_reference)

    def get_relative_uri(self, from_: str, to: str, typ: str | None = None) -> str:
        return self.get_target_uri(to, typ)

    def prepare_writing(self, docnames) -> None:
        pass

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        pass  # the whole book is written at once: write_documents

    def documents(self) -> list[Document]:
        """Every entry of ``latex_documents`` (the book; or the workbook and the keys, whose
        instructor theme puts the notice on every page), and one handout per module."""
        words = Words.of(of_sphinx(self.config))
        found = []
        for root, target, title, author, theme, *rest in self.config.latex_documents:
            notice = words("instructor.notice") if theme == INSTRUCTOR_THEME else None
            found.append(Document(root, Path(target).stem, title, author, toctree_only=rest[:1] == [True],
                                  kind="book" if theme == "manual" else "document", notice=notice))
        found += [
            Document(docname, HANDOUT_PREFIX + docname, found[0].title, found[0].author, kind="handout",
                     handout_of=words("handout.title", number=info.number, title=self.env.titles[docname].astext()))
            for docname, info in modules(self.env).items()
        ]
        return found

    def write_documents(self, docnames) -> None:
        """Every document's Typst source; only those whose source changed are compiled again
        (``finish``). Nothing is written when one holds what cannot be printed.

        What does not change is not printed again: a document of one source (a handout, a module's
        key) whose source and all it shows of others are unchanged keeps its text, and a chapter of
        a larger document likewise keeps what it wrote (``assemble``); a prose edit reads and
        prints one chapter, not the book."""
        sources: dict[Path, str] = {}
        unknown: list[str] = []
        kept = self._kept()
        shared = self._shared_state()
        keeping: dict = {"documents": {}, "chapters": {}}
        for document in self.documents():
            path = self.outdir / f"{document.name}.typ"
            alone = not self._included(document.root)
            if alone:
                key = self._key(document.root, shared)
                before = kept["documents"].get(document.name, {})
                if before.get("key") == key and path.is_file():
                    body = path.read_text(encoding="utf-8").split("\n", OPENING_LINES)[OPENING_LINES]  # after the opening
                    sources[path] = self.opening(document) + body
                    self.images.update(before["images"])
                    keeping["documents"][document.name] = before
                    continue
            chapters = self._chapter_keys(document, shared)
            before = kept["chapters"].get(document.name, {})
            again = {docname: before[docname] for docname, key in chapters.items()
                     if before.get(docname, {}).get("key") == key}
            doctree = self.assemble(document, {docname: Printed(k["text"], k["indexed"]) for docname, k in again.items()})
            self.post_process_images(doctree)
            for found in again.values():
                self.images.update(found["images"])
            translator = TypstTranslator(doctree, self)
            doctree.walkabout(translator)
            unknown += [f"{document.name}: {place}" for place in translator.unknown]
            sources[path] = self.opening(document) + translator.astext()
            if alone:
                keeping["documents"][document.name] = {"key": key, "images": self._images_of(doctree)}
            keeping["chapters"][document.name] = {
                docname: again.get(docname) or {"key": chapters[docname], "text": printed.text, "indexed": printed.indexed,
                                                "images": self._images_of(doctree, docname)}
                for docname, printed in translator.printed.items() if docname in chapters}
        if unknown:
            raise TypstBuildError("print cannot show these; nothing was written:\n  "
                                  + "\n  ".join(unknown), unknown)
        for old in [*self.outdir.glob("*.typ"), *self.outdir.glob("*.pdf")]:
            if old.with_suffix(".typ") not in sources and old.name != TEMPLATE.name:
                old.unlink()  # a module gone leaves no handout behind
        (self.outdir / KEPT).write_text(json.dumps(keeping), encoding="utf-8")
        self.to_compile = []
        for path, text in sources.items():
            if not (path.is_file() and path.read_text(encoding="utf-8") == text and path.with_suffix(".pdf").is_file()):
                path.write_text(text, encoding="utf-8")
                self.to_compile.append(path)

    def _kept(self) -> dict:
        """What ``write_documents`` kept last time: documents of one source, documents' chapters."""
        try:
            kept = json.loads((self.outdir / KEPT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        return {"documents": kept.get("documents", {}), "chapters": kept.get("chapters", {})}

    def _chapter_keys(self, document: Document, shared: bytes) -> dict[str, str]:
        """The key of each chapter of ``document`` that may be printed as it was: one that includes
        no other document (its doctree and what it shows of others say all it prints)."""
        included = self._included(document.root)
        root = Path(self.env.doctreedir, f"{document.root}.doctree").read_bytes()  # where each chapter stands
        context = json.dumps([document.name, sorted(included)]).encode() + root
        return {docname: self._key(docname, shared + context) for docname in included
                if not self.env.toctree_includes.get(docname)}

    def _included(self, docname: str) -> list[str]:
        """The documents ``docname``'s toctrees include, and theirs, in order."""
        found: list[str] = []
        for child in self.env.toctree_includes.get(docname, []):
            if child not in found:
                found += [child, *(d for d in self._included(child) if d not in found)]
        return found

    def _images_of(self, doctree: nodes.document, docname: str | None = None) -> dict[str, str]:
        """The images (source: name, as ``self.images``) ``doctree`` shows, or its chapter ``docname``."""
        parts = [doctree] if docname is None else \
            [chapter for chapter in doctree.findall(addnodes.start_of_file) if chapter["docname"] == docname]
        return {image["uri"]: self.images[image["uri"]]
                for part in parts for image in part.findall(nodes.image) if image["uri"] in self.images}

    def _shared_state(self) -> bytes:
        """What a handout's or a chapter's text may take from other documents (the numbers of
        sections, figures and tables, documents' titles, every label's section name), from the
        settings (the course's words, the names of numbered things) and from the translator's code."""
        domain = self.env.domains.standard_domain
        shared = (self.env.toc_secnumbers, self.env.toc_fignumbers,
                  {docname: title.astext() for docname, title in self.env.titles.items()},
                  domain.labels, domain.anonlabels,
                  repr(of_sphinx(self.config)), self.config.language, self.config.numfig_format)
        code = b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))
        return json.dumps(shared, sort_keys=True, default=str).encode() + code  # dicts in any order

    def _key(self, docname: str, shared: bytes) -> str:
        """A handout's source, or a chapter's text in a document, is written again only when this
        changes: the document's doctree, or what it shows of other documents. Assembling one costs
        about a second, and a prose edit changes one module."""
        doctree = Path(self.env.doctreedir, f"{docname}.doctree").read_bytes()
        return hashlib.sha256(doctree + shared).hexdigest()

    def assemble(self, document: Document, again: dict[str, Printed] | None = None) -> nodes.document:
        """The document's root with every toctree inlined (only its toctrees with ``toctree_only``:
        the title page gives its title), as Sphinx's LaTeX builder does; references to documents not in
        it are printed as their text, numbered as everywhere ("Figure 0.1"). A chapter in ``again`` is
        not read: it is printed as it was."""
        root = document.root
        self.docnames = {root, *self._included(root)}
        tree = self.env.get_doctree(root)
        if document.toctree_only:
            tree = new_document(tree["source"], tree.settings)
            tree.extend(self.env.get_doctree(root).findall(addnodes.toctree))
        tree["docname"] = root
        largetree = self._inline(tree, [root], again or {})
        largetree["docname"] = root
        self.env.resolve_references(largetree, root, self)
        for pending in list(largetree.findall(addnodes.pending_xref)):
            pending.replace_self(pending.children or nodes.Text(pending.get("reftarget", "")))
        return largetree

    def _inline(self, tree: nodes.document, traversed: list[str], again: dict[str, Printed]) -> nodes.document:
        """``sphinx.util.nodes.inline_all_toctrees``, except that a chapter in ``again`` is not read."""
        tree = tree.deepcopy()
        for toctree in list(tree.findall(addnodes.toctree)):
            inlined = []
            for docname in map(str, toctree["includefiles"]):
                if docname in traversed:
                    continue
                traversed.append(docname)
                logger.info(" " + docname)
                chapter = addnodes.start_of_file(docname=docname)
                if docname in again:
                    chapter += printed_again(printed=again[docname])
                else:
                    chapter.children = self._inline(self.env.get_doctree(docname), traversed, again).children
                    for section in chapter.findall(nodes.section):
                        section.setdefault("docname", docname)
                inlined.append(chapter)
            toctree.parent.replace(toctree, inlined)
        return tree

    def opening(self, document: Document) -> str:
        project = of_sphinx(self.config)
        words = Words.of(project)
        edition = document.handout_of or (words("print.book_edition") if document.kind == "book" else document.title)
        settings = {
            "title": markup.string(document.title),
            "author": markup.string(document.author),
            "subject": markup.string(words("print.pdf_subject", book=self.config.project, edition=edition)),
            "language": markup.string((self.config.language or "en").split("_")[0]),
            "paper": markup.string("us-letter" if project.paper == "letter" else "a4"),
            "licence": markup.string(project.licence) if project.licence else "none",
        }
        if document.kind == "book":
            settings |= {"contents-title": markup.string(words("print.contents"))}
            if self.config.release:
                settings |= {"release": markup.string(words("print.release", release=self.config.release))}
            if self.config.copyright:
                settings |= {"copyright": markup.string(f"© {self.config.copyright}")}
        if document.handout_of:
            settings |= {"handout": markup.string(document.handout_of)}
        if document.notice:
            settings |= {"notice": markup.string(document.notice)}
        arguments = ", ".join(f"{name}: {value}" for name, value in settings.items())
        heights = markup.string(given_file(self.outdir / f"{document.name}.typ"))  # see kept_heights.py
        return (f'#import "textbook.typ": *\n#show: {document.kind}.with({arguments})\n'
                f"#let keep = keep.with(known: json({heights}))\n")

    def finish(self) -> None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH")  # the last commit's date, as every edition (reproducible.py)
        inputs = self._shared_inputs(epoch)
        stamp_file = self.outdir / ".shared-inputs"
        if not stamp_file.is_file() or stamp_file.read_text() != inputs:  # the template, an image, the date
            stamp_file.unlink(missing_ok=True)
            self.to_compile = sorted(p for p in self.outdir.glob("*.typ") if p.name != TEMPLATE.name)
        self.printing = Printing(Path(self.confdir), self.outdir, self.to_compile, int(epoch) if epoch else None,
                                 (stamp_file, inputs))
        if not self.config.textbook_print_later:
            self.printing.wait()

    def _shared_inputs(self, epoch: str | None) -> str:
        """What every document's PDF is made of besides its own source, copied beside the sources:
        the template and the images; their digest, with the date the PDFs carry."""
        shutil.copyfile(TEMPLATE, self.outdir / TEMPLATE.name)
        images = self.outdir / "images"
        images.mkdir(exist_ok=True)
        digest = hashlib.sha256(TEMPLATE.read_bytes() + str(epoch).encode())
        for source, name in sorted(self.images.items()):
            shutil.copyfile(self.srcdir / source, images / Path(name).name)
            digest.update(name.encode() + (images / Path(name).name).read_bytes())
        return digest.hexdigest()


class Printing:
    """The compiler over ``sources`` (each ``.typ`` to its ``.pdf``, ``print_documents``) in a thread
    of its own, handing the work to the build server of ``project`` (``core.build_server``) when
    there is one. ``wait`` returns when every PDF is printed, or raises the first error."""

    def __init__(self, project: Path, outdir: Path, sources: list[Path], timestamp: int | None,
                 stamp: tuple[Path, str]):  # fmt: skip
        self.outdir, self.sources = outdir, sources
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst")
        self._done: Future = worker.submit(build_server.call, project, "textbook.typst.builder:print_documents",
                                           outdir, sources, timestamp, stamp)  # fmt: skip
        worker.shutdown(wait=False)

    def wait(self) -> None:
        self._done.result()


#: In a build server, each document's compiler, kept: it parses again only the part of a source
#: that changed, so what did not change keeps its identity and its layout (a fresh parse numbers
#: every element anew once one is added, and Typst then lays out the whole book again).
_COMPILERS: dict[Path, object] = {}
#: Documents are printed one at a time: two at once only share the same two cores.
_ONE_AT_A_TIME = threading.Lock()


def print_documents(outdir: Path, sources: list[Path], timestamp: int | None, stamp: tuple[Path, str]) -> None:
    """Compile each of ``sources`` to its PDF, giving and learning its units' heights (``KeptHeights``);
    write the ``stamp`` (file, text) when every PDF is. The first error is raised as ``TypstBuildError``,
    naming the chapter's line where it can."""
    import typst  # the compiler, loaded only when a PDF is made

    with _ONE_AT_A_TIME:
        heights = KeptHeights(outdir, stamp[1])
        for source in sources:
            pdf = source.with_suffix(".pdf")
            measuring = heights.give(source)
            try:
                compiler = _COMPILERS.get(source) or typst.Compiler(source, root=outdir, ignore_system_fonts=True)
                if build_server.serving():
                    _COMPILERS[source] = compiler
                compiler.compile(output=pdf, pdf_standards=["ua-1"], timestamp=timestamp)
                if measuring:  # the layout is kept in memory: the query takes hundredths of a second
                    heights.learn(source, compiler.query("<keep-measured>", field="value"))
            except typst.TypstError as error:
                pdf.unlink(missing_ok=True)
                details = "\n  ".join([error.diagnostic or "", *(error.hints or [])]).strip()
                where = _chapter_place(source, error.diagnostic) or source.name
                raise TypstBuildError(f"{where}: {error.message}\n  {details}",
                                      [f"{where}: {error.message} (printing {pdf.name})"]) from None
        heights.save()
        stamp[0].write_text(stamp[1])


def setup(app):
    """Sphinx's entry point for ``-b typst`` (pyproject.toml: ``sphinx.builders``)."""
    app.add_builder(TypstBuilder)
    app.add_config_value("textbook_print_later", False, "", types=[bool])  # see Printing
    return {"parallel_read_safe": True, "parallel_write_safe": True}
