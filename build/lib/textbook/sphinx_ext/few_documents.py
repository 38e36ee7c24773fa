"""A rebuild of a few documents reads and writes them in the build's own process.

Sphinx 9 reads and writes in forked processes whenever it may use more than
one (``-j``), even for the single chapter a prose edit changed: the child
sends the whole environment back pickled while the parent polls for it, and
writing forks again. For a chapter or two that costs more than the work
itself, so such a build runs them in its own process; a cold build, or one
that re-reads many chapters, stays parallel.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

#: At most this many documents to read: read (and then write) in this process.
FEW = 2


def read_few_in_process(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``, after the handlers that may add documents."""
    if len(docnames) <= FEW:
        app.parallel = 1
