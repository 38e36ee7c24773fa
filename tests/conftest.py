"""Shared test set-up: the tiny projects, Sphinx's testing fixtures over the tiny books in roots/,
and a machine without the system tools."""

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ("sphinx.testing.fixtures",)

# Builds under test run everything in their own processes, as in CI: a build server (one a tiny
# project) would outlive each test. The build server's own tests turn it on (``build_server_on``).
os.environ["TEXTBOOK_BUILD_SERVER"] = "off"
# The servers those tests start keep their sockets, locks and logs in a folder of this test run's,
# removed when it ends, not in the user's (``core.build_server``: under ``$XDG_RUNTIME_DIR``).
os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="textbook-tests-")
atexit.register(shutil.rmtree, os.environ["XDG_RUNTIME_DIR"], True)

ROOTS = Path(__file__).parent / "roots"
PROJECTS = Path(__file__).parent / "projects"
#: The one small whole course the tests build and edit: conf.py, book/, exercises/, figures_src/.
TINY = PROJECTS / "tiny"


def copy_tiny(root: Path) -> Path:
    """A copy of the tiny project at ``root`` (file times kept), without any build output."""
    shutil.copytree(TINY, root, ignore=shutil.ignore_patterns("_build"))
    return root


def uncoloured(printed: str) -> str:
    """``printed`` without colour codes: Sphinx colours its progress lines wherever CI=true or
    FORCE_COLOR is set, even when its output is not a terminal."""
    return re.sub(r"\x1b\[[0-9;]*m", "", printed)


def plant_hint(chapter: Path) -> None:
    """Copy part of the tiny bank's essay solution into ``chapter``: a leak every scan must find."""
    hint = "A hint: so an author who fixes a typo waits seconds instead of minutes."
    chapter.write_text(chapter.read_text() + f"\n{hint}\n")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The real book's tests first: they take longest, so under ``make test`` (a process a core,
    modules handed out in this order) one process builds the book while the others run the rest."""
    items.sort(key=lambda item: item.get_closest_marker("integration") is None)


@pytest.fixture
def build_server_on(monkeypatch, tmp_path: Path):
    """Builds and calls here use a build server; the folder it serves, whose server stops after the test."""
    from textbook.core import build_server

    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "on")
    monkeypatch.delenv("CI", raising=False)
    project = tmp_path / "served"
    project.mkdir()
    yield project
    build_server.stop(project)


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A fresh copy of the tiny project, for a test to edit and build."""
    return copy_tiny(tmp_path / "tiny")


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


#: The system tools a new machine lacks (TeX, Poppler, Chromium, Java), as commands.
SYSTEM_COMMANDS = (
    "latex", "pdflatex", "xelatex", "lualatex", "latexmk", "dvisvgm", "kpsewhich", "tex", "xdvipdfmx", "makeindex",
    "pdftotext", "pdftoppm", "pdffonts", "pdfinfo", "chromium", "chromedriver", "java", "epubcheck",
)  # fmt: skip


@pytest.fixture
def open_tmp_path():
    """A temporary folder that every user can enter (pytest's own are the owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="textbook-test-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def machine_without(open_tmp_path):
    """``machine_without(commands)``: a PATH with every executable of this one but ``commands``, and
    an ``apt-get`` that only records its arguments, one call a line, in the file returned with it."""

    def make(commands=SYSTEM_COMMANDS) -> tuple[str, Path]:
        folder = open_tmp_path / "bin"
        folder.mkdir()
        calls = open_tmp_path / "apt-get-calls"
        for directory in os.environ["PATH"].split(os.pathsep):
            for executable in sorted(Path(directory).glob("*")) if Path(directory).is_dir() else []:
                link = folder / executable.name
                if executable.name in commands or link.exists() or not os.access(executable, os.X_OK):
                    continue
                link.symlink_to(executable)
        stand_in = folder / "apt-get"
        stand_in.unlink(missing_ok=True)
        stand_in.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n')
        stand_in.chmod(0o755)
        return str(folder), calls

    return make
