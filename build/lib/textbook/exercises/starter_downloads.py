"""A module's starter notebook, offered as a download beside its chapter's exercises.

A module with code exercises offers a starter notebook (see
``starter_notebooks.py``): written into the output's ``_downloads/exercises/``
after every HTML build, where the leak scan reads it, and linked from the
chapter just before its exercises.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from textbook.core.config import of_sphinx
from textbook.core.messages import Words
from textbook.exercises import starter_notebooks, tracking
from textbook.sphinx_ext.downloads import offers_downloads


def _code_exercises(app: Sphinx, docname: str):
    """The module ``docname`` lists exercises of, and its code exercises (none outside the book)."""
    if not offers_downloads(app) or app.config.textbook_edition != "book":
        return None, []
    module = tracking.listed_module(app.env, docname)
    exercises = tracking.bank(app.env).for_module(module) if module else []
    return module, [exercise for exercise in exercises if exercise.kind == "code"]


def link_starter_notebook(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """"Starter notebook for these exercises", just before the first exercise of the page."""
    module, code = _code_exercises(app, docname)
    first = next(doctree.findall(lambda n: isinstance(n, nodes.container) and "exercise" in n["classes"]), None)
    if not code or first is None:
        return
    name = starter_notebooks.file_name(module)
    uri = "../" * docname.count("/") + f"{starter_notebooks.FOLDER}/{name}"
    before, after = Words.of(of_sphinx(app.config)).around("notebook.link", "link")
    link = nodes.paragraph("", "", classes=["starter-notebook"])
    link += nodes.Text(before)
    link += nodes.reference("", name, refuri=uri)
    link += nodes.Text(after)
    parent, index = first.parent, first.parent.index(first)
    while index > 0 and isinstance(parent[index - 1], nodes.target):
        index -= 1  # before the exercise's link target, so a link to the exercise lands on the exercise
    parent.insert(index, link)


def write_starter_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """One notebook per module whose chapter lists code exercises; notebooks of no such module go.

    Writing them means asking the installed packages which distribution each import
    comes from (a second or so), so they are written again only when their code
    exercises, module titles or the generator changed, recorded as a digest in the cache.
    """
    if exception is not None or not offers_downloads(app) or app.config.textbook_edition != "book":
        return
    folder = Path(app.outdir) / starter_notebooks.FOLDER
    modules = {}
    for docname in sorted(app.env.all_docs):
        module, code = _code_exercises(app, docname)
        if code:
            modules[module] = code
    bank = tracking.bank(app.env)
    made_from = repr([(m, bank.modules[m].title, [(e.id, e.number, e.digest) for e in code])
                      for m, code in modules.items()])  # fmt: skip
    project = of_sphinx(app.config)
    # Named in the notebook's first cell, and the words it is written in.
    shared = (project.chapters, project.course_code, project.language, project.unit_label)
    digest = hashlib.sha256(f"{app.config.textbook_reading_code}\n{made_from}\n{shared}".encode()).hexdigest()
    stamp = project.cache_dir / "starter-notebooks.digest"
    names = [starter_notebooks.file_name(module) for module in modules]
    if stamp.is_file() and stamp.read_text() == digest and all((folder / name).is_file() for name in names):
        return
    wanted = {name: starter_notebooks.notebook_bytes(bank.modules[module], code, project)
              for name, (module, code) in zip(names, modules.items())}  # fmt: skip
    for old in folder.glob("*.ipynb") if folder.is_dir() else []:
        if old.name not in wanted:
            old.unlink()
    for name, content in wanted.items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
