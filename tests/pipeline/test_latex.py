"""latexmk runs until LaTeX's last pass asks for no other."""

import subprocess
from pathlib import Path

from textbook.pipeline import latex


def _done(*args, **kwargs):
    return subprocess.CompletedProcess(args, 0, "", "")


def test_a_round_is_forced_while_the_log_asks_for_a_rerun(tmp_path, monkeypatch):
    tex = tmp_path / "handout.tex"
    tex.write_text("")
    tex.with_suffix(".pdf").write_bytes(b"%PDF")
    logs = iter([f"LaTeX Warning: Label(s) may have changed. {latex.RERUN_REQUEST}.", "Output written."])
    runs = []

    def latexmk(tex: Path, *options: str):
        runs.append(options)
        tex.with_suffix(".log").write_text(next(logs))
        return _done()

    monkeypatch.setattr(latex, "_latexmk", latexmk)
    assert latex.compile_one(tex).ok
    assert runs == [(), ("-g",)], "latexmk stopped with the log asking for a pass: one more, forced"


def test_forced_rounds_are_bounded(tmp_path, monkeypatch):
    tex = tmp_path / "book.tex"
    tex.write_text("")
    tex.with_suffix(".pdf").write_bytes(b"%PDF")
    tex.with_suffix(".log").write_text(latex.RERUN_REQUEST)
    runs = []
    monkeypatch.setattr(latex, "_latexmk", lambda tex, *options: runs.append(options) or _done())
    latex.compile_one(tex)
    assert len(runs) == 1 + latex.FORCED_ROUNDS
