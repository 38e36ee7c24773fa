"""The ``script-figure`` directive: include a figure drawn by ``figures_src/<name>.py``.

Usage in a chapter::

    ```{script-figure} attrition-funnel
    :alt: Bar chart: 100% of projects start, 22% reach production.

    The attrition funnel of ML projects.
    ```

It is Sphinx's ``figure`` with the image path filled in as ``<name>.*``, so
every edition shows the SVG. The label defaults to
``fig-<name>`` for ``{numref}``. Alt text and a caption are required: every
figure is numbered and every image needs a text alternative.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils.parsers.rst import directives
from sphinx.directives.patches import Figure
from sphinx.util.docutils import SphinxDirective

from textbook.core.config import of_sphinx


class ScriptFigure(SphinxDirective):
    required_arguments = 1
    has_content = True
    option_spec = {
        "alt": directives.unchanged_required,
        "name": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
        "class": directives.class_option,
    }

    def run(self):
        name = self.arguments[0]
        script = of_sphinx(self.config).figures_dir / f"{name}.py"
        if not script.is_file():
            raise self.error(
                f"no figure script for '{name}': create {_shown(script, Path.cwd())} "
                "with a draw() function, or fix the name"
            )
        if not self.options.get("alt"):
            raise self.error(f"script-figure '{name}' needs an :alt: text describing the figure")
        if not self.content:
            raise self.error(f"script-figure '{name}' needs a caption (the directive's content)")

        image_path = of_sphinx(self.config).figures_output / f"{name}.*"
        srcdir = Path(self.env.srcdir)
        uri = "/" + Path(os.path.relpath(image_path, srcdir)).as_posix()
        options = dict(self.options)
        options.setdefault("name", f"fig-{name}")
        figure = Figure(
            "figure",
            [uri],
            options,
            self.content,
            self.lineno,
            self.content_offset,
            self.block_text,
            self.state,
            self.state_machine,
        )
        return figure.run()


def _shown(path: Path, root) -> str:
    """A path as an author would type it: relative to the project where possible."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
