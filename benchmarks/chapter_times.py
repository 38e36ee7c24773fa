"""Execute each chapter alone, one after another, and report how long it takes.

    .venv/bin/python benchmarks/chapter_times.py [--runs N] [CHAPTER ...]

(or ``make chapter-times``). A chapter's execution time bounds a cold build
(chapters run in parallel, one per core): each may take at most 30 s, the
capstone (module 12, which runs the whole Level 2 loop) at most 60 s. Each run is a fresh kernel in a fresh folder, exactly as the build
runs a chapter (``textbook.execution.execute_worker``, with the shared code on the
path), and nothing is cached. With ``--runs N`` the median, min and max of N
runs are shown, since this machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from myst_nb.core.config import NbParserConfig
from myst_nb.core.read import read_myst_markdown_notebook
from myst_parser.config.main import MdParserConfig

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
LIMIT_SECONDS = 30
#: Chapters allowed longer: the capstone runs every earlier module's layer in one loop.
LONGER_LIMITS = {"12-automated-retraining": 60}
QUIET_KERNELS = ROOT / "_build" / "cache" / "jupyter"


def execute_once(chapter: Path) -> float:
    """Seconds to execute ``chapter`` in a fresh kernel; fails loudly if a cell fails."""
    notebook = read_myst_markdown_notebook(chapter.read_text(encoding="utf-8"), MdParserConfig())
    with tempfile.TemporaryDirectory(prefix="chapter-time-") as folder:
        given, result, cwd = Path(folder) / "in.ipynb", Path(folder) / "out.json", Path(folder) / "cwd"
        cwd.mkdir()
        nbformat.write(notebook, given)
        env = {**os.environ, "PYTHONPATH": str(BOOK), "PYTHONDONTWRITEBYTECODE": "1",
               "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1", "TMPDIR": folder}
        if QUIET_KERNELS.is_dir():  # the build's kernel spec, without ipykernel's TCP warning
            env["JUPYTER_PATH"] = str(QUIET_KERNELS)
        subprocess.run([sys.executable, "-m", "textbook.execution.execute_worker", str(given), str(result), str(cwd),
                        str(NbParserConfig().execution_timeout * 10), "0"], env=env, check=True, cwd=ROOT)
        outcome = json.loads(result.read_text())
    if not outcome["ok"]:
        raise SystemExit(f"{chapter.name}: a cell failed")
    return outcome["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter files or names (default: every chapter)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    chapters = [BOOK / (name if name.endswith(".md") else f"{name}.md") for name in args.chapters]
    chapters = [Path(c) if Path(c).is_file() else c for c in chapters] or sorted(BOOK.glob("[0-9][0-9]-*.md"))
    print(f"{'chapter':<32}{'median s':>9}{'min':>7}{'max':>7}")
    over = []
    for chapter in chapters:
        times = [execute_once(chapter) for _ in range(args.runs)]
        median = statistics.median(times)
        print(f"{chapter.stem:<32}{median:>9.1f}{min(times):>7.1f}{max(times):>7.1f}", flush=True)
        limit = LONGER_LIMITS.get(chapter.stem, LIMIT_SECONDS)
        if median > limit:
            over.append(f"{chapter.stem} (limit {limit} s)")
    if over:
        print(f"over the limit: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
