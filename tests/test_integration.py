"""One build of every edition of the real book, and what a reader gets from it.

This runs ``textbook build all`` exactly as ``make book`` does, in the project
root, so it shares the notebook cache and figures with the author's builds.
"""

import base64
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from textbook.core.config import ProjectConfig
from textbook.sphinx_ext.reproducible import source_date_epoch
from textbook.sphinx_ext.term_index import duplicate_terms, line_count

from tests.sphinx_ext.test_reproducible import different_files, how_they_differ
from tests.sphinx_ext.test_runnable_download import assert_plain_markdown, execute_download

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))

pytestmark = pytest.mark.integration


def _title(chapter: Path) -> str:
    return next(line[2:].strip() for line in chapter.read_text().splitlines() if line.startswith("# "))


def _figures(chapter: Path) -> list[str]:
    return re.findall(r"^```\{script-figure\} (\S+)", chapter.read_text(), flags=re.M)


def _cell_figures(chapter: Path) -> int:
    """Code cells whose plot is a numbered figure (MyST-NB ``figure: caption:`` metadata)."""
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n---\n(.*?)^---$", chapter.read_text(), flags=re.M | re.S)
    return sum(1 for meta in cells if re.search(r"^\s+figure:\s*$", meta, re.M) and "caption:" in meta)


def _code_cells(chapter: Path) -> int:
    return len(re.findall(r"^```\{code-cell\}", chapter.read_text(), flags=re.M))


#: Both builds of the reproducibility test stamp the same date.
EPOCH = source_date_epoch(ROOT)


def _build_all(root: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "textbook.cli", "build", "all"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


@pytest.fixture(scope="module")
def built() -> str:
    result = _build_all()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    return output


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(), "html.parser")


def test_there_are_chapters():
    assert CHAPTERS, "book/ has no NN-slug.md chapters"


def test_the_build_printed_no_warnings(built):
    assert not re.search(r": (WARNING|ERROR|CRITICAL):", built), built
    assert "Build summary" in built


def test_html_chapters_have_executed_outputs_and_figures(built):
    for chapter in CHAPTERS:
        page = _soup(BUILD / "html" / f"{chapter.stem}.html")
        cells = page.select("div.cell")
        assert len(cells) == _code_cells(chapter), chapter.name
        if cells:
            assert page.select("div.cell_output"), f"{chapter.name}: no executed output"
        images = {Path(img["src"]).name for img in page.select("img")}
        for figure in _figures(chapter):
            assert f"{figure}.svg" in images, f"{chapter.name}: figure {figure} missing"
        assert page.select_one("h1 .section-number").get_text(strip=True) == f"{int(chapter.stem[:2])}."


def test_html_links_images_and_anchors_resolve(built):
    html = BUILD / "html"
    ids_of: dict[Path, set[str]] = {}  # each target page parsed once, not once per link to it
    for page_path in html.glob("*.html"):
        page = _soup(page_path)
        for img in page.select("img[src]"):
            if img["src"].startswith("data:image/svg+xml;base64,"):  # math, drawn at build time
                svg = base64.b64decode(img["src"].split(",", 1)[1])
                assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg, f"{page_path.name}: bad math image"
                continue
            assert (page_path.parent / unquote(img["src"])).is_file(), f"{page_path.name}: {img['src']}"
            assert img.get("alt"), f"{page_path.name}: image {img['src']} has no alt text"
        for link in page.select("a[href]"):
            href = urlsplit(link["href"])
            if href.scheme or href.netloc or not (href.path or href.fragment):
                continue
            target = (page_path.parent / unquote(href.path)) if href.path else page_path
            assert target.exists(), f"{page_path.name}: dead link {link['href']}"
            if href.fragment and target.suffix == ".html":
                if target not in ids_of:
                    ids_of[target] = {tag["id"] for tag in _soup(target).select("[id]")}
                assert href.fragment in ids_of[target], f"{page_path.name}: missing anchor {link['href']}"


