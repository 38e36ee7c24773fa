"""What an executed cell shows is the same at every execution: a figure's bytes, printed text
however the kernel cut it into pieces, whatever the author's shell sets."""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat

from textbook.execution.kernel_environment import drop_personal_settings, fix_figure_ids
from textbook.execution.streams import coalesce_streams

#: Two figures, so that ids must differ inside one kernel too (they depend on the content).
PLOT = """import matplotlib.pyplot as plt
%config InlineBackend.figure_formats = ["svg"]
for n in (2, 3):
    fig, ax = plt.subplots()
    ax.plot(range(n))
    plt.show()
"""


def _execute(tmp_path: Path, run: str) -> list[str]:
    """Execute the notebook as the execute-ahead workers do; the SVG outputs."""
    given, result = tmp_path / f"{run}.ipynb", tmp_path / f"{run}.json"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PLOT)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, given)
    subprocess.run(
        [sys.executable, "-m", "textbook.execution.execute_worker", str(given), str(result), str(tmp_path), "60", "0"],
        check=True, env=os.environ.copy(),
    )
    outcome = json.loads(result.read_text())
    assert outcome["ok"], outcome
    outputs = outcome["notebook"]["cells"][0]["outputs"]
    return [output["data"]["image/svg+xml"] for output in outputs if "image/svg+xml" in output.get("data", {})]


def test_two_executions_draw_identical_svg(tmp_path, monkeypatch):
    monkeypatch.setenv("MATPLOTLIBRC", str(tmp_path / "none"))  # restored after the test
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # as textbook build sets it: the SVG's date
    fix_figure_ids(None, SimpleNamespace(textbook_root=str(tmp_path), textbook_build="."))
    first, second = _execute(tmp_path, "first"), _execute(tmp_path, "second")
    assert len(first) == 2 and 'id="' in first[0]
    assert first == second


def _stream(name: str, text: str):
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_printed_text_is_the_same_however_the_kernel_cut_it():
    printed = "requests with a zero measurement: 7\nrequest    0: canary at 5%\n"
    cuts = [
        [_stream("stdout", printed)],
        [_stream("stdout", "requests with a zero measurement:"), _stream("stdout", " 7\nrequest    0:"),
         _stream("stderr", "a warning\n"), _stream("stdout", " canary at 5%\n")],
    ]  # fmt: skip
    merged = [coalesce_streams(outputs) for outputs in cuts]
    assert [o["text"] for o in merged[0]] == [printed]
    assert [(o["name"], o["text"]) for o in merged[1]] == [("stdout", printed), ("stderr", "a warning\n")]
    assert cuts[1][0]["text"] == "requests with a zero measurement:", "the kernel's outputs are left as they were"


def test_the_authors_pytest_settings_do_not_reach_the_kernels(monkeypatch):
    monkeypatch.setenv("PYTEST_ADDOPTS", "--durations=40")
    drop_personal_settings(None, None)
    assert "PYTEST_ADDOPTS" not in os.environ
