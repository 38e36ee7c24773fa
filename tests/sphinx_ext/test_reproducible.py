"""Two clean builds of the same sources give byte-identical editions."""

import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path
from zipfile import ZipFile

from bs4 import BeautifulSoup

from tests.conftest import copy_tiny
COMPARED = ("html", "epub", "pdf", "figures")
#: The cell tag of outputs that measure time (CONTRIBUTING.md): they differ at every execution.
TIME_TAG = "measures-time"


def different_files(left: Path, right: Path) -> list[str]:
    """Paths under ``left`` whose bytes differ from (or are missing in) ``right``, and back,
    apart from the outputs of cells tagged ``measures-time``: two builds that each executed
    the chapters (no shared execution cache) compare equal when only those differ."""
    numbers = _time_numbers(left) | _time_numbers(right)
    found = []
    for name in COMPARED:
        a, b = left / name, right / name
        drawn = _time_images(a) | _time_images(b)  # named by their content: only one build has each
        files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} - drawn
        files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()} - drawn
        found += [f"{name}/{p} (only one build has it)" for p in sorted(files_a ^ files_b)]
        found += [
            f"{name}/{p}"
            for p in sorted(files_a & files_b)
            if not filecmp.cmp(a / p, b / p, shallow=False) and not _same_but_time(a / p, b / p, numbers)
        ]
    return found


def how_they_differ(left: Path, right: Path, names: list[str]) -> str:
    """For a failure message: whether each differing PDF differs in its text or only in its bytes,
    and the first line that differs."""
    lines = []
    for name in names:
        a, b = left / name, right / name
        if a.suffix != ".pdf" or not (a.is_file() and b.is_file()):
            lines.append(name)
            continue
        texts = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True).stdout for p in (a, b)]
        if texts[0] == texts[1]:
            lines.append(f"{name}: same text, {a.stat().st_size} and {b.stat().st_size} bytes")
            continue
        pairs = zip(texts[0].splitlines(), texts[1].splitlines())
        first = next(((n, x, y) for n, (x, y) in enumerate(pairs, 1) if x != y), None)
        lines.append(f"{name}: text differs" + (f" at line {first[0]}: {first[1]!r} / {first[2]!r}" if first else " in length"))
    return "\n".join(lines)


def _time_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if TIME_TAG in c.get("metadata", {}).get("tags", [])]


def _time_numbers(build: Path) -> set[str]:
    """Every word holding a digit that a time-measuring cell printed, in any chapter."""
    words = set()
    for notebook in (build / "html" / "_sources").glob("*.ipynb"):
        for cell in _time_cells(json.loads(notebook.read_text())):
            for output in cell.get("outputs", []):
                text = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
                words |= {w for w in text.split() if any(ch.isdigit() for ch in w)}
    return words


def _time_images(edition: Path) -> set[Path]:
    """The images that time-measuring cells drew, as paths in an HTML edition."""
    images = set()
    for page in edition.glob("*.html"):
        for output in BeautifulSoup(page.read_text(), "html.parser").select(f"div.tag_{TIME_TAG} div.cell_output"):
            images |= {Path(img["src"]) for img in output.select("img[src]") if not img["src"].startswith("data:")}
    return images


def _same_but_time(a: Path, b: Path, numbers: set[str]) -> bool:
    """Whether two files differ only in what time-measuring cells printed or drew."""
    if a.suffix == ".html":
        return _page_without_time(a) == _page_without_time(b)
    if a.suffix == ".ipynb":
        return _notebook_without_time(a) == _notebook_without_time(b)
    if a.suffix == ".epub":
        return _epub_without_time(a) == _epub_without_time(b)
    if a.suffix == ".zip":
        return _zip_without_time(a) == _zip_without_time(b)
    if a.suffix == ".pdf" and numbers:  # compared as words, each measured number masked
        return _pdf_words(a, numbers) == _pdf_words(b, numbers)
    return False


def _page_without_time(path: Path) -> str:
    return _markup_without_time(path.read_text())


def _markup_without_time(markup: str) -> str:
    soup = BeautifulSoup(markup, "html.parser")
    for output in soup.select(f"div.tag_{TIME_TAG} div.cell_output"):
        output.clear()
    return str(soup)


