"""Every source file must be UTF-8: a bad byte is refused with its file, line and offset.

A chapter, an exercise, a figure script or ``conf.py`` saved in another
encoding (or with one stray byte) would otherwise surface as a
``UnicodeDecodeError`` deep inside whichever reader meets it first, naming no
file. ``textbook build`` checks every source before anything else and
reports all bad files at once; the readers use ``read_utf8`` so that one met
later (``sphinx-build``, ``textbook serve``) says the same thing.

This module imports nothing heavy: the build runs it before Sphinx.
"""

from __future__ import annotations

from pathlib import Path

from textbook.core.config import ProjectConfig



class SourceEncodingError(ValueError):
    """A source file is not UTF-8; the message is ``file:line: what is wrong and what to do``."""


def decoding_problem(path: Path, shown: str | Path | None = None) -> str | None:
    """``file:line: message`` for the first byte of ``path`` that is not UTF-8, or None."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return (
            f"{shown or path}:{line}: byte 0x{data[error.start]:02x} at offset {error.start} is not UTF-8 "
            f"({error.reason}); save the file as UTF-8"
        )
    return None


def read_utf8(path: Path, shown: str | Path | None = None) -> str:
    """The text of ``path``; SourceEncodingError naming the file and line if it is not UTF-8."""
    problem = decoding_problem(path, shown)
    if problem is not None:
        raise SourceEncodingError(problem)
    return path.read_text(encoding="utf-8")


def undecodable_sources(root: Path) -> list[str]:
    """A problem (``file:line: message``, paths relative to ``root``) for each source that is not UTF-8."""
    conf = Path(root) / "conf.py"
    if conf.is_file() and (problem := decoding_problem(conf, "conf.py")):
        return [problem]  # the settings that name the other folders cannot be read
    project = ProjectConfig.read(root)
    globs = [(project.chapters_dir, "**/*.md"), (project.exercises_dir, "**/*.md"), (project.figures_dir, "**/*.py")]
    sources = sorted(path for folder, pattern in globs for path in folder.glob(pattern) if path.is_file())
    problems = (decoding_problem(path, path.relative_to(project.root) if path.is_relative_to(project.root) else path)
                for path in sources)  # fmt: skip
    return [problem for problem in problems if problem is not None]
