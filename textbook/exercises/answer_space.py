"""Room to write in print: ruled lines, a box for code, tall table rows, tick boxes.

The ``answer_space`` node exists only in the workbook, which is printed, so
only print draws it; every other writer skips it, as it skips the tick boxes
(``choice_box``) and the tall blank table cells (``blank_cell``), which the
search index never sees. The LaTeX macros they use are added to the preamble
by ``latex_macros``, with the code box's label in the course's language; the
Typst engine draws them with its template's functions.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.util.texescape import escape

from textbook.core.messages import Words

LATEX_MACROS = r"""
% Answer space for the student workbook (textbook.exercises.answer_space).
% One handwritten line: 1.9 lines of type apart.
\newcommand{\textbookpitch}{1.9\baselineskip}
\newcount\textbookrulecount
\newcount\textbookrulestodraw
% Answer space that would start a new page is preceded there by the exercise's
% "Exercise 2.6, continued", so no page holds answer space alone.
\newcommand{\textbookcontinued}[2]{\par
  \ifdim\pagegoal<\maxdimen\ifdim\dimexpr\pagegoal-\pagetotal\relax<\dimexpr#1\relax
    \newpage\noindent{\small\itshape #2}\par\fi\fi}
% #1 ruled lines, or #2 tenths of a page of them if more; #3: the continuation label.
\newcommand{\textbookanswerlines}[3]{\par\nopagebreak\vspace{0.2\baselineskip}%
  \textbookrulestodraw=\numexpr(\textheight/\dimexpr\textbookpitch\relax)*#2/10\relax
  \ifnum\textbookrulestodraw<#1 \textbookrulestodraw=#1 \fi
  \textbookrulecount=0
  \loop\ifnum\textbookrulecount<\textbookrulestodraw
    \advance\textbookrulecount by 1
    \textbookcontinued{\textbookpitch+\parskip+2pt}{#3}%
    \noindent\rule{0pt}{\textbookpitch}\rule{\linewidth}{0.3pt}\par
  \repeat\medskip}
% A box #1 lines high to write code in; #2: the continuation label.
\newcommand{\textbookcodebox}[2]{\par\nopagebreak\medskip
  \textbookcontinued{#1\baselineskip+2\fboxsep+2\fboxrule+\parskip+2pt}{#2}\noindent
  \fbox{\begin{minipage}[t][#1\baselineskip][t]{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}%
  \small\sffamily\textbookcodeboxlabel\end{minipage}}\par\medskip}
% A blank table cell #1 handwritten lines tall, from its first line down.
\newcommand{\textbookblankcell}[1]{\rule[-\dimexpr#1\dimexpr\textbookpitch\relax-\baselineskip\relax]{0pt}{#1\dimexpr\textbookpitch\relax}}
% Table cells ragged right: a narrow column breaks between words, not inside them.
\AddToHook{env/savenotes/begin}{\let\textbookplainstartpar\sphinxAtStartPar
  \def\sphinxAtStartPar{\rightskip=0pt plus 3em\relax\hyphenpenalty=5000\relax\textbookplainstartpar}}
% Multiple-choice tick boxes: a square drawn with rules (no font glyph), empty
% to tick, filled on the right options in the answer key. An option that
% wraps hangs under its text, not under the box: the paragraph's shape (set
% by the list for every paragraph) indents its later lines by the box's width.
\newsavebox{\textbookchoiceboxdrawn}
\makeatletter
\newcommand{\textbookchoicebox}[1]{\sbox{\textbookchoiceboxdrawn}{{\setlength{\fboxsep}{0pt}%
  \setlength{\fboxrule}{0.6pt}\fbox{\makebox[0.8em]{\rule{0pt}{0.8em}#1}}}\hspace{0.6em}}%
  \parshape 2 \@totalleftmargin \linewidth
    \dimexpr\@totalleftmargin+\wd\textbookchoiceboxdrawn\relax \dimexpr\linewidth-\wd\textbookchoiceboxdrawn\relax
  \usebox{\textbookchoiceboxdrawn}}
\makeatother
\newcommand{\textbooktickbox}{\textbookchoicebox{}}
\newcommand{\textbooktickedbox}{\textbookchoicebox{\rule[0.15em]{0.5em}{0.5em}}}
"""


def latex_macros(words: Words, engine: str) -> str:
    """The preamble's answer-space macros, the code box labelled in the course's language."""
    label = escape(words("workbook.code_box"), engine)
    return LATEX_MACROS + f"\\newcommand{{\\textbookcodeboxlabel}}{{{label}}}\n"


class answer_space(nodes.General, nodes.Element):
    """Room to write: ``lines`` ruled lines (at least ``page_tenths`` tenths of a page of them),
    or a code box ``lines`` handwritten lines high (``code=True``); ``continued`` heads answer space
    that starts a new page."""


_NUMBERS = {"one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}
_PAGES = re.compile(r"\b(half a|one|two|three|[123])[-\s]+pages?\b", re.IGNORECASE)
_WORDS = re.compile(r"\b(\d{2,4}) words\b", re.IGNORECASE)
#: Handwritten words on one ruled line.
WORDS_PER_LINE = 10


#: Handwritten lines a student fills in a minute of an exercise, by kind: about a line a minute
#: of prose (ten words), a little less for a short answer, which is thought more than written;
#: a line of code a minute. Multiple choice and fill-in tables are answered on the page itself.
LINES_PER_MINUTE = {"short-answer": 0.8, "list": 1.0, "essay": 1.0, "code": 1.0}
#: The most lines the minutes ask for, as ``space`` may (the bank's schema): a day-long project
#: is not written in the workbook.
MOST_LINES = 40


def sized_lines(kind: str, minutes: int, space: int | None = None) -> int:
    """The handwritten lines of an exercise's answer space: as many as its minutes call for
    (``LINES_PER_MINUTE``, at most ``MOST_LINES``), or ``space`` when it asks for more.

    A 25-minute code exercise gets a box of 25 lines, a 30-minute essay 30
    lines (a page); an author who knows the answer takes more room says so
    with ``space``.
    """
    rate = LINES_PER_MINUTE.get(kind, 0)
    return max(space or 0, min(MOST_LINES, -(-int(minutes * rate * 10) // 10)))


def asked_room(question: str) -> tuple[int, int]:
    """The room an essay's prompt asks for: (tenths of a page, lines), from "one page", "300 words".

    "Write a one-page policy" gets a full page of lines, "in about 300 words"
    thirty lines: a student should not have to squeeze what the prompt asks
    for into less room than it names.
    """
    tenths = 0
    for match in _PAGES.finditer(question):
        amount = match.group(1).lower()
        tenths = max(tenths, 5 if amount == "half a" else 10 * _NUMBERS[amount])
    lines = max((-(-int(match.group(1)) // WORDS_PER_LINE) for match in _WORDS.finditer(question)), default=0)
    return tenths, lines


class blank_cell(nodes.Inline, nodes.Element):
    """Inside an empty table cell of the workbook: a row ``lines`` handwritten lines tall."""


class choice_box(nodes.Inline, nodes.Element):
    """Before a multiple-choice option in print: a box to tick, filled (``ticked``) in a key."""


def blank_cell_strut(lines: int) -> blank_cell:
    """Inside an empty table cell: make the row tall enough to write in."""
    return blank_cell(lines=lines)


def tick_box(ticked: bool = False) -> choice_box:
    """Before a multiple-choice option in print: an empty box, or a filled one (answer key)."""
    return choice_box(ticked=ticked)


def visit_blank_cell_latex(self, node: blank_cell) -> None:
    self.body.append(f"\\textbookblankcell{{{node['lines']}}}")
    raise nodes.SkipNode


def visit_choice_box_latex(self, node: choice_box) -> None:
    self.body.append("\\textbooktickedbox{}" if node["ticked"] else "\\textbooktickbox{}")
    raise nodes.SkipNode


def visit_answer_space_latex(self, node: answer_space) -> None:
    continued = self.encode(node.get("continued", ""))
    if node.get("code"):
        self.body.append(f"\n\\textbookcodebox{{{node['lines']}}}{{{continued}}}\n")
    else:
        self.body.append(f"\n\\textbookanswerlines{{{node['lines']}}}{{{node.get('page_tenths', 0)}}}{{{continued}}}\n")
    raise nodes.SkipNode


def skip(self, node: nodes.Element) -> None:
    raise nodes.SkipNode


def _visitors(latex) -> dict:
    """Drawn in LaTeX (the Typst engine's translator draws its own), skipped by every other writer."""
    return {"latex": (latex, None), **{writer: (skip, None) for writer in ("html", "text", "man", "texinfo")}}


VISITORS = {
    answer_space: _visitors(visit_answer_space_latex),
    blank_cell: _visitors(visit_blank_cell_latex),
    choice_box: _visitors(visit_choice_box_latex),
}
