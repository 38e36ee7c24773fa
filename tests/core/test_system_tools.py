"""A machine without TeX, Poppler, Chromium or Java: every command makes sure of them before any work.

Each build runs as a new user would run it, in a subprocess, with those
tools hidden from PATH and ``apt-get`` replaced by a stand-in that records
its calls; once as a user without privileges and once as root.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from textbook.core import toolchain

from tests.conftest import copy_tiny
#: What the EPUB edition needs on Debian: EPUBCheck (the HTML edition needs nothing).
EPUB_PACKAGES = ["epubcheck"]
#: What every edition needs: EPUBCheck, and Poppler to read the PDFs back (Typst, which prints
#: them, is a Python package: no TeX).
ALL_PACKAGES = EPUB_PACKAGES + ["poppler-utils"]


def as_user(root: bool) -> list[str]:
    """The prefix that runs a command as root, or as a user without privileges."""
    if (os.geteuid() == 0) == root:
        return []
    if root:  # a user's tests: root inside a user namespace of their own
        return ["unshare", "--map-root-user"]
    # Root's tests: a user without privileges who may still read a checkout in a private folder (root's
    # home), so that it runs this virtualenv's Python rather than the system's.
    read_anything = ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *read_anything]


@pytest.fixture
def tiny(open_tmp_path: Path) -> Path:
    root = copy_tiny(open_tmp_path / "tiny")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)
    return root


def build_without_tools(tiny: Path, machine_without, command: list[str], root: bool):
    path, calls = machine_without()
    result = subprocess.run(
        [*as_user(root), sys.executable, "-m", "textbook.cli", *command],
        cwd=tiny, env={**os.environ, "PATH": path}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result, calls.read_text().splitlines() if calls.exists() else []


@pytest.mark.parametrize(("edition", "packages", "commands"),
                         [("epub", EPUB_PACKAGES, ["epubcheck"]), ("all", ALL_PACKAGES, ["pdftotext", "epubcheck"])])
def test_without_root_the_build_stops_before_any_work_with_the_one_install_line(
    tiny, machine_without, edition, packages, commands
):
    result, apt_calls = build_without_tools(tiny, machine_without, ["build", edition], root=False)
    assert result.returncode == 1, result.stderr
    install_lines = [line for line in result.stderr.splitlines() if "apt-get" in line]
    assert install_lines == [f"sudo apt-get install -y -q --no-install-recommends {' '.join(packages)}"]
    assert all(command in result.stderr for command in commands)  # the missing commands are named
    assert apt_calls == []
    assert not (tiny / "_build").exists(), "nothing may run (no chapter executed, no figure drawn) before the tools"
    assert "Running Sphinx" not in result.stdout


@pytest.mark.parametrize(("edition", "packages"), [("epub", EPUB_PACKAGES), ("all", ALL_PACKAGES)])
def test_as_root_one_apt_get_install_of_every_package_before_sphinx_starts(tiny, machine_without, edition, packages):
    result, apt_calls = build_without_tools(tiny, machine_without, ["build", edition], root=True)
    assert apt_calls == [f"install -y -q --no-install-recommends {' '.join(packages)}"]
    assert "installing missing system tools with apt-get, once" in result.stdout
    # The stand-in installs nothing, so the build stops right after it, still before any work.
    assert result.returncode == 1
    assert "still not on PATH" in result.stderr
    assert not (tiny / "_build").exists()
    assert "Running Sphinx" not in result.stdout


@pytest.mark.parametrize(
    ("command", "packages"),
    [
        (["proof"], ["poppler-utils"]),
        (["exam", "exams/none.yml"], ["poppler-utils"]),
        (["setup", "web-gate"], ["chromium"]),
    ],
)  # fmt: skip
def test_the_other_commands_make_sure_of_their_tools_first(tiny, machine_without, command, packages):
    result, apt_calls = build_without_tools(tiny, machine_without, command, root=False)
    assert result.returncode == 1, result.stderr
    assert [line for line in result.stderr.splitlines() if "apt-get" in line] == [
        f"sudo apt-get install -y -q --no-install-recommends {' '.join(packages)}"]
    assert apt_calls == []


def test_the_html_edition_with_math_builds_on_a_machine_without_any_of_them(tiny, machine_without):
    """No TeX, no dvisvgm: the math is MathML, written by Python."""
    chapter = tiny / "book" / "00-run.md"
    chapter.write_text(chapter.read_text() + "\nThe mean: {math}`\\bar{x} = \\frac{1}{n}\\sum_i x_i`.\n")
    result, apt_calls = build_without_tools(tiny, machine_without, ["build", "html"], root=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert apt_calls == [] and "apt-get" not in result.stderr
    assert "<mfrac>" in (tiny / "_build" / "html" / "00-run.html").read_text()


def test_a_failed_install_updates_the_package_lists_and_tries_once_more(monkeypatch):
    calls = []

    def run(command, **kwargs):
        calls.append(command[:2])
        return subprocess.CompletedProcess(command, 100 if len(calls) == 1 else 0, "", "E: Unable to locate package")

    def which(name):  # chromium appears once the second install has run
        return f"/usr/bin/{name}" if name == "apt-get" or len(calls) == 3 else None

    monkeypatch.setattr(toolchain.shutil, "which", which)
    monkeypatch.setattr(toolchain.os, "geteuid", lambda: 0)
    monkeypatch.setattr(toolchain.subprocess, "run", run)
    toolchain.ensure([toolchain.CHROMIUM], log=lambda line: None)
    assert calls == [["apt-get", "install"], ["apt-get", "update"], ["apt-get", "install"]]


def test_a_machine_without_apt_get_is_told_what_to_install(monkeypatch):
    monkeypatch.setattr(toolchain.shutil, "which", lambda name: None)
    with pytest.raises(toolchain.ToolchainError, match="not a Debian or Ubuntu machine with apt-get") as caught:
        toolchain.ensure([toolchain.POPPLER])
    assert str(caught.value).splitlines()[-1] == "sudo apt-get install -y -q --no-install-recommends poppler-utils"
