"""Measure how fast the book builds, and compare with Jupyter Book 1.0.x.

    .venv/bin/python benchmarks/build_speed.py [--skip-jupyter-book]

(or ``make benchmark``). Everything happens in a copy of the project under
``_build/bench/``, so the author's own build is left alone. The scenarios:

* cold:          every edition from nothing (notebooks executed, figures drawn)
* cold, HTML + PDF book: the two editions Jupyter Book makes, from nothing
* no-op:         the same command again, nothing changed
* prose edit:    one sentence added to a chapter; HTML only, then every edition
* figure edit:   one figure script changed; every edition
* exercise edit: one exercise's question changed; every edition

Jupyter Book 1.0.x pins Sphinx 7, so it gets a virtualenv of its own
(``_build/bench/jb-venv``, installed from PyPI on the first run) and a copy
of the same chapters with our directives replaced by plain MyST it
understands: the module overview as an admonition, script figures as figures
(drawn by us beforehand: Jupyter Book has no figure pipeline, which only
helps it), the bank's questions written into each chapter. It builds HTML,
then the PDF with its ``pdflatex`` builder (XeLaTeX as the engine, as ours,
because the text is Unicode, and Sphinx's own LaTeX classes, as ours: its
``jupyterBook.cls`` needs ``bbm.sty`` from Debian's 500 MB texlive-fonts-extra). Both tools execute the same notebooks from an
empty cache in the cold runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textbook.exercises.bank import load_bank  # noqa: E402
from textbook.exercises.render import heading, meta_text  # noqa: E402

BENCH = ROOT / "_build" / "bench"
JUPYTER_BOOK = "jupyter-book==1.0.4.post1"
#: What the chapters import, for Jupyter Book's own virtualenv.
CHAPTER_PACKAGES = [
    "ipykernel", "numpy", "pandas", "matplotlib", "scikit-learn", "mlflow", "skops",
    "onnx", "skl2onnx", "onnxruntime", "fastapi", "httpx2", "uvicorn", "scipy", "pyarrow",
    "pandera", "dvc", "pytest", "hypothesis", "check-jsonschema", "prometheus-client", "statsmodels",
]  # fmt: skip
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1764115200", "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "1"}


def timed(command: list[str], cwd: Path, log: Path, env: dict = ENV) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    log.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}; see {log}")
    return seconds


def copy_project(target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    ignore = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", "*.egg-info", "benchmarks")
    shutil.copytree(ROOT, target, ignore=ignore)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def measure_ours() -> dict[str, float]:
    project = BENCH / "ours"
    copy_project(project)
    build = [sys.executable, "-m", "textbook.cli", "build"]
    logs = BENCH / "logs"
    chapter = sorted((project / "book").glob("0*.md"))[-1]
    figure = sorted(p for p in (project / "figures_src").glob("*.py") if not p.name.startswith("_"))[0]
    exercise = sorted((project / "exercises").glob("*/*.md"))[0]
    results = {"cold, HTML + PDF book": timed([*build, "html", "pdf"], project, logs / "ours-cold-html-pdf.log")}
    shutil.rmtree(project / "_build")
    results["cold"] = timed([*build, "all"], project, logs / "ours-cold.log")
    results["no-op"] = timed([*build, "all"], project, logs / "ours-noop.log")
    append(chapter, "\nOne more sentence of prose, added by the benchmark.\n")
    results["prose edit, html"] = timed([*build, "html"], project, logs / "ours-prose-html.log")
    results["prose edit, all editions"] = timed([*build, "all"], project, logs / "ours-prose-all.log")
    append(figure, "\n# an edit to the figure script\nLINE_WIDTH_CHANGED = True\n")
    figure.write_text(figure.read_text().replace("def draw():", "def draw():\n    import matplotlib\n    matplotlib.rcParams['lines.linewidth'] = 2.5", 1))
    results["figure edit, all editions"] = timed([*build, "all"], project, logs / "ours-figure.log")
    drawn = re.search(r"figures: (\d+) drawn", (logs / "ours-figure.log").read_text())
    results["figures redrawn by the figure edit"] = int(drawn.group(1)) if drawn else -1
    exercise.write_text(exercise.read_text().replace("## Question\n", "## Question\n\nRead carefully.\n", 1))
    results["exercise edit, all editions"] = timed([*build, "all"], project, logs / "ours-exercise.log")
    return results


# -- Jupyter Book --------------------------------------------------------------------


def jupyter_book_venv() -> Path:
    venv = BENCH / "jb-venv"
    python = venv / "bin" / "python"
    if not (venv / "bin" / "jb").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", JUPYTER_BOOK, *CHAPTER_PACKAGES], check=True)
    return venv


_OVERVIEW = re.compile(r"^```\{module-overview\}\n(.*?)^```\n", re.M | re.S)
_SCRIPT_FIGURE = re.compile(r"^```\{script-figure\} (\S+)\n(.*?)^```\n", re.M | re.S)
_EXERCISES = re.compile(r"^```\{exercises\}\n```\n", re.M)
_EX_ROLE = re.compile(r"\{ex\}`([^`]+)`")


def _overview(match: re.Match) -> str:
    import yaml

    data = yaml.safe_load(match.group(1))
    objectives = "\n".join(f"{i}. {text}" for i, text in enumerate(data["objectives"].values(), 1))
    prerequisites = "\n".join(f"- {p}" for p in data["prerequisites"])
    return (
        "```{admonition} Module at a glance\n"
        f"**Difficulty:** {data['difficulty']} of 3\n\n**Estimated time:** {data['minutes']} minutes\n\n"
        f"**Prerequisites:**\n\n{prerequisites}\n\nBy the end of this module you will be able to:\n\n{objectives}\n```\n"
    )


def _figure(match: re.Match) -> str:
    name, body = match.group(1), match.group(2)
    return f"```{{figure}} figures/{name}.*\n:name: fig-{name}\n{body}```\n"


def _questions(bank, docname: str) -> str:
    parts = []
    for exercise in bank.for_module(docname):
        parts.append(f"### {heading(exercise)}\n\n*{meta_text(exercise)}*\n\n{exercise.sections['Question'].text}\n")
        parts += [f"{chr(65 + i)}. {choice.text}\n" for i, choice in enumerate(exercise.choices)]
        if exercise.kind == "code":
            parts.append(f"```python\n{exercise.code('Starter')}```\n")
    return "\n".join(parts)


def jupyter_book_project(figures: Path) -> Path:
    """The project's chapters, in MyST that Jupyter Book 1.0 understands, with ``figures``."""
    project = BENCH / "jb"
    shutil.rmtree(project, ignore_errors=True)
    (project / "figures").mkdir(parents=True)
    for drawn in figures.glob("*.*"):
        if drawn.suffix in (".svg", ".pdf"):
            shutil.copy(drawn, project / "figures")
    bank = load_bank(ROOT / "exercises", ROOT / "book")
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))
    for chapter in chapters:
        text = _OVERVIEW.sub(_overview, chapter.read_text())
        text = _SCRIPT_FIGURE.sub(_figure, text)
        text = _EXERCISES.sub(lambda m, d=chapter.stem: _questions(bank, d), text)
        text = _EX_ROLE.sub(lambda m: f"Exercise {bank.exercises[m.group(1)].number}", text)
        (project / chapter.name).write_text(text)
    # The running example's shared code, which chapters import and show.
    shutil.copytree(ROOT / "book" / "_course", project / "_course", ignore=shutil.ignore_patterns("__pycache__"))
    index = (ROOT / "book" / "index.md").read_text()
    (project / "index.md").write_text(re.sub(r"```\{toctree\}.*?```\n", "", index, flags=re.S))
    (project / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nparts:\n- caption: Modules\n  numbered: true\n  chapters:\n"
        + "".join(f"  - file: {c.stem}\n" for c in chapters)
    )
    (project / "_config.yml").write_text(
        "title: MLOps from Notebook to Production\nauthor: The MLOps Textbook authors\n"
        "execute:\n  execute_notebooks: cache\n  timeout: 300\n"
        "parse:\n  myst_enable_extensions: [colon_fence, dollarmath, deflist]\n"
        "latex:\n  latex_engine: xelatex\n  use_jupyterbook_latex: false\n  latex_documents:\n    targetname: book.tex\n"
        "sphinx:\n  config:\n    nb_execution_in_temp: true\n    numfig: true\n"
    )
    return project


