"""The book's shared code (``_course/``) is an input of exactly the chapters that import it."""

from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

from textbook.course_code import DIGEST_KEY


def _cache_records(app) -> dict[str, list[int]]:
    """Cached executions by chapter file name: their record ids."""
    records: dict[str, list[int]] = {}
    for record in get_cache(app.env.mystnb_config.execution_cache_path).list_cache_records():
        records.setdefault(Path(record.uri).name, []).append(record.pk)
    return records


@pytest.mark.sphinx("html", testroot="shared-code", srcdir="shared-code-change")
def test_a_change_to_the_shared_code_re_executes_only_its_importers(app, make_app, app_params):
    app.build()
    assert app.warning.getvalue() == ""
    page = (app.outdir / "00-uses.html").read_text()
    assert "hello from the shared code" in page
    assert DIGEST_KEY not in page, "the digest cell is removed from the page"
    first = _cache_records(app)
    assert set(first) == {"00-uses.md", "01-plain.md"}

    (app.srcdir / "_course" / "__init__.py").write_text('GREETING = "changed shared code"\n')
    args, kwargs = app_params
    again = make_app(*args, **kwargs)
    again.build()
    # A second app in one process re-registers Sphinx's nodes; nothing else may warn.
    assert [w for w in again.warning.getvalue().splitlines() if "already registered" not in w] == []
    assert "changed shared code" in (again.outdir / "00-uses.html").read_text()
    second = _cache_records(again)
    assert len(second["00-uses.md"]) == 2, "the importing chapter ran again"
    assert second["01-plain.md"] == first["01-plain.md"], "the other chapter did not"


@pytest.mark.sphinx("html", testroot="shared-code", srcdir="shared-code-download")
def test_the_download_has_no_digest_cell(app):
    app.build()
    notebook = nbformat.read(app.outdir / "_sources" / "00-uses.ipynb", as_version=4)
    assert all(DIGEST_KEY not in cell.metadata for cell in notebook.cells)
    assert len(notebook.cells) == 2  # the title and the one code cell
