"""Measure how fast the book builds, and compare with Jupyter Book 1.0.x.

    .venv/bin/python benchmarks/build_speed.py [--runs 5] [--cold-runs 5] [--skip-jupyter-book] [--report]
    .venv/bin/python benchmarks/build_speed.py --more-cold-runs N   # N more cold rounds, added
    .venv/bin/python benchmarks/build_speed.py --edits-only         # the edits again, replaced

(or ``make benchmark``). Everything happens in a copy of the project under
``_build/bench/``, so the author's own build is left alone. Every scenario
runs several times and is reported as median, min and max, since this
machine is shared and noisy. The scenarios:

The builds run as an author's do, with the copy's build server (``core/build_server.py``):
started by the first build, kept between the edits, stopped before each cold
build and at the end.

* cold:           every edition from nothing (notebooks executed, figures drawn, no build server)
* cold, HTML + PDF book: the two editions Jupyter Book makes, from nothing;
                  each run is paired with a cold Jupyter Book run in the same
                  call, and the ratio is the median of the pairs' ratios
* cold, execution cache restored: ``_build/`` emptied except the notebook cache and
                  the code-check results, as CI restores them from the last run
* no-op:          the same command again, nothing changed
* prose edit:     one sentence added to a chapter; HTML only, then every edition
* serve:          ``textbook serve`` running; from saving a prose edit until the
                  served page holds the new sentence
* figure edit:    one figure script changed; every edition
* exercise edit:  one exercise's question changed; every edition
* machine reference: Typst printing the book with every kept unit measured, in
                  a process of its own (what every build printed before heights
                  were kept), to compare this shared machine's speed between days

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
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textbook.bank.bank import load_bank  # noqa: E402
from textbook.exercises.render import heading, meta_text  # noqa: E402
from textbook.core import build_server, toolchain  # noqa: E402
from textbook.core.layout import EDITIONS, tools_for  # noqa: E402
from textbook.typst.builder import HANDOUT_PREFIX, TEMPLATE  # noqa: E402
from textbook.typst.kept_heights import GIVEN  # noqa: E402

BENCH = ROOT / "_build" / "bench"
JUPYTER_BOOK = "jupyter-book==1.0.4.post1"
#: What the chapters import, for Jupyter Book's own virtualenv.
CHAPTER_PACKAGES = [
    "ipykernel", "numpy", "pandas", "matplotlib", "scikit-learn", "mlflow", "skops",
    "onnx", "skl2onnx", "onnxruntime", "fastapi", "httpx2", "uvicorn", "scipy", "pyarrow",
    "pandera", "dvc", "pytest", "hypothesis", "check-jsonschema", "prometheus-client", "statsmodels",
]  # fmt: skip
#: Jupyter Book prints its PDF with Sphinx's LaTeX route: XeLaTeX, latexmk, the LaTeX packages
#: sphinx.sty loads, its default fonts, and xindy for the index. Only this comparison needs them.
JUPYTER_BOOK_LATEX = toolchain.SystemTool(
    "XeLaTeX, latexmk and xindy (Jupyter Book's PDF)",
    ("xelatex", "latexmk", "xindy"),
    ("texlive-xetex", "texlive-latex-recommended", "texlive-latex-extra", "texlive-fonts-recommended",
     "tex-gyre", "fonts-freefont-otf", "latexmk", "xindy"),
)  # fmt: skip
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
    """The project's sources into ``target``, keeping the ``_build/`` there (cold rounds empty it)."""
    for child in target.iterdir() if target.is_dir() else []:
        if child.name != "_build":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    ignore = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", "*.egg-info", "benchmarks")
    shutil.copytree(ROOT, target, ignore=ignore, dirs_exist_ok=True)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


class Project:
    """Our copy of the project, and the commands that build it."""

    def __init__(self):
        self.root = BENCH / "ours"
        copy_project(self.root)
        self.logs = BENCH / "logs"
        self.chapter = self.root / "book" / "09-monitoring.md"  # has math, figures and executed plots
        self.figure = sorted(p for p in (self.root / "figures_src").glob("*.py") if not p.name.startswith("_"))[0]
        self.exercise = sorted((self.root / "exercises").glob("*/*.md"))[0]
        self.edits = 0

    def build(self, editions: list[str], log: str) -> float:
        return timed([sys.executable, "-m", "textbook.cli", "build", *editions], self.root, self.logs / f"ours-{log}.log")

    def empty_build_folder(self, keep: tuple[str, ...] = ()) -> None:
        """Remove ``_build/`` except the named folders inside it, and stop the copy's build server:
        a cold build starts from nothing, no layout or Java kept warm either."""
        build_server.stop(self.root)
        build = self.root / "_build"
        saved = BENCH / "kept"
        shutil.rmtree(saved, ignore_errors=True)
        for name in keep:
            _copy(build / name, saved / name)
        shutil.rmtree(build, ignore_errors=True)
        for name in keep:
            _copy(saved / name, build / name)

    def edit_prose(self) -> str:
        self.edits += 1
        marker = f"Benchmark sentence number {self.edits}."
        append(self.chapter, f"\n{marker}\n")
        return marker

    def edit_figure(self) -> None:
        self.edits += 1
        append(self.figure, f"\n# an edit to the figure script, number {self.edits}\n")
        text = self.figure.read_text()
        self.figure.write_text(text.replace("def draw():", f"def draw():\n    import matplotlib\n    matplotlib.rcParams['lines.linewidth'] = {1 + self.edits / 10}", 1))

    def edit_exercise(self) -> None:
        self.edits += 1
        text = self.exercise.read_text()
        self.exercise.write_text(text.replace("## Question\n", f"## Question\n\nRead carefully ({self.edits}).\n", 1))


