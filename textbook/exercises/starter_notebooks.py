"""A starter notebook per module with code exercises, for students to download.

The notebook holds, per code exercise, its question (a Markdown cell), its
starter code and its public checks (code cells), after a first cell that says
what the notebook is and what it needs. Run top to bottom, it stops at the
first exercise's checks until the student has solved it: the build checks
that the starter fails its public checks and the solution passes them (see
``checks.py``). Only student sections go in (``schema.STUDENT_SECTIONS``);
the HTML edition offers the notebook and the leak scan reads it like any
other student file.

A starter cell carries, besides its tag, the exercise it answers in its
metadata: ``{"textbook": {"exercise": "<id>", "part": "answer"}}`` (``MARKER``,
``PART``). ``textbook grade`` finds a student's answer by it, wherever the
student moved the cell (see ``textbook/marking/submissions.py``).
"""

from __future__ import annotations

import nbformat
from nbformat import v4

from textbook.bank.bank import Exercise, Module
from textbook.core.config import ProjectConfig
from textbook.core.messages import Words
from textbook.exercises.render import heading, meta_text
from textbook.execution.packages import imported as _imported
from textbook.execution.packages import to_install

#: Where the notebooks go in the HTML output, and what each is called.
FOLDER = "_downloads/exercises"


#: The cell metadata key naming the exercise a cell belongs to, and the part it is.
MARKER = "textbook"
PART = "answer"


def file_name(module_docname: str) -> str:
    return f"{module_docname}-exercises.ipynb"


def _students_code(exercise: Exercise) -> list[str]:
    return [exercise.code(s) for s in ("Starter", "Public checks") if s in exercise.sections]


def _needs(exercises: list[Exercise], project: ProjectConfig, words: Words) -> str:
    """What the notebook's code imports: the shared course code, and the packages to install."""
    imported: dict[str, set[str]] = {}  # module name -> numbers of the exercises importing it
    for exercise in exercises:
        for name in set().union(*map(_imported, _students_code(exercise))):
            imported.setdefault(name, set()).add(exercise.number)
    shared = project.course_code
    packages = to_install(imported, shared, project.cache_dir / "packages.json")
    needs = words("notebook.python")
    if packages:
        needs = words("notebook.python_with", packages=", ".join(f"`{p}`" for p in packages))
    if shared in imported:
        users = sorted(imported[shared], key=lambda n: tuple(map(int, n.split("."))))
        importers = words("notebook.importers", count=len(users), numbers=", ".join(users))
        needs = words("notebook.shared_code", needs=needs, folder=f"{project.chapters}/{shared}/", importers=importers)
    return needs


def _about(module: Module, exercises: list[Exercise], project: ProjectConfig, words: Words) -> str:
    return (
        f"# {words('notebook.title', number=module.number, title=module.title)}\n\n"
        f"{words('notebook.about', number=module.number)}\n\n"
        f"{words('notebook.needs', needs=_needs(exercises, project, words))}"
    )


def _code_cell(exercise: Exercise, section: str, tag: str) -> nbformat.NotebookNode:
    metadata: dict = {"tags": [tag]}
    if section == "Starter":  # the student's answer: marked, so that grading finds it
        metadata[MARKER] = {"exercise": exercise.id, "part": PART}
    return v4.new_code_cell(exercise.code(section).rstrip("\n"), metadata=metadata)


def starter_notebook(module: Module, exercises: list[Exercise], project: ProjectConfig = ProjectConfig()) -> nbformat.NotebookNode:
    """The notebook of ``module``'s code exercises (``exercises`` in number order)."""
    code = [exercise for exercise in exercises if exercise.kind == "code"]
    words = Words.of(project)
    cells = [v4.new_markdown_cell(_about(module, code, project, words))]
    for exercise in code:
        question = exercise.sections["Question"].text.strip()
        cells.append(v4.new_markdown_cell(f"## {heading(exercise, words)}\n\n*{meta_text(exercise, words)}*\n\n{question}"))
        cells.append(_code_cell(exercise, "Starter", "starter"))
        if "Public checks" in exercise.sections:
            cells.append(_code_cell(exercise, "Public checks", "public-checks"))
    # Numbered ids, not nbformat's random ones: the same bank gives the same file.
    for index, cell in enumerate(cells):
        cell["id"] = f"cell-{index}"
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    return notebook


def notebook_bytes(module: Module, exercises: list[Exercise], project: ProjectConfig) -> bytes:
    notebook = starter_notebook(module, exercises, project)
    nbformat.validate(notebook)
    return nbformat.writes(notebook).encode("utf-8")
