"""Two clean builds of the same sources give byte-identical editions."""

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

TINY = Path(__file__).parent / "projects" / "tiny"
COMPARED = ("html", "epub", "pdf", "figures")


def different_files(left: Path, right: Path) -> list[str]:
    """Paths under ``left`` whose bytes differ from (or are missing in) ``right``, and back."""
    found = []
    for name in COMPARED:
        a, b = left / name, right / name
        files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
        files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
        found += [f"{name}/{p} (only one build has it)" for p in sorted(files_a ^ files_b)]
        found += [f"{name}/{p}" for p in sorted(files_a & files_b) if not filecmp.cmp(a / p, b / p, shallow=False)]
    return found


def _build(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-m", "textbook.cli", "build"], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_two_clean_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("_build"))  # keeps file times
        _build(root)
    assert (first / "_build" / "pdf" / "workbook.pdf").is_file()
    assert different_files(first / "_build", second / "_build") == []


def test_math_svg_definitions_are_sorted_whatever_order_dvisvgm_wrote():
    from textbook.sphinx_ext.math_svg import sorted_definitions

    head, tail = "<svg>\n<defs>\n", "</defs>\n<g id='page1'>\n<use xlink:href='#g0-1'/>\n</g>\n</svg>\n"
    one = head + "<path id='g1-53' d='M1'/>\n<path id='g0-105' d='M2'/>\n" + tail
    other = head + "<path id='g0-105' d='M2'/>\n<path id='g1-53' d='M1'/>\n" + tail
    assert sorted_definitions(one) == sorted_definitions(other) == other
