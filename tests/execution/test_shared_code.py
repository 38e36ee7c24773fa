"""The book's shared code (``_course/``) is an input of exactly the chapters that run it."""

from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

from textbook.execution.course_code import DIGEST_KEY, chapter_dependencies


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

    args, kwargs = app_params
    # A module no chapter imports: nothing runs again.
    (app.srcdir / "_course" / "other.py").write_text('OTHER = "changed"\n')
    again = make_app(*args, **kwargs)
    again.build()
    assert _cache_records(again) == first

    # A module the chapter's import imports in turn: that chapter, and only it, runs again.
    (app.srcdir / "_course" / "words.py").write_text('SHARED = "changed shared"\n')
    again = make_app(*args, **kwargs)
    again.build()
    # A second app in one process re-registers Sphinx's nodes; nothing else may warn.
    assert [w for w in again.warning.getvalue().splitlines() if "already registered" not in w] == []
    assert "hello from the changed shared code" in (again.outdir / "00-uses.html").read_text()
    second = _cache_records(again)
    assert len(second["00-uses.md"]) == 2, "the importing chapter ran again"
    assert second["01-plain.md"] == first["01-plain.md"], "the other chapter did not"


def test_a_chapter_depends_on_the_modules_it_runs(rootdir):
    srcdir = rootdir / "test-shared-code"
    names = [p.name for p in chapter_dependencies((srcdir / "00-uses.md").read_text(), srcdir / "_course")]
    assert names == ["__init__.py", "greeting.py", "words.py"]
    assert chapter_dependencies((srcdir / "01-plain.md").read_text(), srcdir / "_course") == []
    assert [p.name for p in chapter_dependencies("import _course\n", srcdir / "_course")] == ["__init__.py"]
    both = "from _course import greeting, other\n"
    assert [p.name for p in chapter_dependencies(both, srcdir / "_course")] == ["__init__.py", "greeting.py", "other.py", "words.py"]


@pytest.mark.sphinx("html", testroot="shared-code", srcdir="shared-code-download")
def test_the_download_has_no_digest_cell(app):
    app.build()
    notebook = nbformat.read(app.outdir / "_sources" / "00-uses.ipynb", as_version=4)
    assert all(DIGEST_KEY not in cell.metadata for cell in notebook.cells)
    assert len(notebook.cells) == 2  # the title and the one code cell
