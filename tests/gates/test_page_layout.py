"""The page-layout gate: each fault planted in a tiny PDF is caught, named with its page; a clean PDF passes."""

import subprocess
from pathlib import Path

import pytest

from textbook.core.messages import Words
from textbook.exercises.answer_space import asked_room
from textbook.gates import page_layout
from textbook.sphinx_ext import keep_together

PREAMBLE = r"""\documentclass[a4paper]{article}
\usepackage{hyperref}
\usepackage{fancyhdr}
\pagestyle{fancy}
\fancyhead[L]{A running head}
\fancyfoot[C]{\thepage}
\newcommand{\filler}[1]{\foreach\n in {1,...,#1}{Some words of body text to fill the page. }}
\usepackage{pgffor}
\usepackage{graphicx}
\begin{document}
"""

#: Text to fill about a third of a page.
PARAGRAPH = r"\filler{12}" + "\n\n"


def _pdf(tmp_path: Path, name: str, body: str) -> Path:
    tex = tmp_path / f"{name}.tex"
    tex.write_text(PREAMBLE + body + "\n\\end{document}\n")
    for _ in range(2):  # twice: the outline (bookmarks) is written on the first run
        subprocess.run(
            ["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
            cwd=tmp_path, capture_output=True, check=True,
        )
    return tex.with_suffix(".pdf")


#: A heading pushed to the foot of page 1 by space, with its table (unbreakable) on page 2:
#: LaTeX keeps a heading with one line, not with the block after it.
#: An exercise's title and prompt higher up, its table on the next page, the
#: rest of the page empty: stranded too.
STRANDED = r"""
\section{A section with its body}
""" + PARAGRAPH + r"""
\vspace*{0.68\textheight}
\section{A stranded section}
One line under the heading, then a table too tall for what is left of the page.

\begin{tabular}{|p{5cm}|p{5cm}|}\hline
""" + "\\filler{2} & Cell \\\\ \\hline\n" * 6 + r"""
\end{tabular}

""" + PARAGRAPH

STRANDED_EXERCISE = r"""
\section{Exercises}
""" + PARAGRAPH + r"""
\vspace*{0.55\textheight}
\noindent\textbf{Exercise 0.2: Complete the comparison}

\begin{tabular}{|p{5cm}|p{5cm}|}\hline
""" + "\\filler{2} & Cell \\\\ \\hline\n" * 6 + r"""
\end{tabular}
"""

#: Page 2 holds nothing but ruled answer lines.
LONE_ANSWER_LINES = r"""
\section{Exercises}
""" + PARAGRAPH + r"""
\noindent\textbf{Exercise 0.1: Write it down}

\newpage
""" + "\\noindent\\rule{0pt}{20pt}\\rule{\\linewidth}{0.3pt}\n\n" * 12

#: A figure at the foot of page 1, its caption at the top of page 2.
CAPTION_APART = r"""
\section{Figures}
""" + PARAGRAPH + r"""
\vspace*{0.3\textheight}
\noindent\rule{6cm}{4cm}
\newpage
\noindent Figure 1.1: The figure on the page before.

""" + PARAGRAPH

#: The same elements laid out well: headings with their bodies, lines under their
#: exercise, a caption under its figure.
CLEAN = r"""
\section{A section}
""" + PARAGRAPH + r"""
\noindent\rule{6cm}{4cm}

\noindent Figure 1.1: The figure above.

\section{Exercises}
\noindent\textbf{Exercise 0.1: Write it down}

""" + "\\noindent\\rule{0pt}{20pt}\\rule{\\linewidth}{0.3pt}\n\n" * 6 + PARAGRAPH + r"""
\newpage
\section{Another section}
""" + PARAGRAPH * 2


#: An exercise taller than a page (title, a line of prompt, a code box that cannot break,
#: more prompt) met low on a page (under a drawing that fills it down to there): unkept, its
#: title and first line end the page.
TALL_UNIT = r"""
\section{Exercises}
""" + PARAGRAPH + r"""
\noindent\rule{1pt}{0.45\textheight}

\noindent\textbf{Exercise 4.7: Write an endpoint and its test}

One line of prompt, then starter code.

\noindent\rule{\linewidth}{0.55\textheight}

""" + PARAGRAPH * 3


#: A short exercise, whole at the foot of a page, the next one on the next page, in a
#: document whose running heads are on two pages of six (the rest: title, contents, blanks).
SHORT_AT_FOOT = r"""
\thispagestyle{empty}\noindent A title page
\newpage\thispagestyle{empty}\mbox{}
\newpage\thispagestyle{empty}\noindent Contents
\newpage\thispagestyle{empty}\mbox{}
\newpage
\section{Exercises}
""" + PARAGRAPH + r"""
\vspace*{0.7\textheight}
\noindent\textbf{Exercise 0.1: Say what a cell is}

\noindent Short answer, difficulty 1 of 3, about 2 min, 1 point

What does a code cell do when the book builds? Say it in a sentence.

\newpage
\noindent\textbf{Exercise 0.2: Fill the counting table}

""" + PARAGRAPH


#: The label of an exercise's part ("Starter code") ends a page, its code on the next.
LABEL_AT_FOOT = r"""
\section{Exercises}
""" + PARAGRAPH + r"""
\vspace*{0.5\textheight}
\noindent\textbf{Exercise 4.7: Write an endpoint}

\noindent One line of prompt.

\noindent\textbf{Starter code}

\newpage
\noindent\fbox{\parbox{\linewidth}{\texttt{def endpoint():}\\\texttt{    raise NotImplementedError}}}

""" + PARAGRAPH

#: The same in German: the gate reads the words of the PDF's own language.
LABEL_AT_FOOT_GERMAN = LABEL_AT_FOOT.replace("Exercise", "Aufgabe").replace("Starter code", "Startcode")

#: A page a third full, then an exercise whose title and first answer lines would have fitted there.
HALF_EMPTY = r"""
\section{Exercises}
""" + PARAGRAPH + r"""
\newpage
\noindent\textbf{Exercise 0.3: Find the missing components}

List at least five components.

""" + "\\noindent\\rule{0pt}{20pt}\\rule{\\linewidth}{0.3pt}\n\n" * 24

#: Pages left half empty on purpose: before each chapter (every one starts a page), and before
#: a figure too tall for the room left.
HALF_EMPTY_ON_PURPOSE = r"""
\section{A chapter}
""" + PARAGRAPH + r"""
\newpage
\section{Another chapter}
""" + PARAGRAPH + r"""
\newpage
\noindent\includegraphics[width=\linewidth,height=0.85\textheight]{example-image}

\noindent Figure 1.1: A tall figure.

\newpage
\section{A last chapter}
""" + PARAGRAPH

#: A page left half empty before a module's opening, and sections that do not start pages.
BEFORE_A_MODULE = r"""
\section{Introduction}
""" + PARAGRAPH + r"""
\section{Exercises}
""" + PARAGRAPH + r"""
\newpage
\section{HEADING}
""" + PARAGRAPH * 2


#: A full page, then a page holding only the last two lines of a box: a listing's tail.
TAIL_ALONE = r"""
\section{Public checks}
""" + PARAGRAPH + r"""
\null\vfill
\noindent The listing's first lines end this page.

\newpage
\noindent\fbox{\parbox{\linewidth}{\texttt{assert one() == 1}\\\texttt{assert two() == 2}}}

\newpage
\section{The next chapter}
""" + PARAGRAPH


def _kept(body: str) -> str:
    """``body`` with its exercise made a kept unit, as the generator writes it."""
    start = body.index("\\noindent\\textbf{Exercise")
    return (keep_together.LATEX_MACROS + body[:start] + "\\begin{textbookkeep}{0pt}{0pt}\n"
            + body[start:] + "\n\\end{textbookkeep}\n")  # fmt: skip


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layout")
    cases = {
        "stranded": STRANDED, "exercise": STRANDED_EXERCISE, "lines": LONE_ANSWER_LINES,
        "caption": CAPTION_APART, "clean": CLEAN, "tall": TALL_UNIT, "tall-kept": _kept(TALL_UNIT),
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
    """The gate catches the unkept layout; the keep-together macros move the exercise to a new page."""
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
    assert page_layout.check(german)["stranded heading"] == [], "English words do not match German labels"
    assert page_layout.check(german, Words("de"))["stranded heading"] == [
        'label-de.pdf, page 1: heading "Startcode" has less than 3 lines of its body under it and the rest is on page 2'
    ]


def test_a_page_left_half_empty_before_what_would_have_fitted_is_caught(pdfs):
    assert page_layout.check(pdfs["half-empty"])["half-empty page"] == [
        "half-empty.pdf, page 1: the page is left 80% empty, and the start of page 2 (Exercise 0.3: Find the "
        "missing components, with its first lines) would have fitted there"
    ]


def test_a_page_left_half_empty_before_a_chapter_or_a_figure_too_tall_passes(pdfs):
    assert page_layout.check(pdfs["on-purpose"]) == {name: [] for name in page_layout.RULES}


def test_a_title_page_is_not_judged_half_empty(tmp_path):
    """A book's title page, then its only chapter: the title page is no page left half empty."""
    pdf = _pdf(tmp_path, "titled", "\\thispagestyle{empty}\\noindent A title\n\n\\newpage\n\\section{The only chapter}\n"
               + PARAGRAPH * 2)
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
    found = page_layout.check(pdfs["caption"])
    assert found["caption apart"] == [
        'caption.pdf, page 2: caption "Figure 1.1: The figure on the page before." is at the top of the page '
        "and its figure is on page 1"
    ]


def test_results_are_kept_by_digest(pdfs, tmp_path, monkeypatch):
    cache = tmp_path / "page-layout.json"
    first = page_layout.check_all([pdfs["lines"]], cache_file=cache)
    monkeypatch.setattr(page_layout, "check", lambda pdf: pytest.fail("an unchanged PDF was read again"))
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
    monkeypatch.setattr(page_layout, "check", lambda pdf: {"stranded heading": ["found again"]})
    assert page_layout.check_all([pdfs["clean"]], cache_file=cache) == {pdfs["clean"]: {"stranded heading": ["found again"]}}


def _typst_pdf(tmp_path: Path, name: str, body: str) -> Path:
    import typst

    source = tmp_path / f"{name}.typ"
    source.write_text('#set page(paper: "a4", numbering: "1")\n' + body)
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
    long_code = '\n\n#raw("x = \'a_string_without_a_single_space_in_it_that_cannot_break_anywhere_at_all_so_it_runs_on\'")\n'
    assert page_layout.check(_typst_pdf(tmp_path, "margin", justified + long_code))["text in the margin"] == [
        'margin.pdf, page 1: "\'a_string_without_a_single_space_in_it_that_cannot_break_..." runs 25 pt into the margin']
    assert page_layout.check(_typst_pdf(tmp_path, "inside", justified))["text in the margin"] == []
