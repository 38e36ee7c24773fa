"""The HTML and EPUB templates compiled once, not in every build.

Each Sphinx run makes a new Jinja environment, which compiles every template a
page uses (the theme's layout and its dozens of parts) before writing a page
at all: most of the time of a build that writes one page. Jinja can keep the
compiled templates on disk (``FileSystemBytecodeCache``); it uses a kept one
only for the same template file with the same source, under the same Jinja
and Python. What else shapes the compiled code, the environment's extensions,
names the folder the templates are kept in.
"""

from __future__ import annotations

import hashlib

from jinja2 import Environment, FileSystemBytecodeCache
from sphinx.application import Sphinx

from textbook.core.config import of_sphinx


def keep_compiled_templates(app: Sphinx) -> None:
    """``builder-inited``: the builder's template environment, if it has one, keeps what it compiles."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if not isinstance(environment, Environment):
        return  # a builder without templates (the print builder), or another template bridge
    settings = sorted(environment.extensions) + [f"autoescape={environment.autoescape!r}"]
    folder = of_sphinx(app.config).cache_dir / "templates" / hashlib.sha256("\n".join(settings).encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
