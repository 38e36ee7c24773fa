"""Where the generator's inputs and generated files live, resolved from config.

Paths in ``conf.py`` are relative to the folder that holds it (the project
root), like every other Sphinx path setting; ``resolve_paths`` makes them
absolute once, when the config is read, so every later reader agrees.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

PATH_SETTINGS = ("textbook_figures_source", "textbook_figures_output")


def resolve_paths(app: Sphinx, config: Config) -> None:
    for setting in PATH_SETTINGS:
        config[setting] = str((Path(app.confdir) / config[setting]).resolve())


def figure_source_dir(config: Config) -> Path:
    return Path(config.textbook_figures_source)


def figure_output_dir(config: Config) -> Path:
    return Path(config.textbook_figures_output)
