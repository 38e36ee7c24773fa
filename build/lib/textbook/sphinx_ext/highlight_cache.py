"""Code blocks highlighted for LaTeX once, kept between builds.

The LaTeX builder writes the whole book (and every handout it rewrites) at
each build, and Pygments highlights each of its ~480 code blocks again: 1.8 s
of a prose edit's PDF step. A block's highlighted LaTeX depends only on its
text, language, options and the highlighter's style, so it is kept in
``_build/cache/highlight-latex-<output folder digest>.pickle``, keyed by all of those
and the Sphinx and Pygments versions. Nothing is kept from a build that
failed or warned (a block whose highlighting warned must warn again), and
blocks no longer used are dropped when the file is saved.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

import pygments
import sphinx
from sphinx.application import Sphinx
from sphinx.highlighting import PygmentsBridge

from textbook.core import patches
from textbook.core.config import of_sphinx

_highlight_block = PygmentsBridge.highlight_block


class _Kept:
    """The highlighted blocks of one build: those found on disk, and those it used."""

    def __init__(self, file: Path):
        self.file = file
        try:
            self.found: dict[str, str] = pickle.loads(file.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            self.found = {}
        self.used: dict[str, str] = {}


_kept: _Kept | None = None


def _key(bridge: PygmentsBridge, source: str, lang: str, opts, force: bool, kwargs: dict) -> str:
    style = {name: getattr(value, "__qualname__", value) for name, value in bridge.formatter_args.items()}
    described = (sphinx.__version__, pygments.__version__, bridge.dest, bridge.latex_engine, sorted(style.items()),
                 source, lang, sorted((opts or {}).items()), force, sorted(kwargs.items()))  # fmt: skip
    return hashlib.sha256(repr(described).encode()).hexdigest()


def _highlight_kept(self: PygmentsBridge, source, lang, opts=None, force=False, location=None, **kwargs) -> str:
    kept = _kept
    if kept is None or self.dest != "latex" or not isinstance(source, str):
        return _highlight_block(self, source, lang, opts, force, location, **kwargs)
    key = _key(self, source, lang, opts, force, kwargs)
    highlighted = kept.found.get(key)
    if highlighted is None:
        highlighted = _highlight_block(self, source, lang, opts, force, location, **kwargs)
    kept.used[key] = highlighted
    return highlighted


def load(app: Sphinx) -> None:
    """``builder-inited``: a LaTeX build finds the blocks earlier builds highlighted."""
    global _kept
    _kept = None
    if app.builder.format == "latex":
        folder = hashlib.sha256(str(app.outdir).encode()).hexdigest()[:12]  # book, workbook, an exam...
        file = of_sphinx(app.config).cache_dir / f"highlight-latex-{folder}.pickle"
        _kept = _Kept(file)
        patches.replace(PygmentsBridge, "highlight_block", _highlight_kept)


def save(app: Sphinx, exc: Exception | None) -> None:
    """``build-finished``: keep the blocks this build used, if it succeeded without a warning."""
    global _kept
    kept, _kept = _kept, None
    if kept is None or exc is not None or app._warncount or kept.used == kept.found:
        return
    kept.file.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.file.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(kept.used, pickle.HIGHEST_PROTOCOL))
    partial.replace(kept.file)
