"""What a Sphinx run that did not finish cleanly read and wrote is done again by the next one.

Sphinx decides what to redo from file times: a document is read again when
its source is newer than its last reading, a page written again when its
source is newer than the page. A run that fails, by a warning (which the
build treats as an error) or an exception, or that is killed, has already
read documents and written pages; the next run finds them up to date and the
build publishes them: a chapter whose cell failed, with the traceback in its
page.

So every run marks its doctree folder and its output folder when it starts
(a file beside each, ``.<folder>.unfinished-run``, so that nothing packages
or publishes it),
and removes both marks only when it ends with no exception and no warning.
A mark left behind keeps the time of the first unfinished run since the last
clean one. A later run then reads again every document whose doctree is
newer than the doctree folder's mark, and writes again every page newer than
the output folder's mark (HTML-family builders; the print builder assembles
its documents on every run anyway).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment

def mark_of(folder: Path) -> Path:
    """The mark of an unfinished run in ``folder``: beside it, not in it."""
    return folder.parent / f".{folder.name}.unfinished-run"


def _marks(app: Sphinx) -> tuple[Path, Path]:
    return mark_of(Path(app.doctreedir)), mark_of(Path(app.outdir))


def _made_at(mark: Path) -> int | None:
    try:
        return mark.stat().st_mtime_ns
    except OSError:
        return None


def _newer(path: Path, than: int) -> bool:
    try:
        return path.stat().st_mtime_ns >= than
    except OSError:
        return False  # never written: Sphinx's own rules decide


def mark_run_started(app: Sphinx) -> None:
    """``builder-inited``, before anything is read or written: a mark in each folder, unless one is left."""
    for mark in _marks(app):
        if not mark.exists():
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.touch()


def documents_read_by_unfinished_runs(app: Sphinx, env: BuildEnvironment, added, changed, removed) -> list[str]:
    """``env-get-outdated``: documents read since the doctree folder's mark was made."""
    since = _made_at(_marks(app)[0])
    if since is None:
        return []
    return [docname for docname in env.all_docs if _newer(Path(env.doctreedir) / f"{docname}.doctree", since)]


def pages_written_by_unfinished_runs(app: Sphinx, env: BuildEnvironment) -> Iterator[str]:
    """``env-get-updated``: documents whose page was written since the output folder's mark was made."""
    since = _made_at(_marks(app)[1])
    if since is None or not isinstance(app.builder, StandaloneHTMLBuilder):
        return
    for docname in env.all_docs:
        if _newer(Path(app.builder.get_output_path(docname)), since):
            yield docname


def mark_run_finished(app: Sphinx, exception: BaseException | None) -> None:
    """``build-finished``, after every other handler: a clean run removes both marks."""
    if exception is None and app._warncount == 0:  # Sphinx's own count, as it decides the exit status
        for mark in _marks(app):
            mark.unlink(missing_ok=True)


def register(app: Sphinx) -> None:
    app.connect("builder-inited", mark_run_started, priority=100)
    app.connect("env-get-outdated", documents_read_by_unfinished_runs)
    app.connect("env-get-updated", pages_written_by_unfinished_runs)
    app.connect("build-finished", mark_run_finished, priority=1000)

