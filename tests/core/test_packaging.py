"""The generator installs alone: nothing a course's chapters run comes with it, and all it reads ships."""

import glob
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent.parent
#: What this book's chapters run (requirements.txt), none of which the generator may need.
BOOK_ONLY = {"mlflow", "dvc", "onnx", "onnxruntime", "skl2onnx", "fastapi", "scikit-learn", "pandera", "statsmodels"}


def dependency_closure(name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """Every installed distribution that installing ``name`` (with ``extras``) brings, itself included."""
    seen: set[str] = set()
    pending = [(name, extras)]
    while pending:
        current, wanted = pending.pop()
        try:
            requirements = distribution(current).requires or []
        except PackageNotFoundError:  # not for this platform or Python
            continue
        if canonicalize_name(current) in seen:
            continue
        seen.add(canonicalize_name(current))
        for text in requirements:
            requirement = Requirement(text)
            if requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in ("", *wanted)
            ):
                pending.append((requirement.name, tuple(requirement.extras)))
    return seen


def test_installing_the_generator_brings_none_of_the_books_packages():
    generator = dependency_closure("textbook-generator", ("test",))
    assert {"sphinx", "myst-nb", "matplotlib", "pytest"} <= generator
    assert generator.isdisjoint(BOOK_ONLY), sorted(generator & BOOK_ONLY)


def test_every_file_the_generator_reads_ships_in_its_wheel():
    """A wheel holds the package's modules and only the other files that pyproject.toml's
    package-data names (setuptools expands each pattern with glob, ``**`` recursive, in the
    package's folder). An editable install reads the source tree and would never notice."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = set()
    for package, patterns in package_data.items():
        folder = ROOT.joinpath(*package.split("."))
        for pattern in patterns:
            shipped |= {folder / name for name in glob.glob(pattern, root_dir=folder, recursive=True)}
    data = {p for p in (ROOT / "textbook").rglob("*") if p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert {p for p in data if p.is_file()} == {p for p in shipped if p.is_file()}


def test_the_new_course_template_holds_no_python_module():
    """Its conf.py and figure scripts end in .tmpl: never imported, collected or layered as the generator's."""
    template = ROOT / "textbook" / "scaffold" / "template"
    files = [p for p in template.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert files and all(p.name.endswith(".tmpl") for p in files), [p for p in files if p.suffix != ".tmpl"]