def test_html_search_and_notebook_downloads(built):
    html = BUILD / "html"
    assert _soup(html / "index.html").select_one("form[action*=search] input[name=q]")
    assert "lifecycl" in (html / "searchindex.js").read_text().lower()
    for chapter in CHAPTERS:
        notebook = html / "_sources" / f"{chapter.stem}.ipynb"
        assert notebook.is_file(), notebook
        code = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
        assert len(code) == _code_cells(chapter)
        if code:
            assert any(cell["outputs"] for cell in code), f"{notebook.name} has no outputs"
        page = (html / f"{chapter.stem}.html").read_text()
        assert f'_sources/{chapter.stem}.ipynb"' in page


def test_the_runnable_downloads_run_in_an_empty_folder(built, tmp_path):
    """Modules 04 and 09 (the service, and monitoring), unzipped alone and run as plain Jupyter would."""
    for stem in ("04-serving-with-fastapi", "09-monitoring"):
        notebook = execute_download(BUILD / "html" / "_sources" / f"{stem}.zip", tmp_path / stem)
        assert_plain_markdown(notebook)
        for figure in _figures(ROOT / "book" / f"{stem}.md"):
            assert f"attachment:{figure}.svg" in "".join(c.source for c in notebook.cells), figure


def test_pdf_book_has_every_chapter_and_figure(built):
    pdf = BUILD / "pdf" / "mlops-book.pdf"
    reader = PdfReader(pdf)
    text = _pdf_text(pdf)
    squashed = " ".join(text.split()).lower()
    for chapter in CHAPTERS:
        assert " ".join(_title(chapter).split()).lower() in squashed, f"{chapter.name} title missing from PDF"
    figure_count = sum(len(_figures(c)) + _cell_figures(c) for c in CHAPTERS)
    assert len(re.findall(r"Figure \d+\.\d+:", text)) == figure_count
    forms = 0
    for page in reader.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        forms += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Form")
    scripts = sum(len(_figures(c)) for c in CHAPTERS)
    assert forms >= scripts, "vector figures should be embedded as PDF forms"


def _printed_index_pages() -> list[list[str]]:
    """The page numbers of each line of the PDF book's printed index."""
    pages = [page.extract_text() for page in PdfReader(BUILD / "pdf" / "mlops-book.pdf").pages]
    first = max(number for number, text in enumerate(pages) if text.lstrip().startswith("Index\n"))
    lines = "\n".join(pages[first:]).splitlines()[1:]
    return [re.findall(r"\b\d+\b", line) for line in lines if re.search(r", \d", line)]


def test_the_index_has_every_term_once_and_no_page_twice(built):
    """At least 200 lines (terms and sub-entries), each term in one spelling, and no page twice in
    one line of the printed index ("269, 269")."""
    environment = pickle.loads((BUILD / ".work" / "doctrees" / "environment.pickle").read_bytes())
    entries = environment.domaindata["index"]["entries"]
    assert duplicate_terms(entries) == []
    assert line_count(entries) >= 200
    printed = _printed_index_pages()
    assert len(printed) >= 150
    repeated = [pages for pages in printed if len(pages) != len(set(pages))]
    assert not repeated, repeated


def test_every_module_has_a_standalone_handout(built):
    for chapter in CHAPTERS:
        handout = BUILD / "pdf" / "handouts" / f"{chapter.stem}.pdf"
        text = " ".join(_pdf_text(handout).split())
        number = int(chapter.stem[:2])
        assert f"Handout: Module {number} — " in text
        for label in ("Module at a glance", "Difficulty", "Estimated time", "Prerequisites"):
            assert label in text, f"{handout.name}: no {label}"
        assert f"{number}.1 " in text, f"{handout.name}: sections should be numbered {number}.n"


