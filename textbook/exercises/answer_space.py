"""Room to write in print: ruled lines, a box for code, tall table rows, tick boxes.

The ``answer_space`` node exists only in the workbook, which is printed, so
only LaTeX draws it; every other writer skips it. Table struts and tick boxes
are raw LaTeX, which the other writers (and the search index) ignore. The
macros they use are added to the LaTeX preamble by ``LATEX_MACROS``.
"""

from __future__ import annotations

from docutils import nodes

LATEX_MACROS = r"""
% Answer space for the student workbook (textbook.exercises.answer_space).
\newcount\textbookrulecount
\newcommand{\textbookanswerlines}[1]{\par\nopagebreak\vspace{0.2\baselineskip}%
  \textbookrulecount=0
  \loop\ifnum\textbookrulecount<#1
    \advance\textbookrulecount by 1
    \par\noindent\rule{0pt}{1.9\baselineskip}\rule{\linewidth}{0.3pt}%
  \repeat\par\medskip}
\newcommand{\textbookcodebox}[1]{\par\nopagebreak\medskip\noindent
  \fbox{\begin{minipage}[t][#1\baselineskip][t]{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}%
  \small\sffamily Your code\end{minipage}}\par\medskip}
\newcommand{\textbookblankcell}[1]{\rule{0pt}{#1\baselineskip}}
% Multiple-choice tick boxes: a square drawn with rules (no font glyph), empty
% to tick, filled on the right options in the answer key.
\newcommand{\textbookchoicebox}[1]{{\setlength{\fboxsep}{0pt}\setlength{\fboxrule}{0.6pt}%
  \fbox{\makebox[0.8em]{\rule{0pt}{0.8em}#1}}}\hspace{0.6em}}
\newcommand{\textbooktickbox}{\textbookchoicebox{}}
\newcommand{\textbooktickedbox}{\textbookchoicebox{\rule[0.15em]{0.5em}{0.5em}}}
"""


class answer_space(nodes.General, nodes.Element):
    """Room to write: ``lines`` ruled lines, or a code box ``lines`` high (``code=True``)."""


def blank_cell_strut(lines: int) -> nodes.raw:
    """Inside an empty table cell: make the row tall enough to write in."""
    return nodes.raw("", f"\\textbookblankcell{{{lines}}}", format="latex")


def tick_box(ticked: bool = False) -> nodes.raw:
    """Before a multiple-choice option in print: an empty box, or a filled one (answer key)."""
    macro = "textbooktickedbox" if ticked else "textbooktickbox"
    return nodes.raw("", f"\\{macro}{{}}", format="latex")


def visit_answer_space_latex(self, node: answer_space) -> None:
    macro = "textbookcodebox" if node.get("code") else "textbookanswerlines"
    self.body.append(f"\n\\{macro}{{{node['lines']}}}\n")
    raise nodes.SkipNode


def skip(self, node: nodes.Element) -> None:
    raise nodes.SkipNode


VISITORS = {
    "latex": (visit_answer_space_latex, None),
    "html": (skip, None),
    "text": (skip, None),
    "man": (skip, None),
    "texinfo": (skip, None),
}
