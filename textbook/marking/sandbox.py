"""Run one student's answer to one exercise, then its checks, in a process of its own.

**What the answer's process is.** ``python -s -E -c <runner.py>`` in a fresh
temporary folder (under the system's, never the project's) that holds nothing
but what the answer writes there, deleted afterwards, with these limits
(``Limits``, set by ``prlimit`` before anything runs):

* wall clock (the grader kills the process group when it is over) and CPU
  time (``RLIMIT_CPU``);
* memory (``RLIMIT_AS``): a 10 GB allocation is a ``MemoryError``;
* output and file size (``RLIMIT_FSIZE``): standard output and error go to a
  file the grader reads back, at most ``Limits.output`` bytes; writing more
  ends the process;
* processes (``RLIMIT_NPROC``, counted per user: see below); no core files.

**As root** (the isolation ``isolation()`` names in the output), besides:

* the answer runs as a user of its own, a numeric uid used by no account
  (``FIRST_UID`` plus the run's number) in no group, through ``setpriv``: it
  owns only its folder, so it can write nowhere else but the machine's
  world-writable temporary folder (``/tmp``; what it leaves there is removed
  after the run; ``/var/tmp`` and ``/dev/shm`` are fresh, empty and its own),
  not in the project nor in another run's folder, and the process cap is its own, not shared with other
  runs or the machine;
* in new network, PID and mount namespaces (``unshare``): the only network
  is an unconnected loopback (a server on the machine's ``127.0.0.1`` sees
  no connection); when the runner ends every process the answer started
  ends with it; and the exercise bank, the build folder and the submissions
  are covered by empty, unreadable file systems (``hidden``), so the answer
  reads neither the checks, the solutions nor other students' work.
  The grader's Python environment and the course's shared code are bound
  under ``/mnt/textbook`` (``EXPOSED``), so the answer's user can import them
  even when the project sits in a folder only root may enter.

Not as root none of this is possible: the answer runs as the caller, with
the caller's network and files, and only the limits above hold; the output
says so.

**The protocol, and what the answer cannot do.** The grader sends the answer
on standard input; the runner reads it, puts ``/dev/null`` in its place and
runs it in a fresh namespace. Only after the answer has finished (or raised,
or called ``sys.exit``) does the runner say so on the verdict pipe, and only
then does the grader send the checks and a random key: the checks are never
on disk and not in the process while the answer's own code runs at the top
level, so printing or saving them is not possible. The runner then runs each
check with the original builtins (an answer that replaces ``isinstance`` or
``print`` does not change them for the checks) and writes one verdict per
check to the verdict pipe, each signed with the key (HMAC-SHA256). The grader
counts only signed verdicts, in order, on that pipe: text the answer prints
is ignored (standard output is not the channel), and an answer that ends the
process (``os._exit(0)``) before the checks leaves every check not passed.

In a check's ``assert``, every compared value and the asserted value itself
must not be of a class to which the answer gave its own comparison or truth
(``__eq__``, ``__bool__``, ...; ``runner._answers_own``): an object equal to
everything is refused, not passed. Checks should still test types exactly
(``type(x) is int``) before values.

What remains possible is deliberate, and visible in the answer: code the
answer defines runs while the checks run (they call it), and Python code can
read its own process's memory, so a function that walks the interpreter's
frames could find the key and the hidden checks' source and forge verdicts.
Such an answer is not an honest attempt; the limits above still hold for it,
and an unsigned or out-of-order verdict is reported as tampering.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import os
import re
import secrets
import selectors
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

RUNNER = Path(__file__).with_name("runner.py")
#: The first uid of the users answers run as (as root): numbers no account uses.
FIRST_UID = 1_900_000_000


#: Why the checks did not all run.
TIMEOUT, ENDED, CHECKS_ENDED = "timeout", "ended", "checks-ended"


class SandboxError(RuntimeError):
    """The sandbox could not start the runner: the grader's fault (or the machine's), never the answer's,
    which had not run yet; grading stops rather than give the answer 0."""


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0  # wall clock, and CPU time
    memory: int = 4 * 2**30  # bytes of address space
    output: int = 2**20  # bytes of output, and of any file written
    processes: int = 64  # processes and threads


@dataclass(frozen=True)
class Block:
    """A checks section: its name ("public checks"), its source, and how many checks it holds.

    Counted when made (``Block.of``), not in the threads runs go in: CPython 3.11's ``ast`` is not
    safe to use from several threads at once ("AST constructor recursion depth mismatch")."""

    name: str
    source: str
    count: int

    @classmethod
    def of(cls, name: str, source: str) -> Block:
        return cls(name, source, count_checks(source))


#: Top-level statements that set up checks rather than check (the runner's ``_SETUP``).
SETUP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
         ast.AnnAssign, ast.AugAssign)


def check_sources(source: str) -> list[str]:
    """The source of each check of a checks section: each top-level statement that is not set-up
    (imports, definitions, assignments), or the whole section if it has no other statement."""
    body = ast.parse(source).body
    checks = [ast.get_source_segment(source, node) for node in body if not isinstance(node, SETUP)]
    return checks or ([source.strip()] if body else [])


def count_checks(source: str) -> int:
    return len(check_sources(source))


@dataclass
class Run:
    verdicts: dict[int, tuple[bool, str]] = field(default_factory=dict)  # check number (from 1) -> passed, message
    answered: bool = False
    answer_error: str | None = None
    reason: str | None = None  # why the checks did not all run: TIMEOUT, ENDED, CHECKS_ENDED
    limits_hit: list[str] = field(default_factory=list)
    output: str = ""  # the tail of what the process printed (for the instructor's log only)
    tampered: bool = False
    seconds: float = 0.0  # wall clock, from starting the process to its end
    inside: float | None = None  # of which the answer and the checks ran (the runner's signed "done")

    @property
    def overhead(self) -> float | None:
        """The grader's own time in this run: starting Python and the sandbox, the protocol, cleaning up."""
        return None if self.inside is None else max(0.0, self.seconds - self.inside)


