"""``textbook serve``: sphinx-autobuild, each rebuild forked from a process with Sphinx imported.

sphinx-autobuild runs ``python -m sphinx build`` after every save, so each
rebuild first spends over a second importing Sphinx, MyST-NB (with
jupyter-cache and SQLAlchemy), the theme and this extension. Here the
preview imports them once, at start, and each rebuild runs in a process
forked from it (sphinx-autobuild calls the builder in a worker process
forked from the preview; the build forks once more), so a save reaches the
browser in about the time Sphinx takes to read and write the changed page.
Each rebuild is still a fresh process: no Sphinx state carries over from one
build to the next, nor into the preview itself.

Sphinx rewrites pages in place while the preview serves them, so a page
requested mid-build can grow between the server's ``stat`` (its declared
length) and its read; the preview then sends pages without a length
(chunked), and the reload that follows the build brings the finished page.
"""

from __future__ import annotations

import importlib
import multiprocessing
import sys
from collections.abc import Sequence
from pathlib import Path

from sphinx_autobuild import __main__ as autobuild
from sphinx_autobuild.build import Builder
from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
from sphinx_autobuild.utils import show_message

from textbook.core import patches

#: Imported once by the preview; what a rebuild would otherwise import every time.
PRELOAD = [
    "sphinx.cmd.build",
    "sphinx.builders.html",
    "myst_nb.sphinx_ext",
    "sphinx_book_theme",
    "textbook.sphinx_ext.extension",
    "textbook.exercises",
]


def _sphinx_build(arguments: list[str]) -> None:
    from sphinx.cmd.build import build_main

    sys.exit(build_main(arguments))


class ForkedBuilder(Builder):
    """sphinx-autobuild's builder, with ``python -m sphinx build`` replaced by a forked process."""

    context = multiprocessing.get_context("fork")

    def __call__(self, *, changed_paths: Sequence[Path]) -> None:
        if changed_paths:
            show_message(f"Detected changes ({', '.join(p.name for p in changed_paths[:5])})")
        show_message("Rebuilding...")
        process = self.context.Process(target=_sphinx_build, args=(list(self.sphinx_args),))
        process.start()
        process.join()
        if process.exitcode != 0:
            print(f"Sphinx exited with exit code {process.exitcode}: the preview still shows the last "
                  "good build. Fix the problem above and save again, or press Ctrl+C.")  # fmt: skip
        show_message(f"Serving on {self.uri}")


class UnmeasuredInjector(JavascriptInjectorMiddleware):
    """sphinx-autobuild's reload-script injector, sending every response without a declared
    length: a file that grows while it is read (Sphinx writing it) is then sent, not refused
    by the HTTP layer with a traceback."""

    async def __call__(self, scope, receive, send) -> None:
        async def send_unmeasured(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
            await send(message)

        await super().__call__(scope, receive, send_unmeasured if scope["type"] == "http" else send)


def serve(arguments: list[str]) -> int:
    """Run sphinx-autobuild with ``arguments`` (its command line, without the program name)."""
    for module in PRELOAD:
        importlib.import_module(module)
    patches.replace(autobuild, "Builder", ForkedBuilder)  # main() builds and serves with whatever Builder names
    patches.replace(autobuild, "JavascriptInjectorMiddleware", UnmeasuredInjector)  # and injects with this
    autobuild.main(arguments)
    return 0
