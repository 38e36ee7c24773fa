"""Figure numbers from kept outlines: Sphinx's numbers, without unpickling unchanged chapters."""

import shutil

from sphinx.environment.collectors.toctree import TocTreeCollector

from textbook.sphinx_ext import figure_numbering
from tests.conftest import ROOTS

THIRD = """# Third module

A table before any section.

```{table} A caption
:name: tbl-first

| a | b |
|---|---|
| 1 | 2 |
```

(sec-nested)=
## A section

```{code-block} python
:caption: A listing
:name: code-listing

x = 1
```

```{math}
:label: eq-sum

a + b
```

### A subsection

```{figure} figures_src/square.svg
:alt: A square.
:name: fig-nested

A figure in a subsection.
```

```{figure} figures_src/square.svg
:alt: No caption, no number.
```

## Another section

See {numref}`tbl-first`, {numref}`code-listing`, {numref}`fig-nested`, {numref}`fig-square` and {numref}`sec-nested`.

```{table} Another
:name: tbl-second

| c |
|---|
| 3 |
```
"""


def _book(tmp_path):
    source = tmp_path / "book"
    shutil.copytree(ROOTS / "test-basic", source)
    (source / "figures_src" / "square.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    (source / "02-third.md").write_text(THIRD)
    index = source / "index.md"
    index.write_text(index.read_text().replace("01-second\n", "01-second\n02-third\n"))
    return source


def test_the_numbers_are_sphinxs_own_and_only_a_chapter_read_again_is_outlined_again(tmp_path, make_app, monkeypatch):
    source = _book(tmp_path)
    app = make_app("html", srcdir=source)
    app.build()
    assert app.warning.getvalue() == ""
    ours = app.env.toc_fignumbers
    assert ours["02-third"] == {"table": {"tbl-first": (2, 1), "tbl-second": (2, 2)}, "code-block": {"code-listing": (2, 1)},
                                "figure": {"fig-nested": (2, 1)}, "displaymath": {"equation-eq-sum": (2, 1)}}
    assert ours["00-first"]["figure"] == {"fig-square": (0, 1)}
    TocTreeCollector.assign_figure_numbers(None, app.env)  # Sphinx's walk over every doctree
    assert app.env.toc_fignumbers == ours

    outlined = []
    real_outline = figure_numbering._outline
    monkeypatch.setattr(figure_numbering, "_outline", lambda env, docname: outlined.append(docname) or real_outline(env, docname))
    third = source / "02-third.md"
    third.write_text(third.read_text().replace("## Another section", "```{table} New\n:name: tbl-new\n\n| d |\n|---|\n| 4 |\n```\n\n## Another section"))
    again = make_app("html", srcdir=source)
    again.build()
    assert outlined == ["02-third"], "the other chapters' outlines were kept"
    assert again.env.toc_fignumbers["02-third"]["table"] == {"tbl-first": (2, 1), "tbl-new": (2, 2), "tbl-second": (2, 3)}
    numbers = again.env.toc_fignumbers
    TocTreeCollector.assign_figure_numbers(None, again.env)
    assert again.env.toc_fignumbers == numbers


def test_numbered_references_read_the_kept_stand_ins_as_they_would_the_doctrees(tmp_path, make_app, monkeypatch):
    from bs4 import BeautifulSoup
    from sphinx.environment import BuildEnvironment

    source = _book(tmp_path)
    app = make_app("html", srcdir=source)
    app.build()
    assert figure_numbering.targets(app.env, "00-first")["fig-square"].__class__.__name__ == "figure"
    page = BeautifulSoup((app.outdir / "02-third.html").read_text(), "html.parser")
    shown = [a.get_text() for a in page.select("p a.reference.internal")]
    assert shown == ["Table 2.1", "Listing 2.1", "Figure 2.1", "Figure 0.1", "Section 2.1"]

    unpickled = []
    real = BuildEnvironment.get_doctree
    monkeypatch.setattr(BuildEnvironment, "get_doctree", lambda env, name: unpickled.append(name) or real(env, name))
    third = source / "02-third.md"
    third.write_text(third.read_text() + "\nOne more sentence.\n")
    again = make_app("html", srcdir=source)
    again.build()
    assert "00-first" not in unpickled, "the figure's chapter was not read to number a reference to it"
    page = BeautifulSoup((again.outdir / "02-third.html").read_text(), "html.parser")
    assert [a.get_text() for a in page.select("p a.reference.internal")] == shown
