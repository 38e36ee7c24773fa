"""The build server: one process kept between a project's builds, so that what is slow to start stays warm.

From a fresh process, Typst prints a 280-page book in 4-5 s of CPU and
EPUBCheck checks its EPUB in about 6; in a process that did it before, in
about 1 and 2: Typst keeps its layouts in memory and lays out again only what
changed, and Java has EPUBCheck loaded, its schemas compiled. So a build hands
these calls (``call``) to its project's server: the first build that needs
one starts it, it serves the builds after it (a thread per call), and it
leaves by itself after ``IDLE_SECONDS`` without a call, once its memory
passes ``MOST_MEMORY``, when a build of other code calls it (the generator or
an installed package changed), or when ``stop`` asks.

It also keeps the warm parent each build's own work is forked from
(``core/warm_forks.py``).

A call names a function of the generator (``"textbook.module:function"``); its
arguments, its result and what it raises are pickled across a Unix socket in
a folder only its user can open. With ``TEXTBOOK_BUILD_SERVER=off``, or ``CI``
set (a build there runs once, and a process left behind would outlive the
job), or where no server can be reached, the function runs in the caller, as
it would without one.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from textbook.core.installed import installed_distributions

#: The folder that holds the ``textbook`` package: the server imports this very copy.
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
#: Seconds a server waits for a call before it leaves (``TEXTBOOK_BUILD_SERVER_IDLE`` to change).
IDLE_SECONDS = 1200.0
#: A server whose peak memory passes this leaves after the call that took it there.
MOST_MEMORY = 4 * 2**30
#: Seconds a starting server has to answer.
START_SECONDS = 30.0
_LENGTH = struct.Struct("!Q")
_serving = False


def enabled() -> bool:
    """Whether builds here use a server (see the module's docstring)."""
    off = os.environ.get("TEXTBOOK_BUILD_SERVER", "").strip().lower() in ("off", "0", "no", "false")
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return not off and not in_ci and hasattr(socket, "AF_UNIX")


def serving() -> bool:
    """Whether this process is a build server: what it keeps (a Java, Typst's compilers) then serves later builds."""
    return _serving


def _folder() -> Path:
    """The user's folder of server sockets, at a fixed place: a build points ``TMPDIR`` into its
    build folder while chapters run, and a socket's path must stay short (108 bytes)."""
    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"textbook-build-servers-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        raise OSError(f"{folder} is not a folder of this user's alone")
    return folder


def socket_path(project: Path) -> Path:
    """Where the server of ``project`` (its root folder) listens."""
    return _folder() / f"{hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:16]}.sock"


@cache
def code_version() -> str:
    """What a server runs: this interpreter, the generator's code, the installed packages and their versions."""
    digest = hashlib.sha256(sys.executable.encode())
    digest.update("\n".join(installed_distributions()).encode())
    for path in sorted((_PACKAGE_ROOT / "textbook").rglob("*")):
        if path.suffix in (".py", ".java"):
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def function_named(name: str):
    """The generator's function ``"textbook.module:function"``; no other code is called by name."""
    module, _, function = name.partition(":")
    if not module.startswith("textbook."):
        raise ValueError(f"the build server runs the generator's functions only, not {name}")
    return getattr(importlib.import_module(module), function)


# -- the wire: a length, then a pickle ---------------------------------------------------------


def send(connection: socket.socket, message) -> None:
    """``message``, pickled, with its length before it."""
    data = pickle.dumps(message)
    connection.sendall(_LENGTH.pack(len(data)) + data)


def receive(connection: socket.socket):
    """The next message ``send`` sent; ConnectionError if the other end closed first."""
    def exactly(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = connection.recv(min(size - len(data), 1 << 20))
            if not chunk:
                raise ConnectionError("the build server closed the connection")
            data += chunk
        return data

    return pickle.loads(exactly(_LENGTH.unpack(exactly(_LENGTH.size))[0]))


# -- the caller's side -------------------------------------------------------------------------


def call(project: Path, function: str, *args):
    """``function(*args)``, run in the build server of ``project``; here, when there is none."""
    if not enabled():
        return function_named(function)(*args)
    try:
        reply = _ask(project, ("call", code_version(), function, args))
    except OSError:  # no folder of the user's own; or the server left during the call (stopped, short of memory)
        reply = None
    if reply is None:
        return function_named(function)(*args)
    if reply[0] == "raised":
        _, pickled, text = reply
        try:
            error = pickle.loads(pickled)
        except Exception:
            error = RuntimeError(f"in the build server: {text}")
        raise error
    return reply[1]


def _ask(project: Path, request, start: bool = True):
    """The reply of ``project``'s server to ``request``, starting one if there is none (or the one
    there runs other code); None when none answers."""
    for _ in range(2):
        connection = _connect(project, start)
        if connection is None:
            return None
        with connection:
            send(connection, request)
            reply = receive(connection)
        if reply != ("stale",):
            return reply
    return None


def _connect(project: Path, start: bool) -> socket.socket | None:
    path = socket_path(project)
    connection = _try_connect(path)
    if connection is not None or not start:
        return connection
    with _starting(path):  # one build starts the server; another waiting here then connects to it
        connection = _try_connect(path)
        if connection is None:
            server = _start(project, path)
            deadline = time.monotonic() + START_SECONDS
            while connection is None and time.monotonic() < deadline and server.poll() is None:
                time.sleep(0.05)
                connection = _try_connect(path)
    return connection


def _try_connect(path: Path) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(path))
        return connection
    except OSError:
        connection.close()
        return None


@contextmanager
def _starting(path: Path):
    import fcntl  # Unix's, as the server's socket is

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _start(project: Path, path: Path) -> subprocess.Popen:
    """A server for ``project`` at ``path``, in a session of its own and holding none of the
    caller's files open (a caller's pipe stays open while anything holds it); it writes to ``<path>.log``."""
    path.unlink(missing_ok=True)  # a server killed before it could remove its socket
    idle = os.environ.get("TEXTBOOK_BUILD_SERVER_IDLE", str(IDLE_SECONDS))
    environment = {**os.environ,
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))}
    temporary = os.environ.get("TMPDIR")
    if temporary and Path(temporary).resolve().is_relative_to(project.resolve()):
        environment.pop("TMPDIR")  # the build's scratch folder while chapters run: it may be removed
    with open(path.with_suffix(".log"), "a") as log:
        return subprocess.Popen([sys.executable, "-m", __name__, str(path), code_version(), idle],
                         cwd="/", env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)  # fmt: skip


