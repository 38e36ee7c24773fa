"""The generator's layers point one way, counted from its imports, and ARCHITECTURE.md maps the tree."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "textbook"
ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"
#: Lowest first; a package may import those in lower layers (ARCHITECTURE.md, "Layers").
LAYERS = (
    {"core"},
    {"bank"},
    {"execution", "figures"},
    {"sphinx_ext"},
    {"exercises"},
    {"gates", "typst"},
    {"pipeline"},
    {"instructor", "scaffold", "marking"},
    {"cli"},
)
LAYER_OF = {name: index for index, layer in enumerate(LAYERS) for name in layer}
SPHINX_FREE = ("core", "bank")
SPHINX_PACKAGES = {"sphinx", "docutils", "myst_nb", "myst_parser", "sphinx_book_theme", "pydata_sphinx_theme"}


def _unit(path: Path) -> str:
    """The package a file belongs to (a top-level module such as cli.py is a unit of its own)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _imports(path: Path) -> list[str]:
    """The generator's modules ``path`` imports, as dotted names under ``textbook``, and others' top names."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from textbook.bank import content`` imports the module textbook.bank.content
            names += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
    return names


def _edges() -> list[tuple[str, str, Path]]:
    """(importer, imported, file) for every import from one unit of the generator into another.
    The root package itself (``textbook/__init__.py``, the version) runs before any of its
    modules, whoever imports it, and belongs to no layer."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "__init__.py":
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "textbook" or len(parts) < 2 or parts[1] not in LAYER_OF:
                continue
            if parts[1] != _unit(path):
                found.append((_unit(path), parts[1], path))
    return found


def test_every_unit_of_the_generator_has_a_layer():
    units = {_unit(path) for path in PACKAGE.rglob("*.py") if path != PACKAGE / "__init__.py"}
    assert units == set(LAYER_OF)


def test_at_most_one_import_runs_from_a_lower_layer_to_a_higher_one():
    upward = [f"{path.relative_to(PACKAGE)}: {a} imports {b}" for a, b, path in _edges() if LAYER_OF[b] > LAYER_OF[a]]
    assert len(upward) <= 1, upward


def test_no_two_packages_import_each_other():
    pairs = {(a, b) for a, b, _ in _edges()}
    assert not [(a, b) for a, b in pairs if (b, a) in pairs and a < b]


def test_the_core_and_the_bank_run_without_sphinx():
    for unit in SPHINX_FREE:
        for path in (PACKAGE / unit).rglob("*.py"):
            heavy = {name.split(".")[0] for name in _imports(path)} & SPHINX_PACKAGES
            assert not heavy, f"{path.relative_to(PACKAGE)} imports {sorted(heavy)}"


def test_the_bank_is_read_by_core_code_only():
    """What loading and validating the bank runs, followed import by import, stays in the core."""
    pending, seen = ["textbook.bank.bank"], set()
    while pending:
        name = pending.pop()
        path = PACKAGE.joinpath(*name.split(".")[1:]).with_suffix(".py")
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        pending += [n for n in _imports(path) if n.startswith("textbook.")]
    assert {name.split(".")[1] for name in seen} <= set(SPHINX_FREE), sorted(seen)


def test_architecture_maps_every_module_in_its_package_section():
    text = ARCHITECTURE.read_text()
    sections = dict(re.findall(r"^### `(\w+)/`.*?\n(.*?)(?=^### |^## )", text, re.M | re.S))
    assert set(sections) == {unit for unit in LAYER_OF if (PACKAGE / unit).is_dir()}
    for unit, body in sections.items():
        for path in sorted((PACKAGE / unit).glob("*.py")):
            if path.name != "__init__.py":
                assert f"`{path.name}`" in body, f"ARCHITECTURE.md's {unit}/ table does not list {path.name}"
    for name, index in LAYER_OF.items():
        assert f"`{name}`" in text.split("## Layers", 1)[1].split("\n## ", 1)[0], f"{name} missing from Layers"


def test_tests_follow_the_tree():
    """tests/<package>/ for each package's tests; only the rule-wide and whole-book tests above them."""
    tests = Path(__file__).resolve().parent
    folders = {path.parent.name for path in tests.glob("*/test_*.py")}
    assert folders <= {unit for unit in LAYER_OF if (PACKAGE / unit).is_dir()}, folders
    assert {path.name for path in tests.glob("test_*.py")} == {"test_layers.py", "test_integration.py"}
    copies = [path.name for path in tests.rglob("test_*.py")
              if path != Path(__file__).resolve() and "copytree(TINY" in path.read_text()]  # fmt: skip
    assert not copies, f"{copies}: use the tiny_project fixture or copy_tiny from conftest.py"
