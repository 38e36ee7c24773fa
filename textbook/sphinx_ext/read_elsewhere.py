"""Pages of documents that another builder read are rewritten.

The HTML, EPUB and print builders share one environment, so a chapter is read
(and executed) once, by whichever step comes first. An HTML-family builder
then decides which pages to write by comparing each page with its *source
file*; a chapter re-read because something it depends on changed (the shared
code it runs, a redrawn figure, its exercises) keeps an old source file, so a
later step that did not read it would keep its old page, which may refer to
images that are gone. Here a page is also outdated when the document was read
after the page was written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment


def pages_older_than_their_reading(app: Sphinx, env: BuildEnvironment) -> Iterator[str]:
    """``env-get-updated``: documents read (by any step) since this builder wrote their page.

    A reading ends with the document's doctree written to disk, so the two
    files' times are compared, both by the file system's clock.
    """
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        return
    for docname in env.all_docs:
        try:
            read_at = os.stat(Path(env.doctreedir) / f"{docname}.doctree").st_mtime_ns
            written_at = os.stat(builder.get_output_path(docname)).st_mtime_ns
        except OSError:
            continue  # never read into a file, or never written: Sphinx's own rules decide
        if read_at > written_at:
            yield docname
