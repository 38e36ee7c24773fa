"""The build server: one process a project, kept between calls, replaced when the code changes,
leaving when idle; without one, a call runs in the caller."""

import os
import time

import pytest

from textbook.core import build_server

SERVING = "textbook.core.build_server:serving"


def test_without_a_server_a_call_runs_in_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "off")
    assert build_server.call(tmp_path, SERVING) is False
    assert build_server.status(tmp_path) is None
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "on")
    monkeypatch.setenv("CI", "true")
    assert not build_server.enabled(), "a CI job builds once: no process is left behind it"


def test_calls_run_in_one_server_kept_between_them(build_server_on):
    assert build_server.call(build_server_on, SERVING) is True
    first = build_server.status(build_server_on)
    assert first["pid"] != os.getpid() and first["calls"] == 1
    assert build_server.call(build_server_on, SERVING) is True
    second = build_server.status(build_server_on)
    assert second["pid"] == first["pid"] and second["calls"] == 2
    assert build_server.socket_path(build_server_on).parent.stat().st_mode & 0o777 == 0o700, "the user's alone"


def test_what_a_call_raises_is_raised_in_the_caller(build_server_on):
    with pytest.raises(ValueError, match="the generator's functions only, not os:getcwd"):
        build_server.call(build_server_on, "textbook.core.build_server:function_named", "os:getcwd")
    assert build_server.status(build_server_on)["calls"] == 1, "raised in the server, not here"


def test_a_server_of_other_code_is_replaced(build_server_on, monkeypatch):
    build_server.call(build_server_on, SERVING)
    old = build_server.status(build_server_on)
    monkeypatch.setattr(build_server, "code_version", lambda: "edited")  # as after an edit to the generator
    assert build_server.call(build_server_on, SERVING) is True
    new = build_server.status(build_server_on)
    assert new["pid"] != old["pid"] and new["version"] == "edited" and new["calls"] == 1


def test_an_idle_server_leaves_and_stop_stops_one(build_server_on, monkeypatch):
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER_IDLE", "1")
    build_server.call(build_server_on, SERVING)
    deadline = time.monotonic() + 30
    while build_server.status(build_server_on) is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert build_server.status(build_server_on) is None and not build_server.socket_path(build_server_on).exists()
    monkeypatch.delenv("TEXTBOOK_BUILD_SERVER_IDLE")
    build_server.call(build_server_on, SERVING)
    assert build_server.stop(build_server_on) is True
    assert build_server.status(build_server_on) is None and build_server.stop(build_server_on) is False


def test_the_command_says_whether_one_runs_and_stops_it(build_server_on, monkeypatch, capsys):
    from textbook import cli

    monkeypatch.chdir(build_server_on)
    (build_server_on / "conf.py").write_text("")  # a project root, as the command looks for one
    assert cli.main(["server"]) == 0 and "no build server runs" in capsys.readouterr().out
    build_server.call(build_server_on, SERVING)
    pid = build_server.status(build_server_on)["pid"]
    assert cli.main(["server"]) == 0 and f"runs as process {pid}: 1 call served" in capsys.readouterr().out
    assert cli.main(["clean"]) == 0 and "stopped the build server" in capsys.readouterr().out
    assert build_server.status(build_server_on) is None


def test_without_a_folder_of_the_users_own_a_call_runs_in_the_caller(build_server_on, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / f"textbook-build-servers-{os.getuid()}").mkdir(mode=0o777)  # another user could put a socket there
    (tmp_path / f"textbook-build-servers-{os.getuid()}").chmod(0o777)
    assert build_server.call(build_server_on, SERVING) is False
    assert build_server.status(build_server_on) is None and build_server.stop(build_server_on) is False


def test_a_server_that_cannot_start_is_not_waited_for(build_server_on, monkeypatch):
    monkeypatch.setattr(build_server.sys, "executable", "/bin/false")  # the server's interpreter exits at once
    started = time.monotonic()
    assert build_server.call(build_server_on, SERVING) is False
    assert time.monotonic() - started < build_server.START_SECONDS / 2
