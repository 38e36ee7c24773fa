"""The generator installs alone: nothing a course's chapters run comes with it."""

from importlib.metadata import PackageNotFoundError, distribution

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
