"""Templates compiled in one build are taken from the build folder's cache by the next."""

import shutil

import jinja2
import pytest

from textbook.core.config import of_sphinx


@pytest.mark.sphinx("html", testroot="basic", freshenv=True)
def test_a_second_build_compiles_no_template_and_writes_the_same_pages(app, make_app, app_params, monkeypatch):
    app.build()
    first = {page.name: page.read_bytes() for page in app.outdir.glob("*.html")}
    kept = list((of_sphinx(app.config).cache_dir / "templates").rglob("*.cache"))
    assert len(kept) > 5, "the layout and its parts are kept"

    compiled = []
    compile_template = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, name=None, filename=None, *rest, **named: (
        compiled.append(name), compile_template(self, source, name, filename, *rest, **named))[1])  # fmt: skip
    shutil.rmtree(app.outdir)
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": True})
    again.build()
    assert [name for name in compiled if name is not None] == [], "every template file came from the cache"
    assert {page.name: page.read_bytes() for page in again.outdir.glob("*.html")} == first


def _own_layout(srcdir, footer: str) -> None:
    layout = srcdir / "_templates" / "layout.html"
    layout.parent.mkdir(exist_ok=True)
    layout.write_text(f'{{% extends "!layout.html" %}}{{% block footer %}}<p id="own-footer">{footer}</p>{{% endblock %}}')


@pytest.mark.sphinx("html", testroot="basic", freshenv=True, confoverrides={"templates_path": ["_templates"]})
def test_a_template_edited_since_is_compiled_again(app, make_app, app_params):
    _own_layout(app.srcdir, "First")
    app.build()
    assert '<p id="own-footer">First</p>' in (app.outdir / "index.html").read_text()
    _own_layout(app.srcdir, "Second")  # the same file, kept under the same name
    args, kwargs = app_params
    again = make_app(*args, **{**kwargs, "freshenv": True})
    again.build()
    assert '<p id="own-footer">Second</p>' in (again.outdir / "index.html").read_text()
