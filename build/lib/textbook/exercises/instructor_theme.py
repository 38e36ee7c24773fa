"""The instructor edition's LaTeX theme: every page of a key says it is not for students.

A key (the whole answer key, a module's key, an exam's key) is a LaTeX
document of the exercise edition whose theme is ``INSTRUCTOR_THEME`` instead
of ``howto``. The theme's class (``latex_themes/instructor/``) is Sphinx's
howto with the notice ``\\textbookinstructornotice`` ("Instructor edition: do
not distribute", in the course's language, defined in the preamble) at the
top of every page it ships out, whatever the page's style, so no page of a
key (the title page, a blank page) can be mistaken for a student's. The
workbook keeps ``howto``.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util.texescape import escape

from textbook.core.config import of_sphinx
from textbook.core.messages import Words

INSTRUCTOR_THEME = "instructor"
_THEMES = Path(__file__).parent / "latex_themes"
_CLASS_FILE = _THEMES / INSTRUCTOR_THEME / "textbookinstructor.cls"


def configure(config) -> None:
    """Let the exercise edition's LaTeX documents use the instructor theme, its notice in the course's words."""
    config.latex_theme_path = [*config.latex_theme_path, str(_THEMES)]
    config.latex_additional_files = [*config.latex_additional_files, str(_CLASS_FILE)]
    notice = escape(Words.of(of_sphinx(config))("instructor.notice"), config.latex_engine)
    elements = dict(config.latex_elements)
    elements["preamble"] = elements.get("preamble", "") + f"\\newcommand{{\\textbookinstructornotice}}{{{notice}}}\n"
    config.latex_elements = elements
