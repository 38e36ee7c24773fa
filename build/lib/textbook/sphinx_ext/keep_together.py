"""Keep-together in print: what must not be split by a page break, in every LaTeX edition.

The page-layout gate (``textbook/gates/page_layout.py``) fails a build whose
headings are stranded at the foot of a page; these macros are what prevents
it. ``textbookkeep`` typesets a unit (an exercise's title, prompt and first
block; the module overview box) in a box to measure it and, when it fits on a
page, starts a new page unless the unit fits on this one; then it hands the
material back unboxed, so a unit taller than a page still breaks normally
(it starts a new page unless a fifth of a page of it fits on this one).
Section and subsection headings get room too: a heading starts a new page
unless 15% of the page and three lines are left under it. (Rubrics, such as
an exercise's title, are ``subsubsection*``: their unit keeps them.)
"""

from __future__ import annotations

from docutils import nodes

LATEX_MACROS = r"""
% Keep-together (textbook.sphinx_ext.keep_together).
% A new page unless #1 is left on this one: on the main page only, never inside a
% box, and never right under a heading (that would strand it; it has its own room).
% The penalty moves what came before (a table, say) onto the page, so that
% \pagetotal counts it.
\chardef\textbookatcatcode=\catcode`\@ \catcode`\@=11
\newcommand{\textbookneedspace}[1]{\par\ifinner\else\if@nobreak\else\penalty\z@
  \ifdim\pagegoal<\maxdimen\ifdim\dimexpr\pagegoal-\pagetotal\relax<\dimexpr#1\relax\newpage\fi\fi\fi\fi}
\newbox\textbookkeepbox
\newdimen\textbookkeepextra \newdimen\textbookkeepleast
% A unit taller than a page starts a new page unless at least this much of it
% fits on this one, found by splitting a copy of it where the page would
% (\vsplit keeps a code box or table whole): a title with a line or two under
% it, before a box that cannot break, never ends a page.
\newcommand{\textbookkeepstart}{0.2\textheight}
\newbox\textbookkeephead
\newcommand{\textbookstartsfit}{\par\ifinner\else\if@nobreak\else\penalty\z@
  \ifdim\pagegoal<\maxdimen
    \ifdim\dimexpr\pagegoal-\pagetotal\relax<\dimexpr\textbookkeepstart\relax\newpage\else
      \begingroup\vbadness\@M\vfuzz\maxdimen
      \setbox\textbookkeephead\copy\textbookkeepbox
      \setbox\textbookkeephead\vsplit\textbookkeephead to \dimexpr\pagegoal-\pagetotal\relax
      \global\setbox\textbookkeephead\vbox{\unvbox\textbookkeephead}\endgroup
      \ifdim\dimexpr\ht\textbookkeephead+\dp\textbookkeephead\relax<\dimexpr\textbookkeepstart\relax
        \newpage\fi\fi\fi\fi\fi}
% A unit kept on one page with room for #1 more below it (all its answer lines),
% or, when that is more than a page, for #2 (its first answer lines), or alone
% when even that is too much. Right under a heading the unit stays where it is:
% breaking before it would strand the heading.
\newenvironment{textbookkeep}[2]{\par
  \global\textbookkeepextra=\dimexpr#1\relax\global\textbookkeepleast=\dimexpr#2\relax
  \ifinner\else\if@nobreak\global\textbookkeepextra=-\maxdimen\fi\fi
  \setbox\textbookkeepbox\vbox\bgroup}{\par\egroup
  \ifdim\textbookkeepextra<0pt\else
  \ifdim\dimexpr\ht\textbookkeepbox+\dp\textbookkeepbox+\textbookkeepextra\relax<\textheight
    \textbookneedspace{\ht\textbookkeepbox+\dp\textbookkeepbox+\textbookkeepextra}%
  \else\ifdim\dimexpr\ht\textbookkeepbox+\dp\textbookkeepbox+\textbookkeepleast\relax<\textheight
    \textbookneedspace{\ht\textbookkeepbox+\dp\textbookkeepbox+\textbookkeepleast}%
  \else\ifdim\dimexpr\ht\textbookkeepbox+\dp\textbookkeepbox\relax<\textheight
    \textbookneedspace{\ht\textbookkeepbox+\dp\textbookkeepbox}%
  \else\textbookstartsfit\fi\fi\fi\fi
  \unvbox\textbookkeepbox\par}
\catcode`\@=\textbookatcatcode
% Room under a heading: more than the 15% of a page the gate asks for, little
% more (a heading that jumps ahead leaves the section before it short).
\AddToHook{cmd/section/before}{\textbookneedspace{0.15\textheight+3\baselineskip}}
\AddToHook{cmd/subsection/before}{\textbookneedspace{0.15\textheight+3\baselineskip}}
"""


class keep_edge(nodes.General, nodes.Element):
    """Where a kept unit starts (``room``, ``least``: LaTeX lengths) or ends; only LaTeX draws it."""


def begin(room: str = "0pt", least: str = "0pt") -> keep_edge:
    """Start a unit kept on one page with ``room`` below it, or at least ``least``."""
    return keep_edge(room=room, least=least)


def end() -> keep_edge:
    return keep_edge()


def visit_keep_edge_latex(self, node: keep_edge) -> None:
    if "room" in node:
        self.body.append(f"\n\\begin{{textbookkeep}}{{{node['room']}}}{{{node['least']}}}\n")
    else:
        self.body.append("\n\\end{textbookkeep}\n")
    raise nodes.SkipNode


def skip(self, node: nodes.Element) -> None:
    raise nodes.SkipNode


VISITORS = {
    "latex": (visit_keep_edge_latex, None),
    "html": (skip, None),
    "text": (skip, None),
    "man": (skip, None),
    "texinfo": (skip, None),
}


def add_macros(app, config) -> None:
    elements = dict(config.latex_elements)
    elements["preamble"] = elements.get("preamble", "") + LATEX_MACROS
    config.latex_elements = elements
