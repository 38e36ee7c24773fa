"""Execute one notebook as MyST-NB does; run as ``python -m textbook.execution.execute_worker``.

Usage: ``python -m textbook.execution.execute_worker IN.ipynb OUT.json CWD TIMEOUT ALLOW_ERRORS``.
Writes ``{"ok": bool, "seconds": float, "notebook": <executed notebook>}``
to OUT.json. A process of its own, so that several chapters run at once and
their kernels' event loops never share a thread.
"""

from __future__ import annotations

import json
import sys

import nbformat
from jupyter_cache.executors.utils import single_nb_execution


def main(argv: list[str]) -> int:
    given, result, cwd, timeout, allow_errors = argv
    notebook = nbformat.read(given, as_version=4)
    outcome = single_nb_execution(
        notebook, cwd=cwd, timeout=int(timeout), allow_errors=allow_errors == "1", meta_override=True
    )
    with open(result, "w", encoding="utf-8") as handle:
        json.dump({"ok": outcome.err is None, "seconds": outcome.time, "notebook": outcome.nb}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
