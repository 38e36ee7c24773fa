"""The notebook download holds printed text merged, as the page shows it: how a kernel cut it
into stream outputs varies from one execution to the next."""

from types import SimpleNamespace

import nbformat

from textbook.sphinx_ext.downloads import executed_notebook


def test_the_download_merges_stream_outputs(tmp_path):
    cell = nbformat.v4.new_code_cell("print('a'); print('b')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="b\n")]
    written = tmp_path / "chapter.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), written)
    app = SimpleNamespace(env=SimpleNamespace(mystnb_config=SimpleNamespace(execution_mode="off", merge_streams=True)))
    outputs = nbformat.reads(executed_notebook(app, written).decode(), as_version=4).cells[0].outputs
    assert [output.text for output in outputs] == ["a\nb\n"]
