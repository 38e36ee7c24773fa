"""Run an exercise's ``## Parameters`` block once per seed, in a process of its own.

Reads ``{"code": ..., "seeds": [...]}`` as JSON on stdin and writes
``{"values": [{name: text}, ...]}`` or ``{"error": ..., "line": N}``. It runs
apart from the build so that a generator cannot change the build's own state,
and under a chosen hash seed so that two runs can show it is deterministic.
It imports only the standard library.
"""

import json
import math
import random
import statistics
import sys
import traceback

FILENAME = "<parameters>"


def _values(namespace: dict) -> dict[str, str]:
    """The parameters a generator defined: its public names, as the text that replaces ``{{name}}``."""
    values = {}
    for name, value in namespace.items():
        if name.startswith("_") or name in ("rng", "math", "statistics"):
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError(
                f"parameter '{name}' is a {type(value).__name__}; parameters are numbers or text "
                f"(name helpers with a leading underscore, e.g. '_{name}')"
            )
        text = str(value)
        if "\n" in text:
            raise ValueError(f"parameter '{name}' holds a line break; parameters are one line")
        values[name] = text
    return values


def _line_of(error: BaseException) -> int:
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == FILENAME]
    return frames[-1].lineno if frames else getattr(error, "lineno", 0) or 0


def main() -> None:
    request = json.load(sys.stdin)
    try:
        program = compile(request["code"], FILENAME, "exec")
        results = []
        for seed in request["seeds"]:
            namespace = {"rng": random.Random(seed), "math": math, "statistics": statistics}
            exec(program, namespace)
            results.append(_values(namespace))
        answer = {"values": results}
    except Exception as error:  # the author's code: every failure is reported, with its line
        answer = {"error": f"{type(error).__name__}: {error}", "line": _line_of(error)}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
