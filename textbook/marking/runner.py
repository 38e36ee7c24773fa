"""The program a student's answer runs in (standard library only, sent as ``python -c``).

It reads the answer from standard input, runs it, says so on the verdict pipe,
and only then reads the checks and the key from standard input; see
``sandbox.py`` for the protocol and what it guarantees. Nothing here imports
the generator: the sandbox hides the project from the student's process.
"""

import ast
import builtins
import hashlib
import hmac
import json
import os
import random
import sys
import time

ANSWER = "<answer>"
#: The methods a value may use to make a comparison or a truth test say what it likes.
_FORGEABLE = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__len__", "__contains__")


def _read_message(fd):
    size = int.from_bytes(_read_exactly(fd, 8), "big")
    return json.loads(_read_exactly(fd, size).decode("utf-8"))


def _read_exactly(fd, size):
    chunks, left = [], size
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            raise EOFError("the grader closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _hidden_fd(fd):
    """``fd`` moved to a random number, closed on exec."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, random.randrange(200, 900))
    os.close(fd)
    return moved


class Refused(Exception):
    """A check compared a value whose class the answer gave its own comparison."""


def _answers_own(value, answer_name):
    for cls in type(value).__mro__:
        for name in _FORGEABLE:
            method = cls.__dict__.get(name)
            if method is None:
                continue
            code = getattr(getattr(method, "__func__", method), "__code__", None)
            if cls.__module__ == answer_name or (code is not None and code.co_filename == ANSWER):
                return cls.__name__
    return None


def _trusted(answer_name):
    def trusted(value):
        own = _answers_own(value, answer_name)
        if own is not None:
            raise Refused(f"a value of class {own}, whose comparison the answer defines, cannot be checked")
        return value

    return trusted


class _Guard(ast.NodeTransformer):
    """Every comparison's operands, and the assert's own value, pass through ``__textbook_trusted__``."""

    def _wrap(self, node):
        return ast.Call(ast.Name("__textbook_trusted__", ast.Load()), [node], [])

    def visit_Compare(self, node):
        self.generic_visit(node)
        node.left = self._wrap(node.left)
        node.comparators = [self._wrap(c) for c in node.comparators]
        return node

    def visit_Assert(self, node):
        self.generic_visit(node)
        node.test = self._wrap(node.test)
        return node

    def visit_Module(self, node):
        self.generic_visit(node)
        return node


#: Top-level statements that set up checks rather than check: what they define, the checks use.
_SETUP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign,
          ast.AnnAssign, ast.AugAssign)


def _statements(source, name):
    """(is it a check, compiled code) for each top-level statement; a block without a check is one."""
    tree = _Guard().visit(ast.parse(source, name))
    if not any(not isinstance(statement, _SETUP) for statement in tree.body):
        return [(True, compile(ast.fix_missing_locations(tree), name, "exec"))] if tree.body else []
    found = []
    for statement in tree.body:
        module = ast.fix_missing_locations(ast.Module([statement], []))
        found.append((not isinstance(statement, _SETUP), compile(module, name, "exec")))
    return found


def _restore(pristine):
    """The builtins module as it was before the answer ran (the runner's own code, json's, the checks')."""
    if builtins.__dict__ != pristine:
        builtins.__dict__.clear()
        builtins.__dict__.update(pristine)


def main():
    pristine = dict(builtins.__dict__)  # before the answer can touch the builtins
    header = _read_message(0)
    control, verdicts = _hidden_fd(0), _hidden_fd(header["verdict_fd"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.path[:0] = header["path"]

    def send(message):
        os.write(verdicts, (json.dumps(message) + "\n").encode("utf-8"))

    send({"ready": True})  # before any of the answer runs: the grader knows the sandbox started
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    answer_error = None
    started = time.perf_counter()  # the answer's and the checks' own time; the rest is the grader's
    try:
        exec(compile(header["answer"], ANSWER, "exec"), namespace)
    except BaseException as error:  # SystemExit too: the checks still run, against what is there
        answer_error = f"{type(error).__name__}: {error}"[:500]
    _restore(pristine)
    sys.stdout.flush()
    sys.stderr.flush()
    send({"answered": True, "error": answer_error})

    checks = _read_message(control)
    os.close(control)
    key = bytes.fromhex(checks["key"])

    def verdict(number, passed, message):
        body = f"{number}\0{passed}\0{message}"
        mac = hmac.new(key, body.encode("utf-8"), hashlib.sha256).hexdigest()
        send({"check": number, "passed": passed, "message": message, "mac": mac})

    number = 0
    # The checks share one namespace, as one program after the answer (the hidden ones may use the
    # public ones' names), with the original builtins.
    scope = dict(namespace)
    scope["__builtins__"] = dict(pristine)
    scope["__textbook_trusted__"] = _trusted("__main__")
    for block in checks["blocks"]:
        try:
            statements = _statements(block["source"], block["name"])
        except SyntaxError as error:
            statements = []
            for _ in range(block["count"]):
                number += 1
                verdict(number, False, f"SyntaxError: {error}")
        for is_check, code in statements:
            if is_check:
                number += 1
            try:
                exec(code, scope)
            except BaseException as error:
                _restore(pristine)
                if is_check:
                    shown = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                    verdict(number, False, shown[:500])
                continue
            _restore(pristine)
            if is_check:
                verdict(number, True, "")
    verdict(0, True, f"done in {time.perf_counter() - started:.6f} s")
    os.close(verdicts)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no interpreter shutdown: tearing down what the answer imported is nobody's time


if __name__ == "__main__":
    main()
