"""The page-layout gate: each fault planted in a tiny PDF is caught, named with its page; a clean PDF passes."""

import pickle
import subprocess
from pathlib import Path

import pytest

from textbook.core.messages import Words
from textbook.exercises.answer_space import asked_room
from textbook.gates import page_layout

#: The print template's page (``typst/templates/textbook.typ``), whose margins the gate knows.
PAGE = 'paper: "a4", margin: (inside: 2.5cm, outside: 2cm, y: 2.5cm), numbering: "1"'

#: The template's page and type, a running head on every page; filler text; numbered sections,
#: which Typst writes into the PDF outline.
PREAMBLE = f"""#set page({PAGE}, header: text(size: 8pt)[A running head])
#set text(size: 10pt)
#set heading(numbering: "1")
#let filler(n) = for _ in range(n) [Some words of body text to fill the page. ]
"""

#: Text to fill five lines, a tenth of a page.
PARAGRAPH = "#filler(12)\n\n"

#: A ruled answer line, as the template's answer space draws it.
ANSWER_LINE = "#block(height: 20pt, above: 0pt, below: 0pt, align(bottom, line(length: 100%, stroke: 0.3pt)))\n"

#: A table that cannot break, taller than what is left of a page under it.
TABLE = "#block(breakable: false, table(columns: (5cm, 5cm), " + "[#filler(2)], [Cell], " * 6 + "))\n\n"

#: A framed code box.
CODE_BOX = "#block(width: 100%, inset: 4pt, stroke: 0.4pt)[#raw(block: true, LINES)]\n\n"


def _pdf(folder: Path, name: str, body: str) -> Path:
    """``body`` typeset by Typst, beside the print template (which a kept unit imports) and a picture."""
    import typst
    from PIL import Image

    from textbook.typst.builder import TEMPLATE

    (folder / TEMPLATE.name).write_bytes(TEMPLATE.read_bytes())
    Image.new("L", (40, 30), 128).save(folder / "picture.png")
    source = folder / f"{name}.typ"
    source.write_text(PREAMBLE + body)
    typst.compile(source, output=folder / f"{name}.pdf", root=folder)
    return folder / f"{name}.pdf"


#: A heading pushed to the foot of page 1 by space, with its table (unbreakable) on page 2:
#: Typst keeps a heading with one line, not with the block after it.
#: An exercise's title and prompt higher up, its table on the next page, the
#: rest of the page empty: stranded too.
STRANDED = (
    "= A section with its body\n" + PARAGRAPH + "#v(74%)\n= A stranded section\n"
    "One line under the heading, then a table too tall for what is left of the page.\n\n" + TABLE + PARAGRAPH
)

STRANDED_EXERCISE = "= Exercises\n" + PARAGRAPH + "#v(55%)\n*Exercise 0.2: Complete the comparison*\n\n" + TABLE

#: Page 2 holds nothing but ruled answer lines.
LONE_ANSWER_LINES = "= Exercises\n" + PARAGRAPH + "*Exercise 0.1: Write it down*\n\n#pagebreak()\n" + ANSWER_LINE * 12

#: A figure at the foot of page 1, its caption at the top of page 2.
FIGURE = "#rect(width: 6cm, height: 4cm, fill: black)\n\n"
CAPTION_APART = (
    "= Figures\n" + PARAGRAPH + "#v(30%)\n" + FIGURE + "#pagebreak()\nFigure 1.1: The figure on the page before.\n\n"
    + PARAGRAPH
)

#: The same elements laid out well: headings with their bodies, lines under their
#: exercise, a caption under its figure.
CLEAN = (
    "= A section\n" + PARAGRAPH + FIGURE + "Figure 1.1: The figure above.\n\n= Exercises\n"
    "*Exercise 0.1: Write it down*\n\n" + ANSWER_LINE * 6 + PARAGRAPH
    + "#pagebreak()\n= Another section\n" + PARAGRAPH * 2
)


#: An exercise taller than a page (title, a line of prompt, a code box that cannot break,
#: more prompt) met low on a page (under a drawing that fills it down to there): unkept, its
#: title and first line end the page.
TALL_EXERCISE = (
    "*Exercise 4.7: Write an endpoint and its test*\n\nOne line of prompt, then starter code.\n\n"
    "#rect(width: 100%, height: 55%, fill: black)\n\n"
)
TALL_UNIT = (
    "= Exercises\n" + PARAGRAPH + "#rect(width: 1pt, height: 45%, fill: black)\n\n" + TALL_EXERCISE + PARAGRAPH * 3
)


