"""Math drawn as SVG the same way on every build.

dvisvgm (3.0.3, Debian 12) writes the glyph definitions of a formula in an
order that varies from run to run, so two builds of the same page embed
different SVG bytes for the same formula. ``sphinx.ext.imgmath`` runs the
command that ``imgmath_dvisvgm`` names; the build names a small script that
runs this module, which runs dvisvgm and then sorts the definitions by id.
Run as ``python -m textbook.sphinx_ext.math_svg DVISVGM-ARGS...``.

With ``imgmath_embed`` the SVGs end up inside the pages and imgmath deletes
its folder of drawn formulas after every build, so each rewritten page ran
LaTeX and dvisvgm again for every formula it holds (13 s for module 09's
34). The folder is kept in the build cache between builds instead; imgmath
names each file by a hash of its LaTeX, so a kept file is only reused for
the same formula under the same settings.

A formula sits on the text's baseline: imgmath measures its depth with the
``preview`` package (``imgmath_use_preview``) and lowers the image by it, in
the HTML edition and the EPUB, which shares its drawn formulas. Without it,
an inline formula's bottom edge stood on the baseline, the formula too high.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from textbook.core.config import of_sphinx

_DEFS = re.compile(r"(<defs>\n)(.*?)(</defs>)", re.S)
_ID = re.compile(r"id='([^']*)'")


def sorted_definitions(svg: str) -> str:
    """``svg`` with the lines inside ``<defs>`` in the order of their ids."""

    def sort(match: re.Match) -> str:
        lines = match.group(2).splitlines(keepends=True)
        return match.group(1) + "".join(sorted(lines, key=lambda line: _ID.findall(line)[:1])) + match.group(3)

    return _DEFS.sub(sort, svg)


def use_sorted_dvisvgm(app, config) -> None:
    """``config-inited``: point imgmath at a script that runs this module."""
    if "imgmath_dvisvgm" not in config or config.imgmath_dvisvgm != "dvisvgm":
        return  # no imgmath, or the author chose another converter
    script = of_sphinx(config).cache_dir / "bin" / "dvisvgm-sorted"
    text = f'#!/bin/sh\nexec "{sys.executable}" -m textbook.sphinx_ext.math_svg "$@"\n'
    if not script.is_file() or script.read_text() != text:
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(text)
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    config.imgmath_dvisvgm = str(script)


def on_the_baseline(app, config) -> None:
    """``config-inited``: imgmath measures each formula's depth and lowers it by as much."""
    if "imgmath_use_preview" in config:
        config.imgmath_use_preview = True


def _drawn_formulas(app) -> tuple[Path, Path] | None:
    """imgmath's folder of drawn formulas, and where the cache keeps it."""
    if app.builder.format != "html" or "imgmath_embed" not in app.config or not app.config.imgmath_embed:
        return None
    return Path(app.builder.outdir) / app.builder.imagedir / "math", of_sphinx(app.config).cache_dir / "math-svg"


def restore_drawn_formulas(app) -> None:
    """``builder-inited``: imgmath finds the formulas drawn by earlier builds."""
    folders = _drawn_formulas(app)
    if folders and folders[1].is_dir() and not folders[0].exists():
        folders[0].parent.mkdir(parents=True, exist_ok=True)
        folders[1].rename(folders[0])


def keep_drawn_formulas(app, exc) -> None:
    """``build-finished``, before imgmath deletes them: keep the drawn formulas.

    After a failed build a formula may be half-written, so nothing is kept.
    """
    folders = _drawn_formulas(app)
    if not folders or not folders[0].is_dir():
        return
    shutil.rmtree(folders[1], ignore_errors=True)
    if exc is None:
        folders[1].parent.mkdir(parents=True, exist_ok=True)
        folders[0].rename(folders[1])


def main(argv: list[str]) -> int:
    result = subprocess.run(["dvisvgm", *argv])
    if result.returncode == 0 and "-o" in argv:
        out = Path(argv[argv.index("-o") + 1])
        out.write_text(sorted_definitions(out.read_text(encoding="utf-8")), encoding="utf-8")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
