"""The index holds each term once, in one spelling; the book's own index is checked by the
integration test (``test_the_index_has_every_term_once_and_no_page_twice``)."""

import shutil

import pytest

from textbook.sphinx_ext.term_index import duplicate_terms, index_lines, line_count

from tests.conftest import ROOTS


def test_a_term_spelt_two_ways_is_named():
    entries = {
        "a": [("single", "data drift", "i1", "", None), ("single", "MLflow; tracking server", "i2", "", None)],
        "b": [("single", "Data  drift", "i3", "", None), ("single", "MLflow; Tracking server", "i4", "", None),
              ("pair", "pytest; fixtures", "i5", "", None)],
        "glossary": [("single", "data drift", "term-data-drift", "main", None)],
    }
    problems = duplicate_terms(entries)
    assert problems == [
        "'Data  drift' and 'data drift' are one term: choose one spelling",
        "under 'MLflow': 'Tracking server' and 'tracking server' are one term: choose one spelling",
    ]
    lines = index_lines(entries)
    assert lines["fixtures"] == {"pytest": {"b"}} and lines["data drift"] == {"": {"a", "glossary"}}
    # data drift, Data  drift, MLflow (and its two sub-entries), pytest (and fixtures), fixtures (and pytest)
    assert line_count(entries) == 9


@pytest.mark.sphinx("html", testroot="typst-index", freshenv=True)
def test_the_fixture_index_holds_each_term_once(app):
    app.build()
    assert app.warning.getvalue() == ""
    assert duplicate_terms(app.env.domains.index_domain.entries) == []


def test_a_planted_duplicate_is_found(tmp_path, make_app):
    """The check fails on a book that spells a term two ways."""
    source = tmp_path / "book"
    shutil.copytree(ROOTS / "test-typst-index", source)
    second = source / "01-second.md"
    second.write_text(second.read_text() + "\n```{index} Data Drift, mlflow; Tracking server\n```\n\nAgain.\n")
    app = make_app("html", srcdir=source, freshenv=True)
    app.build()
    assert duplicate_terms(app.env.domains.index_domain.entries) == [
        "'Data Drift' and 'data drift' are one term: choose one spelling",
        "'MLflow' and 'mlflow' are one term: choose one spelling",
    ]
