"""``textbook new``: a course that builds every edition at once, with CI files valid for their services."""

import copy
import json
import re
import runpy
from pathlib import Path

import jsonschema
import pytest
import yaml

from textbook import cli
from textbook.bank.bank import load_bank
from textbook.bank.schema import KINDS
from textbook.core.config import ProjectConfig, documentation
from textbook.core.layout import EDITIONS, Layout
from textbook.instructor import exams
from textbook.gates.leaks import pdf_text
from textbook.pipeline import build
from textbook.scaffold import new_course

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
WRITTEN = {
    "conf.py", "Makefile", "README.md", "requirements.txt", ".gitignore", ".gitlab-ci.yml",
    ".github/workflows/book.yml", "book/index.md", "book/00-getting-started.md", "book/glossary.md",
    "figures_src/_style.py", "figures_src/running-mean.py", "exams/quiz.yml",
    *(f"exercises/00-getting-started/{name}.md" for name in (
        "01-mean-by-hand", "02-mean-table", "03-same-every-build", "04-why-it-settles",
        "05-what-a-seed-does", "06-mean-function")),
}  # fmt: skip
#: This repository's Makefile targets, which a course's Makefile offers too (but the book's benchmarks).
TARGETS = "book html epub pdf handouts workbook key report moodle exam grade gradescope serve proof test setup clean".split()