def test_handouts_number_figures_and_tables_as_the_book_does(built):
    captions = re.compile(r"^\s*((?:Figure|Table) \d+\.\d+):", flags=re.M)
    book = captions.findall(_pdf_text(BUILD / "pdf" / "mlops-book.pdf"))
    handouts = [
        label
        for chapter in CHAPTERS
        for label in captions.findall(_pdf_text(BUILD / "pdf" / "handouts" / f"{chapter.stem}.pdf"))
    ]
    # The same numbers; print may place a table and a figure of one chapter in another order.
    assert sorted(handouts) == sorted(book)
    assert len(set(book)) == len(book), "every float has its own number"


def test_a_second_build_does_nothing(built):
    again = _build_all()
    assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    assert "nothing changed since the last build" in again.stdout


def test_a_forced_second_build_executes_and_draws_nothing(built):
    again = subprocess.run(
        [sys.executable, "-m", "textbook.cli", "build", "all", "--force"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    output = again.stdout + again.stderr
    assert again.returncode == 0, output[-3000:]
    assert "Executing notebook" not in output and "ahead of reading" not in output
    assert "figures: 0 drawn" in output


def _exercise_headings(text: str) -> list[str]:
    return re.findall(r"Exercise (\d+\.\d+): ", " ".join(text.split()))


def test_exercise_numbers_agree_in_every_edition(built):
    html = [
        n
        for chapter in CHAPTERS
        for n in _exercise_headings(_soup(BUILD / "html" / f"{chapter.stem}.html").get_text(" "))
    ]
    handouts = [n for c in CHAPTERS for n in _exercise_headings(_pdf_text(BUILD / "pdf" / "handouts" / f"{c.stem}.pdf"))]
    editions = {
        "html": html,
        "pdf": _exercise_headings(_pdf_text(BUILD / "pdf" / "mlops-book.pdf")),
        "handouts": handouts,
        "workbook": _exercise_headings(_pdf_text(BUILD / "pdf" / "workbook.pdf")),
        "key": _exercise_headings(_pdf_text(BUILD / "pdf" / "answer-key.pdf")),
    }
    bank = sorted(ROOT.glob("exercises/*/*.md"))
    assert len(editions["html"]) == len(bank)
    for edition, numbers in editions.items():
        assert numbers == editions["html"], edition


def test_the_key_has_solutions_and_the_site_has_no_key(built):
    key = " ".join(_pdf_text(BUILD / "pdf" / "answer-key.pdf").split())
    assert key.count("Solution") >= len(list(ROOT.glob("exercises/*/*.md")))
    assert "Points:" in key and "Grading notes" in key
    site = [p for p in (BUILD / "html").rglob("*") if p.is_file()]
    assert not [p for p in site if "answer-key" in p.name or p.parent.name == "keys"], "no key, in no form"
    # The workbook is a student edition the home page offers as its PDF; never as a page of the site.
    assert [p.relative_to(BUILD / "html").as_posix() for p in site if "workbook" in p.name] == ["downloads/workbook.pdf"]
    assert (BUILD / "html" / "downloads" / "workbook.pdf").read_bytes() == (BUILD / "pdf" / "workbook.pdf").read_bytes()


def test_every_module_has_its_own_key_with_the_notice_on_every_page(built):
    keys = BUILD / "pdf" / "keys"
    assert sorted(p.name for p in keys.glob("*.pdf")) == [f"{chapter.stem}.pdf" for chapter in CHAPTERS]
    for key in [BUILD / "pdf" / "answer-key.pdf", *sorted(keys.glob("*.pdf"))]:
        pages = len(PdfReader(key).pages)
        for page in range(1, pages + 1):
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(key), "-"],
                                  capture_output=True, text=True, check=True).stdout
            assert "Instructor edition: do not distribute" in " ".join(text.split()), f"{key.name}, page {page}"
    for chapter in CHAPTERS:
        numbers = _exercise_headings(_pdf_text(keys / f"{chapter.stem}.pdf"))
        assert numbers and {n.split(".")[0] for n in numbers} == {str(int(chapter.stem[:2]))}, chapter.stem


