"""One printable handout per module: extra LaTeX documents next to the book.

Sphinx's LaTeX builder writes every entry of ``latex_documents``. Once the
sources are read we know which chapters are modules, so we append one
``howto`` (article-style) document per module, named ``handout-<docname>.tex``.
The book itself stays the ``conf.py`` entry. The build CLI then compiles the
book, the handouts or both.

Sphinx's LaTeX builder assembles and writes every document on every build.
A handout holds one chapter, so it is written again only when that chapter's
doctree is newer than the handout's ``.tex``, or when the LaTeX settings or
the generator changed (a digest kept beside the ``.tex`` files); otherwise
its ``.tex`` from the last build stands. As with Sphinx's own incremental
HTML builds, a handout is not rewritten when only another chapter changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from textbook.core.config import of_sphinx
from textbook.core.messages import Words
from textbook.sphinx_ext.module_overview import modules

HANDOUT_PREFIX = "handout-"
SETTINGS_STAMP = ".handout-settings"


def handout_target(docname: str) -> str:
    return f"{HANDOUT_PREFIX}{docname}.tex"


def _latex_settings_digest(app: Sphinx) -> str:
    """What shapes every handout besides its chapter: every setting but the HTML ones
    (Sphinx marks most LaTeX settings with no rebuild type at all), the generator."""
    digest = hashlib.sha256()
    for item in sorted(app.config, key=lambda item: item.name):
        if item.rebuild != "html" and item.name != "latex_documents":
            digest.update(f"{item.name}={_stable_repr(item.value)}\n".encode())
    return digest.hexdigest()


def _stable_repr(value) -> str:
    """``repr`` for plain data; the type name for objects whose repr holds an address."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return repr(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return "[" + ",".join(_stable_repr(v) for v in items) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{_stable_repr(k)}:{_stable_repr(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
    return type(value).__name__


def _needs_writing(app: Sphinx, docname: str, settings_changed: bool) -> bool:
    tex = Path(app.outdir) / handout_target(docname)
    if settings_changed or not tex.is_file():
        return True
    doctree = Path(app.doctreedir) / f"{docname}.doctree"
    return not doctree.is_file() or doctree.stat().st_mtime_ns > tex.stat().st_mtime_ns


def add_handout_documents(app: Sphinx, env: BuildEnvironment) -> None:
    """``env-updated``: the book, and a handout for each module whose chapter changed."""
    if app.builder.format != "latex":
        return
    stamp = Path(app.outdir) / SETTINGS_STAMP
    settings = _latex_settings_digest(app)
    settings_changed = not stamp.is_file() or stamp.read_text() != settings
    book = [entry for entry in app.config.latex_documents if not entry[1].startswith(HANDOUT_PREFIX)]
    words = Words.of(of_sphinx(app.config))
    handouts = [
        (
            docname,
            handout_target(docname),
            words("handout.title", number=info.number, title=env.titles[docname].astext()),
            app.config.author,
            "howto",
            False,
        )
        for docname, info in modules(env).items()
        if _needs_writing(app, docname, settings_changed)
    ]
    app.config.latex_documents = book + handouts


def mark_handouts_written(app: Sphinx, exc: Exception | None) -> None:
    """``build-finished``: the handouts written now are current, unchanged bytes or not."""
    if exc is not None or app.builder.format != "latex":
        return
    for entry in app.config.latex_documents:
        if entry[1].startswith(HANDOUT_PREFIX) and (Path(app.outdir) / entry[1]).is_file():
            (Path(app.outdir) / entry[1]).touch()
    (Path(app.outdir) / SETTINGS_STAMP).write_text(_latex_settings_digest(app))
