"""Draw the book's figures from ``figures_src/`` and redraw only what changed.

Each ``figures_src/<name>.py`` is a figure script; files whose name starts with
``_`` are shared modules (the common style) that any script may import. A
figure's *digest* covers its script, every shared module and the worker that
renders it, so editing the style redraws everything and editing one script
redraws one figure. Digests are kept in ``.digests.json`` beside the output.

Scripts run in worker subprocesses (``textbook.figures.figure_worker``), so a crashing
script cannot take Sphinx down with it and matplotlib state never leaks into
the build process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from textbook.figures import figure_worker
from textbook.core.problems import traceback_problem

#: The formats every figure is written in: SVG, for HTML, the EPUB and print.
FORMATS = figure_worker.FORMATS
DIGESTS_FILE = ".digests.json"


class FigureError(Exception):
    """A figure script failed or is missing; the message names the script, ``problems``
    lists each failure as ``file:line: message``."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


@dataclass
class FigureReport:
    drawn: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def figure_scripts(src_dir: Path) -> dict[str, Path]:
    """Map each figure name to its script, in name order."""
    return {
        path.stem: path
        for path in sorted(src_dir.glob("*.py"))
        if not path.name.startswith("_")
    }


def _shared_modules(src_dir: Path) -> list[Path]:
    return sorted(path for path in src_dir.glob("_*.py"))


def figure_digest(script: Path, shared: list[Path]) -> str:
    """Hash what a figure's pixels depend on: its script, the shared modules, the worker."""
    digest = hashlib.sha256()
    for path in [script, *shared, Path(figure_worker.__file__)]:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _outputs(out_dir: Path, name: str) -> list[Path]:
    return [out_dir / f"{name}.{fmt}" for fmt in FORMATS]


def _load_digests(out_dir: Path) -> dict[str, str]:
    try:
        return json.loads((out_dir / DIGESTS_FILE).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def _save_digests(out_dir: Path, digests: dict[str, str]) -> None:
    tmp = out_dir / (DIGESTS_FILE + ".tmp")
    tmp.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, out_dir / DIGESTS_FILE)


def _run_worker(src_dir: Path, out_dir: Path, names: list[str]) -> list[tuple[str, str]]:
    """Draw ``names`` in one subprocess; return (name, error text) for each failure."""
    result = subprocess.run(
        [sys.executable, "-m", "textbook.figures.figure_worker", str(src_dir), str(out_dir), *names],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    failures = []
    for line in result.stdout.splitlines():
        if line.startswith(figure_worker.FAILURE_PREFIX):
            failures.append(tuple(json.loads(line[len(figure_worker.FAILURE_PREFIX):])))
    if result.returncode != 0 and not failures:
        failures.append((", ".join(names), result.stderr.strip() or f"exit code {result.returncode}"))
    return failures


def refresh_figures(src_dir: Path, out_dir: Path, jobs: int | None = None) -> FigureReport:
    """Bring ``out_dir`` in line with the scripts in ``src_dir``.

    Raises FigureError naming every script that failed; figures that were drawn
    successfully are kept, so fixing one script does not redraw the others.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    # A project without a figure folder simply has no figures.
    scripts = figure_scripts(src_dir) if src_dir.is_dir() else {}
    shared = _shared_modules(src_dir) if src_dir.is_dir() else []
    old = _load_digests(out_dir)
    report = FigureReport()

    wanted = {name: figure_digest(path, shared) for name, path in scripts.items()}
    stale = [
        name
        for name, digest in wanted.items()
        if old.get(name) != digest or not all(p.exists() for p in _outputs(out_dir, name))
    ]
    report.unchanged = [name for name in wanted if name not in stale]

    for name in sorted(set(old) - set(wanted)):
        for path in _outputs(out_dir, name):
            path.unlink(missing_ok=True)
        report.removed.append(name)

    failures: list[tuple[str, str]] = []
    if stale:
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(stale)))
        batches = [stale[i::jobs] for i in range(jobs)]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for batch_failures in pool.map(lambda b: _run_worker(src_dir, out_dir, b), batches):
                failures.extend(batch_failures)
    failed = {name for name, _ in failures}
    report.drawn = [name for name in stale if name not in failed]

    digests = {name: wanted[name] for name in report.unchanged + report.drawn}
    _save_digests(out_dir, digests)

    if failures:
        lines = [
            f"figure script {src_dir / (name + '.py') if name in scripts else name} failed:\n{text}"
            for name, text in sorted(failures)
        ]
        problems = [
            traceback_problem(src_dir / f"{name}.py", f"{src_dir.name}/{name}.py", text, "figure script failed")
            for name, text in sorted(failures)
        ]
        raise FigureError("\n\n".join(lines), problems)
    return report