#: A short exercise, whole at the foot of a page, the next one on the next page, in a
#: document whose running heads are on two pages of six (the rest: title, contents, blanks).
PLAIN_PAGE = "#page(header: none, numbering: none)"
SHORT_AT_FOOT = (
    PLAIN_PAGE + "[#v(5cm)\nA title page\n\nIts author]\n" + PLAIN_PAGE + "[]\n"
    + PLAIN_PAGE + "[Contents\n\n1 Exercises #h(1fr) 5]\n" + PLAIN_PAGE + "[]\n"
    "= Exercises\n" + PARAGRAPH + "#v(70%)\n*Exercise 0.1: Say what a cell is*\n\n"
    "Short answer, difficulty 1 of 3, about 2 min, 1 point\n\n"
    "What does a code cell do when the book builds? Say it in a sentence.\n\n"
    "#pagebreak()\n*Exercise 0.2: Fill the counting table*\n\n" + PARAGRAPH
)


#: The label of an exercise's part ("Starter code") ends a page, its code on the next.
LABEL_AT_FOOT = (
    "= Exercises\n" + PARAGRAPH + "#v(50%)\n*Exercise 4.7: Write an endpoint*\n\nOne line of prompt.\n\n"
    "*Starter code*\n\n#pagebreak()\n" + CODE_BOX.replace("LINES", '"def endpoint():\\n    raise NotImplementedError"')
    + PARAGRAPH
)

#: The same in German, in a PDF that says so (``/Lang``): the gate reads the words of the PDF's own language.
LABEL_AT_FOOT_GERMAN = '#set text(lang: "de")\n' + LABEL_AT_FOOT.replace("Exercise", "Aufgabe").replace(
    "Starter code", "Startcode")

#: A page a tenth full, then an exercise whose title and first answer lines would have fitted there.
HALF_EMPTY = (
    "= Exercises\n" + PARAGRAPH + "#pagebreak()\n*Exercise 0.3: Find the missing components*\n\n"
    "List at least five components.\n\n" + ANSWER_LINE * 24
)

#: Pages left half empty on purpose: before each chapter (every one starts a page), and before
#: a figure too tall for the room left.
HALF_EMPTY_ON_PURPOSE = (
    "= A chapter\n" + PARAGRAPH + "#pagebreak()\n= Another chapter\n" + PARAGRAPH
    + '#image("picture.png", width: 100%, height: 90%, fit: "stretch")\n\nFigure 1.1: A tall figure.\n\n'
    "#pagebreak()\n= A last chapter\n" + PARAGRAPH
)

#: A page left half empty before a module's opening, and sections that do not start pages (the
#: second below the page's top quarter).
BEFORE_A_MODULE = (
    "= Introduction\n" + PARAGRAPH * 2 + "= Exercises\n" + PARAGRAPH + "#pagebreak()\n= HEADING\n" + PARAGRAPH * 2
)


#: A full page, its foot the first lines of a box, then a page holding only the last two lines of
#: the box: a listing's tail.
TAIL_ALONE = (
    "= Public checks\n" + PARAGRAPH + "#v(1fr)\n"
    + CODE_BOX.replace("LINES", '"The listing\'s first lines end this page."').replace(
        "0.4pt", "(x: 0.4pt, top: 0.4pt)")
    + "#pagebreak()\n" + CODE_BOX.replace("LINES", '"assert one() == 1\\nassert two() == 2"').replace(
        "0.4pt", "(x: 0.4pt, bottom: 0.4pt)")
    + "#pagebreak()\n= The next chapter\n" + PARAGRAPH
)


def _kept(body: str, unit: str) -> str:
    """``body`` with its exercise ``unit`` made a kept unit, as the generator writes it (the template's ``keep``)."""
    return '#import "textbook.typ": *\n' + body.replace(unit, f"#keep[\n{unit}]\n\n")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    cases = {
        "stranded": STRANDED, "exercise": STRANDED_EXERCISE, "lines": LONE_ANSWER_LINES,
        "caption": CAPTION_APART, "clean": CLEAN, "tall": TALL_UNIT, "tall-kept": _kept(TALL_UNIT, TALL_EXERCISE),
        "short-at-foot": SHORT_AT_FOOT, "label": LABEL_AT_FOOT, "half-empty": HALF_EMPTY,
        "on-purpose": HALF_EMPTY_ON_PURPOSE, "tail": TAIL_ALONE,
    }
    return {name: _pdf(folder, name, body) for name, body in cases.items()}


