"""Replaced internals of other packages: declared in one table, refused on a release they were not written for."""

import ast
import importlib
from pathlib import Path

import pytest
from sphinx.search import IndexBuilder

from textbook.core import patches

PACKAGE = Path(patches.__file__).parent.parent  # the whole generator


def replaced_names() -> set[str]:
    """What every ``patches.replace(owner, "attribute", ...)`` call in the generator replaces."""
    names = set()
    for path in [path for path in PACKAGE.rglob("*.py") if "patches.replace(" in path.read_text()]:
        module = importlib.import_module(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "patches.replace":
                owner = eval(ast.unparse(node.args[0]), vars(module))  # a name the module imported
                names.add(patches.qualified_name(owner, node.args[1].value))
    return names


def test_every_declared_patch_is_made_and_every_patch_made_is_declared():
    assert replaced_names() == set(patches.PATCHES)


@pytest.mark.parametrize("name", sorted(patches.PATCHES))
def test_the_installed_packages_are_releases_the_patches_were_written_for(name):
    assert patches.check(name) is patches.PATCHES[name]


def test_another_release_is_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(patches, "version", lambda distribution: "10.1")
    before = IndexBuilder.load
    with pytest.raises(patches.PatchError) as refused:
        patches.replace(IndexBuilder, "load", lambda self, *args: None)
    assert IndexBuilder.load is before
    message = str(refused.value)
    assert "sphinx.search.IndexBuilder.load" in message
    assert "written for sphinx >=9.0,<10, but sphinx 10.1 is installed" in message
    assert "pip install 'sphinx>=9.0,<10'" in message


def test_an_undeclared_patch_is_refused():
    with pytest.raises(patches.PatchError, match="IndexBuilder.dump is replaced but not declared"):
        patches.replace(IndexBuilder, "dump", lambda self, *args: None)