def measure_jupyter_book(figures: Path) -> dict[str, float]:
    venv = jupyter_book_venv()
    project = jupyter_book_project(figures)
    jb = str(venv / "bin" / "jb")
    logs = BENCH / "logs"
    # Its kernel is its own Python; chapters import the shared code from the project folder.
    env = {**ENV, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "PYTHONPATH": str(project)}
    results = {}
    for scenario, name in (("cold", "cold"), ("no-op", "noop")):
        html = timed([jb, "build", ".", "--builder", "html"], project, logs / f"jb-{name}-html.log", env)
        pdf = timed([jb, "build", ".", "--builder", "pdflatex"], project, logs / f"jb-{name}-pdf.log", env)
        results[scenario] = html + pdf
    results["cold, HTML + PDF book"] = results["cold"]
    return results


def table(ours: dict, jupyter_book: dict | None) -> str:
    lines = ["| scenario | this generator | Jupyter Book 1.0 (HTML + PDF) | ratio |", "|---|---|---|---|"]
    for scenario, value in ours.items():
        if scenario.startswith("figures redrawn"):
            lines.append(f"| {scenario} | {value} | | |")
            continue
        theirs = (jupyter_book or {}).get(scenario)
        ratio = f"{value / theirs:.2f}" if theirs else ""
        lines.append(f"| {scenario} | {value:.1f} s | {f'{theirs:.1f} s' if theirs else ''} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-jupyter-book", action="store_true", help="measure this generator only")
    parser.add_argument("--reuse-ours", action="store_true", help="take this generator's times from the last run")
    args = parser.parse_args()
    (BENCH / "logs").mkdir(parents=True, exist_ok=True)
    print(f"benchmark: building a copy of the project in {BENCH} ({os.cpu_count()} cores)", flush=True)
    ours = json.loads((BENCH / "results.json").read_text())["ours"] if args.reuse_ours else measure_ours()
    figures = BENCH / "ours" / "_build" / "figures"
    jupyter_book = None if args.skip_jupyter_book else measure_jupyter_book(figures)
    report = table(ours, jupyter_book)
    print(report)
    (BENCH / "results.json").write_text(json.dumps({"ours": ours, "jupyter_book": jupyter_book}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