@cache
def can_isolate() -> bool:
    """Root, with ``unshare`` and ``setpriv``, on a machine that lets root make namespaces (a
    container may forbid it: then the weaker isolation is used, and said)."""
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"):
        return False
    probe = ["unshare", "--net", "--pid", "--fork", "--mount", "--propagation", "private", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def isolation() -> str:
    """The isolation answers get on this machine, in one line for the output."""
    if can_isolate():
        return ("isolation: a user of its own per run, no network (new network namespace), bank, build and "
                "submissions hidden, limits on time, CPU, memory, output and processes")
    return ("isolation: WEAKER, not run as root: answers run as you, with your network and files; only time, "
            "CPU, memory and output are limited (run as root for a user of their own and no network)")


def _message(data: dict) -> bytes:
    body = json.dumps(data).encode("utf-8")
    return len(body).to_bytes(8, "big") + body


def _write(fd: int, data: bytes) -> bool:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return True
    except (BrokenPipeError, OSError):
        return False


#: Inside the sandbox's mount namespace: where the grader's Python environment and the course's
#: shared code appear, whatever folder (perhaps one only root may enter) holds them outside.
EXPOSED = Path("/mnt/textbook")


def _exposed(path: list[str]) -> dict[str, str]:
    """Each folder the answer's Python needs (the environment, then ``path``) -> where it appears."""
    return {sys.prefix: str(EXPOSED / "python"), **{entry: str(EXPOSED / f"path-{n}") for n, entry in enumerate(path)}}


def _command(folder: Path, uid: int, limits: Limits, hidden: list[Path], shared: list[str] = ()) -> list[str]:
    python = [sys.executable, "-s", "-E", "-c", RUNNER.read_text()]
    seconds = max(1, int(limits.seconds))
    limit = ["prlimit", f"--cpu={seconds}:{seconds + 1}", f"--as={limits.memory}", f"--fsize={limits.output}",
             "--core=0"]
    if not can_isolate():
        return [*limit, "--", *python]
    # The environment and the shared code are bound where the answer's user can read them (the
    # project may sit in a folder only root may enter), before anything is hidden (a hidden folder
    # may hold them); Python starts from the bound environment.
    exposed = _exposed(list(shared))
    covers = [f"mount -t tmpfs -o size=1m,mode=755 none {EXPOSED.parent}"]
    for outside, inside in exposed.items():
        covers += [f"mkdir -p {shlex.quote(inside)}", f"mount --bind {shlex.quote(outside)} {shlex.quote(inside)}"]
    covers += [f"mount -t tmpfs -o size=64m,mode=1777 none {scratch}" for scratch in ("/var/tmp", "/dev/shm")
               if Path(scratch).is_dir()]
    for path in _outermost(hidden):
        if path.is_dir():
            covers.append(f"mount -t tmpfs -o size=4k,mode=000 none {shlex.quote(str(path))}")
        elif path.is_file():
            covers.append(f"mount --bind /dev/null {shlex.quote(str(path))}")
    if Path(sys.executable).is_relative_to(sys.prefix):
        python[0] = str(Path(exposed[sys.prefix]) / Path(sys.executable).relative_to(sys.prefix))
    user = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all", "--no-new-privs", "--"]
    script = " && ".join([*covers, f"exec {shlex.join([*user, *python])}"])
    return [*limit, f"--nproc={limits.processes}", "--", "unshare", "--net", "--pid", "--fork", "--kill-child",
            "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script]


def _outermost(paths: list[Path]) -> list[Path]:
    """``paths`` less those inside another of them (covering the outer one covers them, and takes
    away the folder a mount on them would need)."""
    resolved = [path.resolve() for path in paths]
    return [path for path in resolved if not any(path != other and path.is_relative_to(other) for other in resolved)]


def _environment(folder: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": str(folder),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "1",
        "MLFLOW_TRACKING_URI": f"sqlite:///{folder / 'mlflow.db'}",
        "MLFLOW_REGISTRY_URI": f"sqlite:///{folder / 'mlflow.db'}",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


class _Verdicts:
    """Lines from the verdict pipe, read until a deadline."""

    def __init__(self, fd: int, deadline: float):
        self.fd, self.deadline, self.buffer, self.closed = fd, deadline, b"", False
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def next(self) -> dict | None:
        """The next message; None at end of pipe or time (``timed_out`` tells which)."""
        while b"\n" not in self.buffer:
            left = self.deadline - time.monotonic()
            if self.closed or left <= 0 or not self.selector.select(left):
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                self.closed = True
                continue
            self.buffer += chunk
            if len(self.buffer) > 2**20:  # no verdict is that long
                self.closed = True
                return None
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            return {}
        return message if isinstance(message, dict) else {}

    @property
    def timed_out(self) -> bool:
        return not self.closed and time.monotonic() >= self.deadline


def run(answer: str, blocks: list[Block], *, number: int = 0, limits: Limits = Limits(),
        hidden: list[Path] = (), path: list[str] = ()) -> Run:
    """Run ``answer``, then ``blocks``' checks (numbered on from 1 across blocks), as the module says."""
    result = Run()
    began = time.monotonic()
    path = [entry for entry in path if Path(entry).is_dir()]  # only folders can be bound where the answer sees them
    uid = FIRST_UID + number
    folder = Path(tempfile.mkdtemp(prefix="textbook-grade-"))
    output = tempfile.TemporaryFile()
    verdict_read, verdict_write = os.pipe()
    control_read, control_write = os.pipe()
    try:
        if can_isolate():
            os.chown(folder, uid, uid)
        folder.chmod(0o700)
        started = time.monotonic()
        process = subprocess.Popen(
            _command(folder, uid, limits, list(hidden), list(path)), cwd=folder, stdin=control_read, stdout=output,
            stderr=subprocess.STDOUT, env=_environment(folder), pass_fds=(verdict_write,), start_new_session=True,
        )
        child_fd = verdict_write
        os.close(verdict_write)
        os.close(control_read)
        verdict_write = control_read = -1
        inside = [_exposed(list(path))[entry] for entry in path] if can_isolate() else list(path)
        started_up = _converse(result, answer, blocks, control_write, verdict_read, child_fd, inside,
                               started + limits.seconds)
        try:
            process.wait(timeout=max(0.1, started + limits.seconds - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        if process.poll() is None:
            result.limits_hit.append(f"wall clock: still running after {limits.seconds:g} s, stopped")
            result.reason = result.reason or TIMEOUT
        _stop(process)
        _limits_from(result, process.returncode, limits)
        output.seek(0)
        result.output = output.read()[-4000:].decode("utf-8", "replace")
        if not started_up:
            raise SandboxError(f"the sandbox did not start the answer's Python (exit status {process.returncode}): "
                               f"{result.output.strip() or 'no output'}")
    finally:
        for fd in (verdict_read, verdict_write, control_read, control_write):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        output.close()
        shutil.rmtree(folder, ignore_errors=True)
        if can_isolate():
            _remove_owned_by(uid, Path(tempfile.gettempdir()))
        result.seconds = time.monotonic() - began
    return result


def _remove_owned_by(uid: int, folder: Path) -> None:
    """What the run's user left in the shared temporary folder (the one place outside its own it may write)."""
    for entry in os.scandir(folder):
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
        except OSError:
            pass


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _limits_from(result: Run, returncode: int, limits: Limits) -> None:
    """The limits the run reached, as far as its end tells."""
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL) and "wall clock" not in " ".join(result.limits_hit):
        result.limits_hit.append(f"CPU time: more than {limits.seconds:g} s")
    if returncode == -signal.SIGXFSZ:
        result.limits_hit.append(f"output: more than {limits.output} bytes printed or written to a file")
    errors = [result.answer_error or ""] + [message for _, message in result.verdicts.values()]
    if any("MemoryError" in error for error in errors):
        result.limits_hit.append(f"memory: more than {limits.memory} bytes asked for")
    if any("BlockingIOError" in error or "Resource temporarily unavailable" in error for error in errors):
        result.limits_hit.append(f"processes: more than {limits.processes} started")


def _converse(result: Run, answer: str, blocks: list[Block], control: int, verdict_fd: int, child_fd: int,
              path: list[str], deadline: float) -> bool:
    """Talk to the runner as the module says; False if it never said it was ready (it did not start)."""
    header = {"answer": answer, "verdict_fd": child_fd, "path": path}
    verdicts = _Verdicts(verdict_fd, deadline)
    if not _write(control, _message(header)) or (verdicts.next() or {}).get("ready") is not True:
        return False  # nothing of the answer has run: the runner says "ready" before it runs it
    first = verdicts.next()
    if not first or first.get("answered") is not True:
        result.reason = TIMEOUT if verdicts.timed_out else ENDED
        return True
    result.answered = True
    result.answer_error = first.get("error") if isinstance(first.get("error"), str) else None
    key = secrets.token_bytes(32)
    checks = {"key": key.hex(), "blocks": [{"name": b.name, "source": b.source, "count": b.count} for b in blocks]}
    if not _write(control, _message(checks)):
        result.reason = ENDED
        return True
    expected, total = 1, sum(b.count for b in blocks)
    while True:
        message = verdicts.next()
        if message is None:
            if expected <= total:
                result.reason = TIMEOUT if verdicts.timed_out else CHECKS_ENDED
            return True
        body = f"{message.get('check')}\0{message.get('passed')}\0{message.get('message')}"
        mac = hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()
        if not isinstance(message.get("mac"), str) or not hmac.compare_digest(mac, message["mac"]):
            result.tampered = True
            continue
        if message.get("check") == 0:
            done = re.fullmatch(r"done in (\d+\.\d+) s", str(message.get("message")))
            result.inside = float(done[1]) if done else None
            return True
        if message.get("check") != expected or not isinstance(message.get("passed"), bool):
            result.tampered = True
            continue
        result.verdicts[expected] = (message["passed"], str(message.get("message", ""))[:500])
        expected += 1
