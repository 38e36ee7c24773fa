"""A gate run in a process of its own: it reads the PDFs just printed while this process goes on
building the other editions (a 2-core machine does both at once)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: The folder that holds the ``textbook`` package, for the processes ``start`` starts.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def start(module: str, cache_file: Path, pdfs: list[Path], *settings: str) -> subprocess.Popen:
    """``python -m module cache_file setting... pdf...``: the gate's ``__main__`` prints its verdict as JSON."""
    command = [sys.executable, "-m", module, str(cache_file), *settings, *map(str, pdfs)]
    path = os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))  # this very package
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": path})


def finish(process: subprocess.Popen, gate: str):
    """The verdict ``start``'s process printed; its error if it failed."""
    out, err = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the {gate} gate failed:\n{err}")
    return json.loads(out)


def stop(process: subprocess.Popen | None) -> None:
    """A gate no longer waited for (the build failed elsewhere) is ended, not left running."""
    if process is not None and process.poll() is None:
        process.kill()
        process.communicate()