def test_a_clean_pdf_passes(pdfs):
    assert page_layout.check(pdfs["clean"]) == {name: [] for name in page_layout.RULES}


def test_a_section_heading_at_the_foot_of_a_page_is_caught(pdfs):
    found = page_layout.check(pdfs["stranded"])
    assert found["stranded heading"] == [
        'stranded.pdf, page 1: heading "2 A stranded section" is in the bottom 15% of the page and its body is on page 2'
    ]
    assert not found["answer space alone"] and not found["caption apart"]


def test_an_exercise_heading_at_the_foot_of_a_page_is_caught(pdfs):
    assert page_layout.check(pdfs["exercise"])["stranded heading"] == [
        'exercise.pdf, page 1: heading "Exercise 0.2: Complete the comparison" and what follows it fill less '
        "than 15% of the page and its body is on page 2"
    ]


def test_a_short_exercise_whole_at_the_foot_of_a_page_passes(pdfs):
    """Judged by where its own content ends, in a short document as in a long one."""
    assert page_layout.stranded_headings(page_layout._Pdf(pdfs["short-at-foot"])) == []


def test_an_exercise_taller_than_a_page_starts_where_its_start_fits(pdfs):
    """The gate catches the unkept layout; the print template's ``keep`` moves the exercise to a new page."""
    assert page_layout.check(pdfs["tall"])["stranded heading"], "the planted fault is a fault"
    assert page_layout.check(pdfs["tall-kept"]) == {name: [] for name in page_layout.RULES}
    pages = subprocess.run(["pdftotext", "-layout", str(pdfs["tall-kept"]), "-"], capture_output=True, text=True)
    assert "Exercise 4.7" in pages.stdout.split("\f")[1], "the exercise starts page 2"


def test_the_label_of_an_exercise_part_at_the_foot_of_a_page_is_caught(pdfs):
    assert page_layout.check(pdfs["label"])["stranded heading"] == [
        'label.pdf, page 1: heading "Starter code" has less than 3 lines of its body under it and the rest is on page 2'
    ]


def test_the_labels_are_the_words_of_the_course_language(pdfs, tmp_path):
    """A German course prints "Startcode": the gate reads it in German, not in English."""
    german = _pdf(tmp_path, "label-de", LABEL_AT_FOOT_GERMAN)
    assert page_layout.check(german, Words("en"))["stranded heading"] == [], "English words do not match German labels"
    assert page_layout.check(german)["stranded heading"] == [  # read in the language the PDF names
        'label-de.pdf, page 1: heading "Startcode" has less than 3 lines of its body under it and the rest is on page 2'
    ]


def test_a_page_left_half_empty_before_what_would_have_fitted_is_caught(pdfs):
    assert page_layout.check(pdfs["half-empty"])["half-empty page"] == [
        "half-empty.pdf, page 1: the page is left 87% empty, and the start of page 2 (Exercise 0.3: Find the "
        "missing components, with its first lines) would have fitted there"
    ]


def test_a_page_left_half_empty_before_a_chapter_or_a_figure_too_tall_passes(pdfs):
    assert page_layout.check(pdfs["on-purpose"]) == {name: [] for name in page_layout.RULES}


def test_a_title_page_is_not_judged_half_empty(tmp_path):
    """A book's title page, then its only chapter: the title page is no page left half empty."""
    title_page = PLAIN_PAGE + "[#v(5cm)\nA title\n\nIts author]\n"
    pdf = _pdf(tmp_path, "titled", title_page + "= The only chapter\n" + PARAGRAPH * 2)
    assert page_layout.check(pdf)["half-empty page"] == []


@pytest.mark.parametrize(("heading", "faults"), [("Woche 3: Serving models", 0), ("Serving models", 1)])
def test_a_page_left_half_empty_before_a_unit_opening_passes(tmp_path, heading, faults):
    """A heading that names a unit, whatever the course calls its units, opens a page on purpose."""
    pdf = _pdf(tmp_path, "module", BEFORE_A_MODULE.replace("HEADING", heading))
    assert len(page_layout.check(pdf)["half-empty page"]) == faults


def test_a_page_holding_only_the_tail_of_a_box_is_caught(pdfs):
    assert page_layout.check(pdfs["tail"])["tail alone"] == [
        "tail.pdf, page 2: the page holds only the last 2 line(s) of a box from page 1"
    ]