def _copy(source: Path, target: Path) -> None:
    """A file or a folder, if it exists."""
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


#: What a CI job restores from its last run: executed notebooks and passed code checks.
CI_CACHE = (".jupyter_cache", "cache/exercise-checks.json")


#: Prints the book as the work folder holds it, in the folder it is run in; prints the seconds.
_PRINT_BOOK = ("import sys, time, typst; started = time.perf_counter(); typst.compile(sys.argv[1], output='book.pdf', "
               "root='.', pdf_standards=['ua-1'], ignore_system_fonts=True); print(time.perf_counter() - started)")


def machine_reference(project: Project) -> float:
    """Seconds Typst takes to print the book with no unit's height given, in a fresh process."""
    scratch = BENCH / "reference"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(project.root / "_build" / ".work" / "typst", scratch)
    for given in scratch.glob(f"*{GIVEN}"):
        given.write_text("{}")
    [book] = [typ for typ in scratch.glob("*.typ") if typ.name != TEMPLATE.name and not typ.name.startswith(HANDOUT_PREFIX)]
    done = subprocess.run([sys.executable, "-c", _PRINT_BOOK, book.name], cwd=scratch, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmark: the machine reference failed: {done.stderr[-2000:]}")
    return float(done.stdout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_times(project: Project, runs: int) -> list[float]:
    """Seconds from saving a prose edit until ``textbook serve`` serves the page with it."""
    port = free_port()
    log = (project.logs / "ours-serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "textbook.cli", "serve", "--port", str(port)],
                              cwd=project.root, env=ENV, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    page = f"http://127.0.0.1:{port}/{project.chapter.stem}.html"
    try:
        wait_for(page, "", timeout=600)  # the first build
        times = []
        for _ in range(runs):
            time.sleep(2)  # let the watcher settle after the previous rebuild
            marker = project.edit_prose()
            started = time.perf_counter()
            wait_for(page, marker, timeout=120)
            times.append(time.perf_counter() - started)
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def wait_for(url: str, text: str, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8", "replace"):
                    return
        except (OSError, http.client.HTTPException):  # not served yet, or read while being rewritten
            pass
        time.sleep(0.05)
    raise SystemExit(f"benchmark: {url} did not show {text!r} within {timeout:.0f} s")


def measure(
    runs: int, cold_runs: int, jupyter_book: JupyterBook | None, kept: dict | None = None, edits_only: bool = False
) -> tuple[dict, dict]:
    """Every scenario's times, and Jupyter Book's cold times run in pairs with ours.

    One round of cold builds comes first, then the edits (on the tree the last
    cold build left), then the remaining cold rounds, the slowest part; the
    results file is rewritten after every measurement, so a run cut short
    still reports what it measured. With ``kept`` (an earlier results file),
    either only ``cold_runs`` more cold rounds run, their times added to it,
    or (``edits_only``) the no-op and edit scenarios are measured again and
    replace its own, after one untimed build of the copy.
    """
    project = Project()
    ours: dict[str, list[float]] = kept["ours"] if kept else {}
    theirs: dict[str, list[float]] = kept["jupyter_book"] if kept else {}

    def record(results: dict, scenario: str, value: float) -> None:
        results.setdefault(scenario, []).append(value)
        (BENCH / "results.json").write_text(json.dumps({"ours": ours, "jupyter_book": theirs}, indent=1) + "\n")

    def cold_round() -> None:
        project.empty_build_folder()
        record(ours, "cold, HTML + PDF book", project.build(["html", "pdf"], "cold-html-pdf"))
        if jupyter_book:
            record(theirs, "cold, HTML + PDF book", jupyter_book.cold(project.root / "_build" / "figures"))
        project.empty_build_folder()
        record(ours, "cold, all editions", project.build(["all"], "cold"))
        project.empty_build_folder(keep=CI_CACHE)
        record(ours, "cold, all editions, execution cache restored", project.build(["all"], "cold-ci"))

    if kept and not edits_only:
        for _ in range(cold_runs):
            cold_round()
        return ours, theirs
    if edits_only:
        for scenario in [s for s in ours if not s.startswith("cold")]:
            del ours[scenario]
        project.build(["all"], "edits-setup")
    else:
        cold_round()
    for _ in range(runs):
        record(ours, "no-op, all editions", project.build(["all"], "noop"))
    for _ in range(runs):
        project.edit_prose()
        record(ours, "prose edit, html", project.build(["html"], "prose-html"))
    for seconds in serve_times(project, runs):
        record(ours, "prose edit, serve: save until served", seconds)
    for _ in range(runs):
        project.edit_prose()
        record(ours, "prose edit, all editions", project.build(["all"], "prose-all"))
    for _ in range(runs):
        project.edit_exercise()
        record(ours, "exercise edit, all editions", project.build(["all"], "exercise"))
    for _ in range(runs):
        record(ours, "machine reference: the book printed, every unit measured", machine_reference(project))
    for _ in range(runs):
        project.edit_figure()
        record(ours, "figure edit, all editions", project.build(["all"], "figure"))
        drawn = re.search(r"figures: (\d+) drawn", (project.logs / "ours-figure.log").read_text())
        record(ours, "figures redrawn by a figure edit", int(drawn.group(1)) if drawn else -1)
    for _ in range(0 if edits_only else cold_runs - 1):
        cold_round()
    return ours, theirs


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


#: Each figure script's drawing saved as PDF, in a process of its own (matplotlib's state stays there).
_DRAW_AS_PDF = """
import sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
from textbook.figures.figure_worker import _load_script
scripts, target = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(scripts))
for script in sorted(scripts.glob("[!_]*.py")):
    _load_script(script).draw().savefig(target / f"{script.stem}.pdf", metadata={"CreationDate": None})
"""


def draw_as_pdf(scripts: Path, target: Path) -> None:
    """Jupyter Book's LaTeX cannot include SVG, the only format we draw: its figures are drawn
    again as PDF, beforehand, outside its timed builds."""
    subprocess.run([sys.executable, "-c", _DRAW_AS_PDF, str(scripts), str(target)], check=True, env=ENV)


def jupyter_book_project(figures: Path) -> Path:
    """The project's chapters, in MyST that Jupyter Book 1.0 understands, with ``figures``."""
    project = BENCH / "jb"
    shutil.rmtree(project, ignore_errors=True)
    (project / "figures").mkdir(parents=True)
    for drawn in figures.glob("*.svg"):
        shutil.copy(drawn, project / "figures")
    draw_as_pdf(ROOT / "figures_src", project / "figures")
    bank = load_bank(ROOT / "exercises", ROOT / "book")
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]-*.md"))
    for chapter in chapters:
        text = _OVERVIEW.sub(_overview, chapter.read_text())
        text = _SCRIPT_FIGURE.sub(_figure, text)
        text = _EXERCISES.sub(lambda m, d=chapter.stem: _questions(bank, d), text)
        text = _EX_ROLE.sub(lambda m: f"Exercise {bank.exercises[m.group(1)].number}", text)
        (project / chapter.name).write_text(text)
    # The running example's shared code, which chapters import and show, and every other
    # page of the book: the preface and licence (the home page includes the preface) and
    # the glossary the {term} roles point to.
    shutil.copytree(ROOT / "book" / "_course", project / "_course", ignore=shutil.ignore_patterns("__pycache__"))
    others = [page for page in sorted((ROOT / "book").glob("*.md")) if page not in chapters and page.stem != "index"]
    for page in others:
        shutil.copy(page, project / page.name)
    index = (ROOT / "book" / "index.md").read_text()
    (project / "index.md").write_text(re.sub(r"```\{toctree\}.*?```\n", "", index, flags=re.S))
    front = [page.stem for page in others if page.stem != "glossary"]
    (project / "_toc.yml").write_text(
        "format: jb-book\nroot: index\nparts:\n- caption: About this book\n  chapters:\n"
        + "".join(f"  - file: {stem}\n" for stem in front)
        + "- caption: Modules\n  numbered: true\n  chapters:\n"
        + "".join(f"  - file: {c.stem}\n" for c in chapters)
        + "- caption: Back matter\n  chapters:\n  - file: glossary\n"
    )
    (project / "_config.yml").write_text(
        "title: MLOps from Notebook to Production\nauthor: The MLOps Textbook authors\n"
        "execute:\n  execute_notebooks: cache\n  timeout: 300\n"
        "parse:\n  myst_enable_extensions: [colon_fence, dollarmath, deflist]\n"
        "latex:\n  latex_engine: xelatex\n  use_jupyterbook_latex: false\n  latex_documents:\n    targetname: book.tex\n"
        "sphinx:\n  config:\n    nb_execution_in_temp: true\n    numfig: true\n"
    )
    return project


class JupyterBook:
    """Jupyter Book's virtualenv and its copy of the chapters, built from nothing on each call."""

    def __init__(self):
        self.venv = jupyter_book_venv()
        self.project: Path | None = None

    def cold(self, figures: Path) -> float:
        """HTML then PDF from an empty ``_build/`` (its notebook cache included)."""
        if self.project is None:
            self.project = jupyter_book_project(figures)  # our first cold build drew the figures
        shutil.rmtree(self.project / "_build", ignore_errors=True)
        jb = str(self.venv / "bin" / "jb")
        logs = BENCH / "logs"
        # Its kernel is its own Python; chapters import the shared code from the project folder.
        env = {**ENV, "PATH": f"{self.venv / 'bin'}:{os.environ['PATH']}", "PYTHONPATH": str(self.project)}
        html = timed([jb, "build", ".", "--builder", "html"], self.project, logs / "jb-cold-html.log", env)
        pdf = timed([jb, "build", ".", "--builder", "pdflatex"], self.project, logs / "jb-cold-pdf.log", env)
        return html + pdf


def spread(values: list[float], unit: str = " s") -> str:
    """Median, then min-max and the number of runs."""
    if len(values) == 1:
        return f"{values[0]:.1f}{unit} (1 run)"
    return f"{statistics.median(values):.1f}{unit} ({min(values):.1f}-{max(values):.1f}, {len(values)} runs)"


def table(ours: dict, theirs: dict) -> str:
    """The Markdown table of ``results.json`` (``--report`` prints it again from the file)."""
    lines = [
        "| scenario | this generator: median (min-max, runs) | Jupyter Book 1.0 (HTML + PDF) | ratio |",
        "|---|---|---|---|",
    ]
    jb_cold = theirs.get("cold, HTML + PDF book")
    for scenario, values in ours.items():
        if scenario.startswith("figures redrawn"):
            lines.append(f"| {scenario} | {', '.join(str(v) for v in values)} | | |")
            continue
        jb, ratio = "", ""
        if jb_cold and scenario == "cold, HTML + PDF book":
            jb = spread(jb_cold)
            ratio = f"{statistics.median(a / b for a, b in zip(values, jb_cold)):.2f} (median of {len(jb_cold)} pairs)"
        elif scenario == "cold, all editions, execution cache restored" and "cold, all editions" in ours:
            ratio = f"{statistics.median(values) / statistics.median(ours['cold, all editions']):.2f} of our cold build"
        elif jb_cold and scenario == "cold, all editions":
            ratio = f"{statistics.median(values) / statistics.median(jb_cold):.2f} (of medians)"
        lines.append(f"| {scenario} | {spread(values)} | {jb} | {ratio} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each edit and no-op scenario (default 5)")
    parser.add_argument("--cold-runs", type=int, default=5, help="runs of each cold scenario (default 5)")
    parser.add_argument("--skip-jupyter-book", action="store_true", help="measure this generator only")
    parser.add_argument("--report", action="store_true", help="print the table of the last results.json and stop")
    parser.add_argument("--more-cold-runs", type=int, default=0, metavar="N",
                        help="add N cold rounds to the last results.json (edits are not measured again)")  # fmt: skip
    parser.add_argument("--edits-only", action="store_true",
                        help="measure the no-op and edit scenarios again, replacing them in the last results.json")  # fmt: skip
    args = parser.parse_args()
    if args.report:
        results = json.loads((BENCH / "results.json").read_text())
        print(table(results["ours"], results["jupyter_book"]))
        return 0
    try:  # every edition's tools, and Jupyter Book's, before anything is timed
        toolchain.ensure([*tools_for(EDITIONS), *(() if args.skip_jupyter_book else (JUPYTER_BOOK_LATEX,))])
    except toolchain.ToolchainError as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 1
    (BENCH / "logs").mkdir(parents=True, exist_ok=True)
    print(f"benchmark: building a copy of the project in {BENCH} ({os.cpu_count()} cores)", flush=True)
    jupyter_book = None if args.skip_jupyter_book else JupyterBook()
    try:
        if args.more_cold_runs or args.edits_only:
            kept = json.loads((BENCH / "results.json").read_text())
            ours, theirs = measure(args.runs, args.more_cold_runs, jupyter_book, kept, args.edits_only)
        else:
            ours, theirs = measure(args.runs, args.cold_runs, jupyter_book)
    finally:
        build_server.stop(BENCH / "ours")  # the copy's builds used one; it is not left running
    print(table(ours, theirs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
