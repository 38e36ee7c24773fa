"""The generator installs alone: nothing a course's chapters run comes with it; its data files ship with it."""

import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def test_every_data_file_of_the_generator_is_package_data():
    """Styles, templates, the logo and the message catalogues are read at run time: the wheel needs them."""
    root = Path(__file__).resolve().parent.parent
    declared = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = root / "textbook"
    data = [p for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert any(p.suffix == ".json" for p in data) and any(p.suffix == ".sty" for p in data)
    for path in data:
        shipped = any(
            path.relative_to(root.joinpath(*name.split("."))).match(pattern)
            for name, patterns in declared.items() if path.is_relative_to(root.joinpath(*name.split(".")))
            for pattern in patterns
        )  # fmt: skip
        assert shipped, f"{path.relative_to(root)} is not in pyproject.toml's package-data"
