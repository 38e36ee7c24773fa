"""Builds forked from a warm parent: a build's own process starts with Sphinx and the generator imported.

A build spends more than a second of CPU importing Sphinx, MyST-NB and the
generator before it does any work, on every edit. So the build server
(``core/build_server.py``) keeps beside it a *warm parent*: a process of one
thread that imported them once and then only forks. A build (``run``) hands
it a function of the generator and its arguments, with its working folder,
environment, ``sys.path``, umask and its standard input, output and error
(file descriptors, passed over a Unix socket). A child forked from the warm
parent runs the function there, writing where the build would have written,
and answers its exit code; the build exits with it. Ctrl-C at the build is
passed on to the child's process group, as a terminal would; a build that goes
away takes its child with it.

The warm parent never runs a build itself, so every child starts from the
same state, and it starts no thread (forking a process with threads is
unsafe, which is why the server, which has threads, starts it with exec). It
leaves when its server does. Where none can be had (no server; a build whose
Python was started with other options, ``-W`` or ``-X`` say, than the warm
parent's), ``run`` says so and the build runs in its own process.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import NoReturn

from textbook.core import build_server

#: What the warm parent imports: the build's own modules, which import Sphinx and its extensions.
PRELOADED = ("textbook.pipeline.build", "textbook.sphinx_ext.extension")
#: The generator's own package: its modules are part of the server's version.
_GENERATOR = Path(__file__).resolve().parents[1]
#: Seconds a starting warm parent has to import them.
START_SECONDS = 120.0
_STANDARD_STREAMS = (0, 1, 2)


# -- the build's side --------------------------------------------------------------------------


def run(project: Path, function: str, *args) -> int | None:
    """``function(*args)`` (which returns an exit code) in a child of ``project``'s warm parent,
    with this process's streams, folder and environment: its exit code; None when there is no
    warm parent to fork from (then the caller runs it)."""
    if not build_server.enabled():
        return None
    try:
        address = build_server.call(project, "textbook.core.warm_forks:warm_parent", project)
    except Exception:  # noqa: BLE001 - a server that cannot start one: the build runs here
        return None
    if address is None:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # Ctrl-C waits until the child is known
    try:
        connection.connect(address)
        socket.send_fds(connection, [b"F"], list(_STANDARD_STREAMS))
        streams = [(s.encoding, s.errors) for s in (sys.stdout, sys.stderr)]
        build_server.send(connection, (_options(), function, args, os.getcwd(), dict(os.environ), list(sys.path),
                                       sys.argv, _umask(), streams))  # fmt: skip
        answer = build_server.receive(connection)
    except (OSError, EOFError, ConnectionError):
        answer = ("failed",)
    if answer[0] != "started":
        connection.close()
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
        return None
    with connection:
        return _wait_for(connection, answer[1], unmasked)


def _options() -> tuple:
    """How this Python was started (``-W``, ``-X``, ``-O``, ``PYTHON*`` settings): a child of a
    parent started otherwise would not run as this process would, so it declines."""
    return tuple(sys.flags), sys.warnoptions, sys._xoptions


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _wait_for(connection: socket.socket, child: int, unmasked: set) -> int:
    """The child's exit code; Ctrl-C here (from ``unmasked`` restored on, a Ctrl-C held back
    meanwhile included) is Ctrl-C there, its process group's, as often as pressed."""
    while True:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
            code = build_server.receive(connection)
            break
        except KeyboardInterrupt:
            _signal_group(child, signal.SIGINT)
        except (OSError, EOFError, ConnectionError):
            print(f"textbook: the build's process ({child}) ended without an exit code", file=sys.stderr)
            return 1
    try:  # its output is all written once it has exited (its end of the socket closes then)
        connection.settimeout(30)
        while connection.recv(1):
            pass
    except (OSError, KeyboardInterrupt):
        pass
    return code


def _signal_group(child: int, number: int) -> None:
    try:
        os.killpg(child, number)
    except OSError:
        pass  # gone already


# -- in the build server: the warm parent it keeps -----------------------------------------------

_parent: subprocess.Popen | None = None
_starting = threading.Lock()


def warm_parent(project: Path) -> str | None:
    """The address of the warm parent this build server keeps for ``project``, started if need be;
    None outside a build server (a parent started by a build would leave with it)."""
    global _parent
    if not build_server.serving():
        return None
    address = build_server.socket_path(project).with_suffix(f".{os.getpid()}.forks")  # this server's: one
    # that replaces it starts a parent of its own while this one's is still leaving
    with _starting:
        if _parent is None or _parent.poll() is not None:
            _parent = subprocess.Popen([sys.executable, "-m", __name__, str(address)], stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, text=True)  # fmt: skip
            timer = threading.Timer(START_SECONDS, _parent.kill)
            timer.start()
            ready = _parent.stdout.readline().strip()
            timer.cancel()
            if ready != "ready":
                _parent.kill()
                _parent = None
                return None
    return str(address)


