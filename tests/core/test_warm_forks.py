"""Builds forked from the build server's warm parent: they run as the caller would, in its folder,
environment and streams, exit with its code, stop on its Ctrl-C; without a server, the caller runs them."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import copy_tiny
from textbook.core import build_server, warm_forks


def test_a_function_runs_forked_in_the_callers_folder_environment_and_streams(build_server_on, monkeypatch, capfd):
    (build_server_on / "conf.py").write_text("")
    monkeypatch.chdir(build_server_on)
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["build", "nope"]) == 2, "its exit code, not None"
    assert "unknown edition nope" in capfd.readouterr().err
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["server"]) == 0
    pid = build_server.status(build_server_on)["pid"]
    shown = capfd.readouterr().out
    assert f"the build server runs as process {pid}" in shown, "run where conf.py is"
    assert re.search(r"\n  beside it, started by it and leaving with it: process \d+ \(textbook.core.warm_forks\), "
                     r"\d+ MB\n", shown), "the warm parent it keeps"
    monkeypatch.setenv("COLUMNS", "44")  # argparse fits its help to the terminal the environment gives
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["--help"]) == 0, "SystemExit(0), as Python exits"
    shown = capfd.readouterr().out
    assert "The ``textbook`` command: build editions,\n" in shown, "wrapped at 44 columns, not at 80"


def test_builds_fork_from_the_warm_parent_of_a_server_that_replaced_another(build_server_on, monkeypatch):
    (build_server_on / "conf.py").write_text("")
    monkeypatch.chdir(build_server_on)
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["build", "nope"]) == 2
    monkeypatch.setattr(build_server, "code_version", lambda: "edited")  # as after an edit to the generator
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["build", "nope"]) == 2
    time.sleep(2.5)  # the old server's warm parent has left meanwhile, and removed its socket only
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["build", "nope"]) == 2, "forked still"


def test_without_a_server_or_with_other_python_options_the_caller_runs_it(build_server_on, monkeypatch):
    monkeypatch.setattr(sys, "warnoptions", ["error"])  # as `python -W error` would give
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["build", "nope"]) is None, "declined"
    monkeypatch.setattr(sys, "warnoptions", [])
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "off")
    assert warm_forks.run(build_server_on, "textbook.cli:main", ["build", "nope"]) is None
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "on")
    assert warm_forks.warm_parent(build_server_on) is None, "only a build server keeps one"


def test_a_build_runs_forked_and_stops_on_ctrl_c_or_when_its_caller_goes(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "on")
    monkeypatch.delenv("CI", raising=False)
    root = copy_tiny(tmp_path / "tiny")
    chapter = next((root / "book").glob("0*.md"))
    try:
        built = subprocess.run(BUILD_HTML, cwd=root, capture_output=True, text=True)
        assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
        assert "textbook: built html in" in built.stdout, "the child's output reaches the caller's"
        warm_parent = _warm_parent(root)
        assert warm_parent is not None and not _children(warm_parent), "the build's child has exited"
        helpers = build_server.status(root)["helpers"]
        assert [h["program"] for h in helpers if h["pid"] == warm_parent] == ["textbook.core.warm_forks"], helpers

        chapter.write_text(chapter.read_text() + "\nOne more sentence.\n")
        build = subprocess.Popen(BUILD_HTML, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in build.stdout:  # Ctrl-C once the build is at work
            if "textbook: [1/" in line:
                break
        assert _children(warm_parent), "the build is forked"
        build.send_signal(signal.SIGINT)
        out, err = build.communicate(timeout=120)
        assert build.returncode == 130 and "build failed: interrupted" in err, out + err
        assert not (root / "_build" / "html" / "index.html").exists(), "the interrupted edition is removed"

        build = subprocess.Popen(BUILD_HTML, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_until(lambda: _children(warm_parent), "the build is forked")
        build.kill()  # a caller that cannot pass Ctrl-C on: its child notices it has gone
        build.wait()
        _wait_until(lambda: not _children(warm_parent), "the child of a caller that went away ends")
        assert not (root / "_build" / "html" / "index.html").exists(), "interrupted, not left to finish"
    finally:
        build_server.stop(root)


BUILD_HTML = [sys.executable, "-m", "textbook.cli", "build", "html"]


def _wait_until(condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def _warm_parent(root) -> int | None:
    """The process of the warm parent ``root``'s build server keeps."""
    server = build_server.status(root)["pid"]
    address = str(build_server.socket_path(root).with_suffix(f".{server}.forks"))
    found = [pid for pid in _processes() if _command(pid).endswith(address) and "warm_forks" in _command(pid)]
    return found[0] if found else None


def _children(parent: int) -> list[int]:
    """The running processes ``parent`` started (an ended one it has not collected yet aside)."""
    return [pid for pid in _processes() if _parent(pid) == parent]


def _processes() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as command:
            return command.read().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _parent(pid: int) -> int:
    """The process that started ``pid``; -1 once it has ended (a zombie, or gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state, parent = stat.read().rsplit(")", 1)[1].split()[:2]
    except (OSError, ValueError):
        return -1
    return -1 if state in ("Z", "X") else int(parent)


def test_a_child_notes_the_modules_its_parent_may_import_and_the_parent_imports_them(tmp_path, monkeypatch):
    """What the next child then has: the standard library's, installed packages' and generator's
    modules, not a project's own, which an author may edit between builds."""
    import json

    address = tmp_path / "parent.forks"
    (tmp_path / "course_helpers.py").write_text("NAME = 'a module of the project'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("course_helpers", "colorsys", "textbook.gates.leaks"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    before = set(sys.modules)
    import colorsys  # noqa: F401 - the standard library's
    import course_helpers  # noqa: F401
    import textbook.gates.leaks  # noqa: F401 - the generator's

    warm_forks._note_imports(address, before)
    noted = json.loads(address.with_suffix(".imports").read_text())
    assert {"colorsys", "textbook.gates.leaks"} <= set(noted) and "course_helpers" not in noted
    monkeypatch.delitem(sys.modules, "colorsys")
    monkeypatch.setattr(warm_forks.threading, "active_count", lambda: 1)  # this process's other threads aside
    warm_forks._import_what_children_imported(address)
    assert "colorsys" in sys.modules and not address.with_suffix(".imports").exists()

    warm_forks._note_imports(address, before)
    address.write_text("")  # the parent's socket
    monkeypatch.setattr(warm_forks.threading, "active_count", lambda: 2)  # as after an import that started one
    with pytest.raises(SystemExit):
        warm_forks._import_what_children_imported(address)
    assert not address.exists(), "a parent with a thread forks no more: it leaves, its address with it"
