"""Render figure scripts to SVG; run as ``python -m textbook.figures.figure_worker``.

A figure script defines ``draw()`` returning a matplotlib Figure. This worker
imports it, saves it in every format with no timestamps and a fixed SVG hash
salt (so the same script always gives the same bytes), and writes atomically:
a script that fails leaves no half-written file behind.

Usage: ``python -m textbook.figures.figure_worker SRC_DIR OUT_DIR NAME [NAME ...]``.
A failure is printed as one line ``FAILURE_PREFIX + json([name, traceback])``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path

FORMATS = ("svg",)
FAILURE_PREFIX = "figure-failed: "

#: Metadata that would otherwise make every rendering differ (dates, versions).
_METADATA = {
    "svg": {"Date": None, "Creator": None},
}


def _load_script(path: Path):
    spec = importlib.util.spec_from_file_location(f"figure_{path.stem.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render(src_dir: Path, out_dir: Path, name: str) -> None:
    """Draw one figure and write ``<name>.svg`` into ``out_dir``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcdefaults()
    matplotlib.rcParams["svg.hashsalt"] = f"textbook-{name}"
    script = src_dir / f"{name}.py"
    module = _load_script(script)
    draw = getattr(module, "draw", None)
    if not callable(draw):
        raise TypeError(f"{script} must define a function draw() that returns a matplotlib Figure")
    figure = draw()
    if not isinstance(figure, matplotlib.figure.Figure):
        raise TypeError(f"draw() in {script} returned {type(figure).__name__}, not a matplotlib Figure")
    for fmt in FORMATS:
        target = out_dir / f"{name}.{fmt}"
        tmp = out_dir / f".{name}.tmp.{fmt}"
        try:
            figure.savefig(tmp, format=fmt, metadata=_METADATA[fmt])
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
    plt.close(figure)


def main(argv: list[str]) -> int:
    src_dir, out_dir, *names = argv
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    sys.path.insert(0, str(src_dir))  # so scripts can import the shared style modules
    failed = 0
    for name in names:
        try:
            render(src_dir, out_dir, name)
        except BaseException:  # report any failure of the script, including SystemExit
            failed += 1
            print(FAILURE_PREFIX + json.dumps([name, traceback.format_exc()]), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