def test_every_formula_is_rendered_in_every_edition(built):
    """As many formulas in the HTML (MathML), the EPUB (MathML) and print (Typst math, each with its
    source as alt text) as the chapters hold, as Sphinx read them: none dropped, none left as source,
    none written twice."""
    import pickle
    from zipfile import ZipFile

    from docutils import nodes

    def formulas(node) -> int:
        return sum(1 for _ in node.findall(lambda n: isinstance(n, (nodes.math, nodes.math_block))))

    sources = sum(formulas(pickle.loads(path.read_bytes())) for path in (BUILD / ".work" / "doctrees").rglob("*.doctree"))
    mathml = re.compile(r'<math xmlns="http://www\.w3\.org/1998/Math/MathML"')
    pages = [p for p in (BUILD / "html").rglob("*.html") if "_static" not in p.parts]
    html = sum(len(mathml.findall(page.read_text())) for page in pages)
    with ZipFile(BUILD / "epub" / "mlops-book.epub") as book:
        epub = sum(len(mathml.findall(book.read(n).decode())) for n in book.namelist() if n.endswith(".xhtml"))
    typ = (BUILD / ".work" / "typst" / "mlops-book.typ").read_text()  # the print book, as compiled
    printed = typ.count("#math.equation(")
    assert sources > 0
    assert {"html": html, "epub": epub, "print": printed} == {"html": sources, "epub": sources, "print": sources}


def test_the_leak_scan_ran_and_found_nothing(built):
    assert re.search(r"leak scan: \d+ student files, \d+ exercises, [1-9]\d* solution markers, no solution text found", built)


def test_every_page_passes_the_browser_gate(built):
    from textbook.gates.web_checks import check_site

    report = check_site(BUILD / "html", search_term="drift")
    assert report.problems == [], "\n".join(report.problems)
    assert report.images >= sum(len(_figures(c)) for c in CHAPTERS)
    assert report.search_hits >= 1


def test_a_second_clean_build_is_byte_identical(built, tmp_path):
    """Same sources, same executed notebooks (the cache is the record of execution), fresh output."""
    copy = tmp_path / "book"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", "*.egg-info"))
    shutil.copytree(BUILD / ".jupyter_cache", copy / "_build" / ".jupyter_cache")
    result = _build_all(copy)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert "Executing notebook" not in result.stdout + result.stderr
    differing = different_files(BUILD, copy / "_build")
    assert differing == [], how_they_differ(BUILD, copy / "_build", differing)


def test_the_epub_has_every_chapter_and_figure_and_passes_epubcheck(built):
    from zipfile import ZipFile

    from textbook.gates.epub_checks import check_epub

    epub = BUILD / "epub" / "mlops-book.epub"
    report = check_epub(epub, ROOT / "book", ROOT)
    assert report.problems == [], "\n".join(report.problems)
    with ZipFile(epub) as book:
        names = set(book.namelist())
        navigation = book.read("nav.xhtml").decode()
        for chapter in CHAPTERS:
            page = book.read(f"{chapter.stem}.xhtml").decode()
            assert f'href="{chapter.stem}.xhtml"' in navigation, f"{chapter.name} not in the table of contents"
            text = " ".join(BeautifulSoup(page, "html.parser").get_text().split()).lower()
            assert " ".join(_title(chapter).split()).lower() in text, f"{chapter.name} title missing from the EPUB"
            if _code_cells(chapter):
                assert 'class="cell_output' in page, f"{chapter.name}: no executed output in the EPUB"
            for figure in _figures(chapter):
                assert f'src="_images/{figure}.svg"' in page and f"_images/{figure}.svg" in names, figure
    assert not [name for name in names if name.endswith(".ipynb")], "downloads are HTML-only"