def serve(address: Path) -> socket.socket:
    """The warm parent: import ``PRELOADED``, then fork a child for each build that connects, until
    the server that started it is gone. Returns only in a child, with its build's connection."""
    for module in PRELOADED:
        importlib.import_module(module)
    server = os.getppid()
    address.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address))
    listener.listen(8)
    listener.settimeout(1.0)
    print("ready", flush=True)
    while os.getppid() == server:
        _reap()
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            _import_what_children_imported(address)
            continue
        if os.fork() == 0:
            listener.close()
            return connection
        connection.close()
    address.unlink(missing_ok=True)
    raise SystemExit(0)


def _import_what_children_imported(address: Path) -> None:
    """Import the modules a child's build imported (``_note_imports``): the next child then has them.
    A module that started a thread on import would make forking unsafe: this parent then leaves,
    and the server starts a new one for the next build."""
    noted = address.with_suffix(".imports")
    try:
        modules = json.loads(noted.read_text(encoding="utf-8"))
        noted.unlink()
    except (OSError, ValueError):
        return
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001, S112 - one the build imported in its own way: it imports it again
            continue
    if threading.active_count() > 1:
        print(f"warm parent {os.getpid()}: an import started a thread; leaving", file=sys.stderr, flush=True)
        address.unlink(missing_ok=True)
        raise SystemExit(0)


def _note_imports(address: Path, before: set[str]) -> None:
    """Tell the warm parent the modules this build imported that it can import too: the standard
    library's, the installed packages' and the generator's (what the server's version covers), not a
    project's own (its ``conf.py`` may import a module an author edits)."""
    stable = tuple(f"{Path(folder).resolve()}{os.sep}" for folder in (sys.prefix, sys.base_prefix, _GENERATOR))
    found = [name for name, module in list(sys.modules.items()) if name not in before
             and str(Path(getattr(module, "__file__", None) or "/").resolve()).startswith(stable)]
    scratch = address.with_suffix(f".imports.{os.getpid()}")
    scratch.write_text(json.dumps(sorted(found)), encoding="utf-8")
    scratch.replace(address.with_suffix(".imports"))


def _reap() -> None:
    """Collect the children that ended (their builds are over)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


# -- in the child ------------------------------------------------------------------------------


def run_child(connection: socket.socket, address: Path) -> NoReturn:
    """The build's function, run in the build's folder, environment and streams; its exit code
    sent to the build, and this process's. What it imported is noted for the warm parent at ``address``."""
    connection.settimeout(None)
    unmasked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # until the function runs
    os.setpgid(0, 0)  # a group of its own, whose processes Ctrl-C at the build reaches
    _, fds, _, _ = socket.recv_fds(connection, 1, len(_STANDARD_STREAMS))
    options, function, args, folder, environment, path, argv, umask, streams = build_server.receive(connection)
    if options != _options():
        build_server.send(connection, ("declined", options))
        os._exit(0)
    for fd, target in zip(fds, _STANDARD_STREAMS, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = sys.__stdin__ = open(0, closefd=False)  # noqa: SIM115 - the process's own, for its life
    (encoding, errors), (err_encoding, err_errors) = streams
    sys.stdout = sys.__stdout__ = open(1, "w", encoding=encoding, errors=errors, closefd=False, buffering=1)  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(2, "w", encoding=err_encoding, errors=err_errors, closefd=False,  # noqa: SIM115
                                       buffering=1)  # fmt: skip
    os.chdir(folder)
    os.environ.clear()
    os.environ.update(environment)
    sys.path[:], sys.argv[:] = path, argv
    os.umask(umask)
    import tempfile

    tempfile.tempdir = None  # found again from this environment's TMPDIR
    build_server.send(connection, ("started", os.getpid()))
    threading.Thread(target=_interrupt_when_gone, args=(connection,), daemon=True).start()
    before = set(sys.modules)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, unmasked)
        code = build_server.function_named(function)(*args)
    except SystemExit as leaving:  # as Python exits with it
        code = leaving.code if isinstance(leaving.code, int) else 0 if leaving.code is None else 1
        if not isinstance(leaving.code, int | None):
            print(leaving.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    except BaseException:  # noqa: BLE001 - what Python would print before exiting with 1
        traceback.print_exc()
        code = 1
    try:
        _note_imports(address, before)
    except OSError:
        pass
    atexit._run_exitfuncs()  # as Python does at exit; its teardown of the build's objects (writing nothing) is skipped
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        build_server.send(connection, code)
    except OSError:
        pass
    os._exit(code)


def _interrupt_when_gone(connection: socket.socket) -> None:
    """A build that went away (killed, its terminal closed) takes its child with it, as Ctrl-C would."""
    try:
        while connection.recv(1):
            pass
    except OSError:
        pass
    _signal_group(os.getpid(), signal.SIGINT)


if __name__ == "__main__":  # run as a script, this module is __main__: serve as the module the generator imports
    from textbook.core import warm_forks

    address = Path(sys.argv[1])
    warm_forks.run_child(warm_forks.serve(address), address)
