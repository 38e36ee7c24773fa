"""Where the generator's inputs and generated files live, resolved from config.

Paths in ``conf.py`` are relative to the folder that holds it (the project
root), like every other Sphinx path setting; ``resolve_paths`` makes them
absolute once, when the config is read, so every later reader agrees.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

PATH_SETTINGS = (
    "textbook_figures_source",
    "textbook_figures_output",
    "textbook_exercises_source",
    "textbook_chapters_source",
    "textbook_cache",
)


def resolve_paths(app: Sphinx, config: Config) -> None:
    for setting in PATH_SETTINGS:
        if setting not in config or not config[setting]:
            continue  # not registered, or left empty to mean a default (see below)
        config[setting] = str((Path(app.confdir) / config[setting]).resolve())


def figure_source_dir(config: Config) -> Path:
    return Path(config.textbook_figures_source)


def figure_output_dir(config: Config) -> Path:
    return Path(config.textbook_figures_output)


def exercises_dir(config: Config) -> Path:
    return Path(config.textbook_exercises_source)


def chapters_dir(app: Sphinx) -> Path:
    """The module chapters: the Sphinx source folder unless set (the workbook's project sets it)."""
    return Path(app.config.textbook_chapters_source or app.srcdir)


def cache_dir(config: Config) -> Path:
    return Path(config.textbook_cache)
