"""Math drawn as SVG the same way on every build.

dvisvgm (3.0.3, Debian 12) writes the glyph definitions of a formula in an
order that varies from run to run, so two builds of the same page embed
different SVG bytes for the same formula. ``sphinx.ext.imgmath`` runs the
command that ``imgmath_dvisvgm`` names; the build names a small script that
runs this module, which runs dvisvgm and then sorts the definitions by id.
Run as ``python -m textbook.math_svg DVISVGM-ARGS...``.
"""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

from . import paths

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
    script = paths.cache_dir(config) / "bin" / "dvisvgm-sorted"
    text = f'#!/bin/sh\nexec "{sys.executable}" -m textbook.math_svg "$@"\n'
    if not script.is_file() or script.read_text() != text:
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(text)
        script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    config.imgmath_dvisvgm = str(script)


def main(argv: list[str]) -> int:
    result = subprocess.run(["dvisvgm", *argv])
    if result.returncode == 0 and "-o" in argv:
        out = Path(argv[argv.index("-o") + 1])
        out.write_text(sorted_definitions(out.read_text(encoding="utf-8")), encoding="utf-8")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