def _epub_without_time(path: Path) -> dict[str, bytes | str]:
    """An EPUB's members, pages without time-measuring outputs, and without the images
    those outputs drew (named by their content) in the file list or the manifest."""
    with ZipFile(path) as book:
        members = {name: book.read(name) for name in book.namelist()}
    drawn = set()
    for name, data in members.items():
        if name.endswith(".xhtml"):
            outputs = BeautifulSoup(data.decode(), "html.parser").select(f"div.tag_{TIME_TAG} div.cell_output")
            drawn |= {img["src"] for output in outputs for img in output.select("img[src]")}
    kept = {}
    for name, data in members.items():
        if name in drawn:
            continue
        if name.endswith(".xhtml"):
            kept[name] = _markup_without_time(data.decode())
        elif name.endswith(".opf"):
            kept[name] = "\n".join(line for line in data.decode().splitlines() if not any(f'"{d}"' in line for d in drawn))
        else:
            kept[name] = data
    return kept


def _zip_without_time(path: Path) -> dict[str, bytes | dict]:
    """A chapter's runnable zip: its members, the notebook without time-measuring outputs."""
    with ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    return {name: _without_time(json.loads(data)) if name.endswith(".ipynb") else data for name, data in members.items()}


def _notebook_without_time(path: Path) -> dict:
    return _without_time(json.loads(path.read_text()))


def _without_time(notebook: dict) -> dict:
    for cell in _time_cells(notebook):
        cell["outputs"] = []
    return notebook


def _pdf_words(path: Path, numbers: set[str]) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return ["#" if word in numbers else word for word in text.split()]


def _build(root: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run([sys.executable, "-m", "textbook.cli", "build"], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


#: A cell whose output differs at every execution, tagged as the book's timing cells are: a
#: measured word ("123ns") the search index would hold, a figure named by its measured content.
TIMING_CELL = """
```{code-cell} ipython3
---
tags: [measures-time]
mystnb:
  image:
    alt: A square titled with the time the cell took.
---
import time
import matplotlib.pyplot as plt
took = time.perf_counter_ns()
print(f"measured {took} ns, that is {took}ns")
plt.figure(figsize=(1, 1))
plt.title(f"{took} ns")
plt.show()
```
"""


def test_two_clean_builds_are_byte_identical(tmp_path):
    """Each build executes the chapter itself (no shared cache): only the timing cell may differ."""
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        copy_tiny(root)  # keeps file times
        chapter = root / "book" / "00-run.md"
        stat = chapter.stat()
        chapter.write_text(chapter.read_text() + TIMING_CELL)
        os.utime(chapter, (stat.st_atime, stat.st_mtime))  # the same date in both builds
        _build(root)
    outputs = [(root / "_build" / "html" / "00-run.html").read_text() for root in (first, second)]
    assert "measured " in outputs[0] and outputs[0] != outputs[1]  # the comparison has something to skip
    assert (first / "_build" / "pdf" / "workbook.pdf").is_file()
    differing = different_files(first / "_build", second / "_build")
    assert differing == [], how_they_differ(first / "_build", second / "_build", differing)


def _fake_build(root: Path, timed: str, untimed: str) -> Path:
    """An HTML edition with one chapter: a timing cell's output and another cell's."""
    html = root / "html"
    (html / "_sources").mkdir(parents=True)
    (html / "00-run.html").write_text(
        f'<div class="cell tag_{TIME_TAG}"><div class="cell_output"><pre>{timed}</pre></div></div>'
        f'<div class="cell"><div class="cell_output"><pre>{untimed}</pre></div></div>'
    )
    cells = [{"metadata": {"tags": [TIME_TAG]}, "outputs": [{"text": timed}]},
             {"metadata": {}, "outputs": [{"text": untimed}]}]
    (html / "_sources" / "00-run.ipynb").write_text(json.dumps({"cells": cells}))
    with ZipFile(html / "_sources" / "00-run.zip", "w") as runnable:  # the notebook again, with the shared code
        runnable.writestr("00-run/00-run.ipynb", json.dumps({"cells": cells}))
        runnable.writestr("00-run/_course/__init__.py", "")
    return root


def test_only_the_outputs_of_timing_cells_may_differ(tmp_path):
    base = _fake_build(tmp_path / "base", "took 1.2 s", "total = 45")
    assert different_files(base, _fake_build(tmp_path / "timed", "took 3.4 s", "total = 45")) == []
    untimed = _fake_build(tmp_path / "untimed", "took 1.2 s", "total = 46")
    assert different_files(base, untimed) == ["html/00-run.html", "html/_sources/00-run.ipynb", "html/_sources/00-run.zip"]