def status(project: Path) -> dict | None:
    """The running server's process id, version, calls served, peak memory and idle time; None if there is none."""
    try:
        reply = _ask(project, ("status",), start=False)
    except OSError:  # no folder of the user's own, or the server left while answering
        return None
    return reply[1] if reply else None


def stop(project: Path) -> bool:
    """Ask ``project``'s server to leave once its calls are done; whether one was running."""
    try:
        return _ask(project, ("stop",), start=False) is not None
    except OSError:
        return False


# -- the server's side -------------------------------------------------------------------------


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = False  # a server that leaves finishes the calls it took (server_close joins them)

    def __init__(self, path: Path, version: str, idle: float):
        self.path, self.version, self.idle = path, version, idle
        self.calls, self.busy, self.last = 0, 0, time.monotonic()
        self.lock = threading.Lock()
        super().__init__(str(path), _Handler)

    def leave(self) -> None:
        """Take no new call (the socket goes at once, so the next build starts a new server); finish these."""
        self.path.unlink(missing_ok=True)
        threading.Thread(target=self.shutdown, daemon=True).start()

    def watch_idle(self) -> None:
        while True:
            time.sleep(min(1.0, self.idle))
            with self.lock:
                if self.busy == 0 and time.monotonic() - self.last > self.idle:
                    break
        self.leave()


def _peak_memory() -> int:
    import resource  # Unix's, as the server's socket is

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # bytes there, kilobytes on Linux


def _helpers() -> list[dict]:
    """The processes the server started that still run (a Java kept for EPUBCheck, the warm parent),
    each with its program and memory, so that ``textbook server`` shows what stays running; read
    from ``/proc``, so none where there is no ``/proc``."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    children = [int(pid) for task in tasks.glob("*") for pid in _read(task / "children").split()]
    found = []
    for pid in children:
        command = _read(Path(f"/proc/{pid}/cmdline")).rstrip("\0").split("\0")
        status = _read(Path(f"/proc/{pid}/status")).splitlines()
        memory = [line.split()[1] for line in status if line.startswith("VmRSS:")]
        if command[0] and memory:  # an ended child not collected yet has neither
            module = command[command.index("-m") + 1] if "-m" in command[:-1] else ""
            program = module or " ".join(Path(part).name for part in (command[0], *command[-1:]) if part)
            found.append({"pid": pid, "program": program, "memory": int(memory[0]) * 1024})
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process ended meanwhile
        return ""


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        server = self.server
        request = receive(self.request)
        if request[0] == "status":
            send(self.request, ("status", {"pid": os.getpid(), "version": server.version, "calls": server.calls,
                                            "peak_memory": _peak_memory(), "idle_seconds": server.idle,
                                            "helpers": _helpers()}))
            return
        if request[0] == "stop" or request[1] != server.version:
            server.leave()
            send(self.request, ("stop",) if request[0] == "stop" else ("stale",))
            return
        _, _, function, args = request
        with server.lock:
            server.busy += 1
        try:
            reply = ("returned", function_named(function)(*args))
        except Exception as error:
            text = "".join(traceback.format_exception(error))
            try:
                reply = ("raised", pickle.dumps(error), text)
            except Exception:
                reply = ("raised", b"", text)
        finally:
            with server.lock:
                server.busy -= 1
                server.calls += 1
                server.last = time.monotonic()
        try:
            send(self.request, reply)
        except OSError:
            pass  # the build that called was stopped meanwhile
        if _peak_memory() > MOST_MEMORY:
            server.leave()


def serve(path: Path, version: str, idle: float) -> None:
    global _serving
    _serving = True
    server = _Server(path, version, idle)
    threading.Thread(target=server.watch_idle, daemon=True).start()
    print(f"build server {os.getpid()} for version {version} at {path}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        print(f"build server {os.getpid()} left after {server.calls} calls", flush=True)


if __name__ == "__main__":  # run as a script, this module is __main__: serve as the module the generator imports
    from textbook.core import build_server

    build_server.serve(Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]))