def test_a_page_of_answer_lines_alone_is_caught(pdfs):
    found = page_layout.check(pdfs["lines"])
    assert found["answer space alone"] == [
        "lines.pdf, page 2: the page holds only answer space (12 ruled lines or box edges) left over from the page before"
    ]


def test_a_caption_apart_from_its_figure_is_caught(pdfs):
    found = page_layout.check(pdfs["caption"], figure_format="Figure %s")  # as conf.py's numfig_format says
    assert found["caption apart"] == [
        'caption.pdf, page 2: caption "Figure 1.1: The figure on the page before." is at the top of the page '
        "and its figure is on page 1"
    ]


def test_captions_are_read_as_the_course_labels_figures_in_its_language(tmp_path):
    """Sphinx's own label (``Fig. %s``, translated) where ``conf.py``'s ``numfig_format`` gives none."""
    german = _pdf(tmp_path, "caption-de", '#set text(lang: "de")\n' + CAPTION_APART.replace("Figure", "Abb."))
    assert page_layout.check(german)["caption apart"] == [
        'caption-de.pdf, page 2: caption "Abb. 1.1: The figure on the page before." is at the top of the page '
        "and its figure is on page 1"
    ]
    assert page_layout.check(german, figure_format="Abbildung %s")["caption apart"] == [], "not the course's label"
    labelled = _pdf(tmp_path, "caption-bild", CAPTION_APART.replace("Figure", "Bild"))
    assert len(page_layout.check(labelled, figure_format="Bild %s")["caption apart"]) == 1
    vocabulary = page_layout.Vocabulary.of(Words("en"), "Bild %s")
    assert vocabulary.caption.match("Bild 4.12: A pipeline") and not vocabulary.caption.match("Module 4: Serving")
    assert [page_layout.sphinx_figure_format(code) for code in ("en", "de", "de_AT", "es")] == [
        "Fig. %s", "Abb. %s", "Abb. %s", "Figura %s"]


def test_results_are_kept_by_digest(pdfs, tmp_path, monkeypatch):
    cache = tmp_path / "page-layout.json"
    first = page_layout.check_all([pdfs["lines"]], cache_file=cache)
    monkeypatch.setattr(page_layout, "check", lambda pdf, **_: pytest.fail("an unchanged PDF was read again"))
    assert page_layout.check_all([pdfs["lines"]], cache_file=cache) == first


@pytest.mark.parametrize(
    ("question", "room"),
    [
        ("Write a one-page policy for them.", (10, 0)),
        ("Write a plan (about one\npage) that says", (10, 0)),
        ("In about 300 words, describe the workflow.", (0, 30)),
        ("Half a page is enough: write half a page.", (5, 0)),
        ("Explain what the home page shows.", (0, 0)),
    ],
)
def test_an_essay_gets_the_room_its_prompt_asks_for(question, room):
    assert asked_room(question) == room


def test_results_of_other_rules_are_not_reused(pdfs, tmp_path, monkeypatch):
    cache = tmp_path / "page-layout.json"
    page_layout.check_all([pdfs["clean"]], cache_file=cache)
    monkeypatch.setattr(page_layout, "_CACHE_VERSION", "changed rules")
    monkeypatch.setattr(page_layout, "check", lambda pdf, **_: {"stranded heading": ["found again"]})
    assert page_layout.check_all([pdfs["clean"]], cache_file=cache) == {pdfs["clean"]: {"stranded heading": ["found again"]}}


def _typst_pdf(tmp_path: Path, name: str, body: str) -> Path:
    import typst

    source = tmp_path / f"{name}.typ"
    source.write_text(f"#set page({PAGE})\n" + body)
    typst.compile(source, output=tmp_path / f"{name}.pdf")
    return tmp_path / f"{name}.pdf"


def test_text_printed_over_the_lines_before_it_is_caught(tmp_path):
    overprinted = _typst_pdf(tmp_path, "over", "A first paragraph of words.\n\n#v(-1.6em)\nA block placed over it.\n")
    assert page_layout.check(overprinted)["text over text"] == [
        'over.pdf, page 1: "A" is printed over "A"']
    apart = _typst_pdf(tmp_path, "apart", "A first paragraph of words.\n\nThe next one, below it.\n")
    assert page_layout.check(apart)["text over text"] == []