def _new(folder: Path, *options: str) -> Path:
    assert cli.main(["new", str(folder), *options]) == 0
    return folder


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def _yaml(path: Path) -> dict:
    """A CI file as its service reads it: PyYAML (YAML 1.1) reads the key ``on`` as True."""
    document = yaml.safe_load(path.read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def _schema_errors(document: dict, schema: str) -> list[str]:
    validator = jsonschema.Draft7Validator(json.loads((SCHEMAS / schema).read_text()))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("courses") / "stats-101"
    return _new(folder, "--title", "Statistics for Everyone", "--author", "Ada Lovelace", "--language", "de")


def test_new_writes_a_whole_course(course, capsys):
    assert _files(course) == WRITTEN
    for name in WRITTEN:
        assert "@@" not in (course / name).read_text(), f"{name}: a placeholder left unfilled"
    conf = runpy.run_path(str(course / "conf.py"))
    assert (conf["project"], conf["author"], conf["language"]) == ("Statistics for Everyone", "Ada Lovelace", "de")
    assert conf["extensions"] == ["myst_nb", "textbook"]  # math is the generator's (MathML)
    assert conf["latex_documents"][0][:2] == ("index", "stats-101.pdf") and "latex_engine" not in conf
    assert conf["html_theme"] == "sphinx_book_theme"
    assert ProjectConfig.read(course).language == "de"

    makefile = (course / "Makefile").read_text()
    assert set(re.findall(r"^\.PHONY: (.*)$", makefile, re.M)[0].split()) == set(TARGETS)
    assert all(re.search(rf"^{target}:", makefile, re.M) for target in TARGETS)
    assert f"GENERATOR ?= {ROOT}\n" in makefile, "made from a source checkout: the checkout is the generator"
    assert '"$(GENERATOR)" -r requirements.txt' in makefile
    requirements = (course / "requirements.txt").read_text().splitlines()
    assert all(line.startswith("#") or not line.strip() for line in requirements), "the sample needs no package"
    assert set((course / ".gitignore").read_text().split()) >= {"_build/", ".venv/", "__pycache__/", ".ipynb_checkpoints/"}
    assert documentation() in (course / "README.md").read_text()

    chapter = (course / "book" / "00-getting-started.md").read_text()
    for part in ("```{module-overview}", "```{code-cell} ipython3", "$$", "```{script-figure} running-mean",
                 "{numref}`fig-running-mean`", "{ref}`sec-start-mean`", "{term}`mean`", "```{exercises}"):
        assert part in chapter, part
    assert "00-getting-started" in (course / "book" / "index.md").read_text()


def test_the_course_bank_has_every_kind_and_the_quiz_plans(course):
    bank = load_bank(course / "exercises", course / "book")
    assert {exercise.kind for exercise in bank.exercises.values()} == set(KINDS)
    [code] = [exercise for exercise in bank.exercises.values() if exercise.kind == "code"]
    assert {"Public checks", "Hidden checks"} <= set(code.sections)
    exam, _, plans = exams.plan(Layout(course), course / "exams" / "quiz.yml", 2, seed=1)
    assert exam.title and len(plans) == 2 and all(plan.exercises for plan in plans)


def test_defaults_come_from_the_folders_name(tmp_path):
    course = _new(tmp_path / "my-first_course")
    conf = runpy.run_path(str(course / "conf.py"))
    assert (conf["project"], conf["author"], conf["language"]) == ("My first course", "The authors", "en")
    assert conf["latex_documents"][0][1] == "my-first-course.pdf"


def test_a_folder_that_is_not_empty_is_refused_and_nothing_written(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "draft.md").write_text("# Draft\n")
    assert cli.main(["new", str(folder)]) == 1
    error = capsys.readouterr().err
    assert f"{folder} is not empty" in error and "nothing was written" in error
    assert _files(folder) == {"draft.md"}
    assert cli.main(["new", str(folder / "draft.md")]) == 1
    assert f"{folder / 'draft.md'} is a file" in capsys.readouterr().err
    assert _files(folder) == {"draft.md"}


class _Installed:
    """An installed distribution's metadata, as ``importlib.metadata`` reads it."""

    def __init__(self, direct_url: str | None):
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


def test_a_course_installs_the_generator_from_where_it_came(tmp_path, monkeypatch):
    """A source checkout installs itself; a generator pip installed from a folder, that folder
    (PEP 610's direct_url.json); one from a package index, the distribution's name."""
    assert new_course.generator_spec() == str(ROOT)
    fake = tmp_path / "site-packages" / "textbook" / "scaffold" / "new_course.py"  # an installed generator
    monkeypatch.setattr(new_course, "__file__", str(fake))
    (tmp_path / "site-packages" / "pyproject.toml").parent.mkdir(parents=True)
    (tmp_path / "site-packages" / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    monkeypatch.setattr(new_course, "distribution", lambda name: _Installed(None))
    assert new_course.generator_spec() == "textbook-generator"
    monkeypatch.setattr(new_course, "distribution", lambda name: _Installed(f'{{"url": "file://{ROOT}", "dir_info": {{}}}}'))
    assert new_course.generator_spec() == str(ROOT)
    wheel = '{"url": "https://files.example/textbook_generator-0.1.0-py3-none-any.whl", "archive_info": {}}'
    monkeypatch.setattr(new_course, "distribution", lambda name: _Installed(wheel))
    assert new_course.generator_spec() == "textbook-generator"


def test_the_ci_files_are_valid_for_github_and_gitlab(course):
    workflow = _yaml(course / ".github" / "workflows" / "book.yml")
    gitlab = _yaml(course / ".gitlab-ci.yml")
    assert _schema_errors(workflow, "github-workflow.json") == []
    assert _schema_errors(gitlab, "gitlab-ci.json") == []

    # The schemas do catch a mistake in either file.
    broken = copy.deepcopy(workflow)
    broken["jobs"]["build"]["runs_on"] = broken["jobs"]["build"].pop("runs-on")
    assert _schema_errors(broken, "github-workflow.json")
    broken = copy.deepcopy(gitlab)
    broken["pages"]["artifacts"]["path"] = broken["pages"]["artifacts"].pop("paths")
    assert _schema_errors(broken, "gitlab-ci.json")

    steps = workflow["jobs"]["build"]["steps"] + workflow["jobs"]["pages"]["steps"]
    uses = {step["uses"].split("@")[0]: step for step in steps if "uses" in step}
    assert set(uses) == {"actions/checkout", "actions/setup-python", "actions/cache",
                         "actions/upload-pages-artifact", "actions/deploy-pages"}  # fmt: skip
    text = (course / ".github" / "workflows" / "book.yml").read_text()
    assert len(re.findall(r"uses: actions/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", text, re.M)) == len(uses)
    assert uses["actions/cache"]["with"]["path"].split() == ["_build/.jupyter_cache", "_build/cache"]
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    assert [step["run"] for step in steps if "run" in step] == ["make setup SUDO=sudo", "make book"]
    assert workflow["jobs"]["pages"]["permissions"] == {"pages": "write", "id-token": "write"}

    assert gitlab["book"]["script"][-1] == "make book"
    assert {"_build/.jupyter_cache/", "_build/cache/"} <= set(gitlab["book"]["cache"]["paths"])
    assert gitlab["pages"]["artifacts"]["paths"] == ["public"]
    assert "cp -r _build/html public" in gitlab["pages"]["script"]
    assert not any("key" in path for path in gitlab["book"]["artifacts"]["paths"])


def test_the_new_course_builds_every_edition_and_an_exam(tmp_path, monkeypatch):
    layout = Layout(_new(tmp_path / "first-course", "--title", "A First Course"))
    results = {result.edition: result for result in build.build(layout, list(EDITIONS))}
    assert set(results) == set(EDITIONS)
    assert (layout.html / "index.html").is_file()
    assert (layout.epub / "first-course.epub").is_file()
    assert (layout.pdf / "first-course.pdf").is_file()
    assert (layout.handouts / "00-getting-started.pdf").is_file()
    assert (layout.pdf / "workbook.pdf").is_file() and (layout.pdf / "answer-key.pdf").is_file()
    assert (layout.module_keys / "00-getting-started.pdf").is_file()

    page = (layout.html / "00-getting-started.html").read_text()
    assert 'src="_images/running-mean.svg"' in page and (layout.html / "_images" / "running-mean.svg").is_file()
    assert re.search(r'<span class="math notranslate nohighlight"><math xmlns="http://www.w3.org/1998/Math/MathML"',
                     page), "math as MathML"
    assert re.search(r"600 rolls, mean \d\.\d{3}", page), "the code cell's output"
    assert re.search(r'have a mean of <span class="pasted-text">\d\.\d\d</span>', page), "a glued number"

    monkeypatch.chdir(layout.root)
    assert cli.main(["exam", "exams/quiz.yml"]) == 0
    assert {p.name for p in (layout.build / "exams" / "quiz").glob("*.pdf")} == {"variant-1.pdf", "variant-1-key.pdf"}


SHORT_CODE_EXERCISE = '''## Question

Write `mean(values)`, the mean of a list of numbers, as a float.

## Starter

```python
def mean(values):
    raise NotImplementedError
```

'''


def test_a_short_code_exercise_keeps_its_public_checks_and_passes_the_page_gate(tmp_path, monkeypatch):
    """Another author's short code exercise, its opening at the foot of a handout's page: the
    public checks stay with it (the generator keeps them in one unit), and the gate passes it."""
    root = _new(tmp_path / "short")
    path = root / "exercises" / "00-getting-started" / "06-mean-function.md"
    text = path.read_text()
    path.write_text(text[: text.index("## Question")] + SHORT_CODE_EXERCISE + text[text.index("## Public checks"):])
    monkeypatch.chdir(root)
    layout = Layout(root)
    build.build(layout, ["handouts"])
    pages = pdf_text(next(layout.handouts.glob("*.pdf"))).split("\f")
    holding = [index for index, page in enumerate(pages) if "Exercise 0.6:" in page or "isinstance(mean([1, 2])" in page]
    assert len(holding) == 1, f"exercise 0.6 is split over pages {[i + 1 for i in holding]}"