def test_a_word_running_into_the_margin_is_caught(tmp_path):
    justified = "#set par(justify: true)\n" + "A row of justified text ends at the right edge of the text area. " * 30
    long_code = ('\n\n#raw("x = \'a_string_without_a_single_space_in_it_that_cannot_break_anywhere_at_all_so_it_runs_on'
                 '_again\'")\n')
    assert page_layout.check(_typst_pdf(tmp_path, "margin", justified + long_code))["text in the margin"] == [
        'margin.pdf, page 1: "\'a_string_without_a_single_space_in_it_that_cannot_break_..." runs 43 pt into the margin']
    assert page_layout.check(_typst_pdf(tmp_path, "inside", justified))["text in the margin"] == []


def test_the_gate_knows_the_print_templates_margins():
    from textbook.typst.builder import TEMPLATE

    assert "margin: (inside: 2.5cm, outside: 2cm," in TEMPLATE.read_text()
    assert page_layout.RIGHT_MARGINS == {1: 2 / 2.54 * 72, 0: 2.5 / 2.54 * 72}


def test_a_page_read_before_is_not_read_again_and_shows_the_same(tmp_path, monkeypatch):
    from textbook.gates import pdf_pages

    body = "= A heading\n\nSome text.\n\n#line(length: 100%)\n\n#pagebreak()\n\nA second page.\n"
    book = _typst_pdf(tmp_path, "book", body)
    memory = pdf_pages.PageMemory(tmp_path / "pages")
    before = memory.read(book)
    memory.save()
    # printed again, with no letter it had not: the fonts' subsets, which every page's words depend on, stay the same
    _typst_pdf(tmp_path, "book", body.replace("A second page.", "A second second page."))
    read, reading = [], pdf_pages._text
    monkeypatch.setattr(pdf_pages, "_text", lambda pdf, first, last: read.append((first, last)) or
                        reading(pdf, first, last))
    memory = pdf_pages.PageMemory(tmp_path / "pages")
    again = memory.read(book)
    assert read == [(2, 2)]  # only the page that changed
    memory.save()
    [kept] = (tmp_path / "pages").iterdir()
    assert len(pickle.loads(kept.read_bytes())["pages"]) == 3, "both pages as printed now, and the page before the edit"
    assert again[0] == before[0] and again[1] != before[1]
    assert [word[0] for word in again[1].words] == ["A", "second", "second", "page.", "2"]
    assert again[0].marks and again[0].marks == before[0].marks  # the rule, as read the first time


def test_pages_are_kept_a_file_a_pdf_and_a_half_written_file_is_read_past(tmp_path, monkeypatch):
    from textbook.gates import pdf_pages

    book = _typst_pdf(tmp_path, "book", "A book.\n\n#pagebreak()\n\nIts second page.\n")
    handout = _typst_pdf(tmp_path, "handout", "A handout.\n")
    memory = pdf_pages.PageMemory(tmp_path / "pages")
    memory.read(book), memory.read(handout)
    memory.save()
    memory = pdf_pages.PageMemory(tmp_path / "pages")
    memory.read(handout)
    assert len(memory.known) == 1, "the book's pages are not read for the handout"
    [kept] = (tmp_path / "pages").glob("book.pdf-*.pickle")
    kept.write_bytes(kept.read_bytes()[:40])  # a build killed while writing it
    read, reading = [], pdf_pages._text
    monkeypatch.setattr(pdf_pages, "_text", lambda pdf, first, last: read.append((first, last)) or
                        reading(pdf, first, last))
    assert [word[0] for word in pdf_pages.PageMemory(tmp_path / "pages").read(book)[1].words][:2] == ["Its", "second"]
    assert read == [(1, 2)]


def test_a_pdfs_text_is_poppler_s_and_only_pages_not_seen_before_are_read(tmp_path, monkeypatch):
    from textbook.gates import pdf_pages
    from textbook.gates.leaks import pdf_text

    body = "= A heading\n\nSome text.\n\n#pagebreak()\n\nA second page.\n\n#pagebreak()\n\nA third.\n"
    book = _typst_pdf(tmp_path, "book", body)
    texts = pdf_pages.PageTexts(tmp_path / "texts")
    assert texts.read(book) == pdf_text(book)
    texts.save()
    _typst_pdf(tmp_path, "book", body.replace("A second page.", "A second second page."))
    expected = pdf_text(book)
    commands, run = [], subprocess.run
    monkeypatch.setattr(pdf_pages.subprocess, "run", lambda command, **kw: commands.append(command) or run(command, **kw))
    assert pdf_pages.PageTexts(tmp_path / "texts").read(book) == expected
    assert [command[2:6] for command in commands if "-layout" in command] == [["-f", "2", "-l", "2"]], "the page that changed"
