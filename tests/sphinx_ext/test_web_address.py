"""Print and EPUB give the HTML edition's address (``textbook_html_url``) where they point to it;
the HTML edition, and every edition without the setting, name it only."""

from pathlib import Path
from zipfile import ZipFile

import pytest

from textbook.pipeline import build

ADDRESS = "https://example.org/tiny-course"
PLOT_CELL = '\n```{code-cell} ipython3\n:tags: [plot-code]\nprint("drawn")\n```\n'
PROSE = "\nEach page can be run from the {html-edition}`HTML edition`.\n"


def _outputs(root: Path, setting: str) -> dict[str, str]:
    """The tiny project, given a plot-code cell and the role, written for print (Typst), EPUB and HTML."""
    (root / "conf.py").open("a").write(setting)
    chapter = root / "book" / "00-run.md"
    chapter.write_text(chapter.read_text().replace("## Exercises", PLOT_CELL + PROSE + "\n## Exercises"))
    layout = build.Layout(root)
    texts = {}
    for builder in ("typst", "epub", "html"):
        output = layout.work_output(builder)
        build.run_sphinx(layout, builder, layout.source, output, layout.doctrees, jobs=1)
        if builder == "typst":
            texts[builder] = (output / "tiny.typ").read_text().replace("\\", "")  # markup escapes aside
        elif builder == "epub":
            [book] = output.glob("*.epub")
            texts[builder] = ZipFile(book).read("00-run.xhtml").decode()
        else:
            texts[builder] = (output / "00-run.html").read_text()
    return texts


@pytest.fixture
def with_address(tiny_project) -> dict[str, str]:
    return _outputs(tiny_project, f'textbook_html_url = "{ADDRESS}"\n')


def test_print_and_epub_give_the_address_and_html_does_not(with_address):
    printed, epub, html = with_address["typst"], with_address["epub"], with_address["html"]
    assert f"{ADDRESS}/00-run.html" in printed, "the plot-code note gives the chapter's page"
    assert "The code that draws this figure is in the HTML edition:" in printed
    assert "HTML edition (" in printed and f'#link("{ADDRESS}/")' in printed, "the role gives the home page"
    assert f'href="{ADDRESS}/"' in epub and "HTML edition (" in epub
    assert "example.org" not in html


def test_without_the_setting_no_edition_gives_an_address(tiny_project):
    outputs = _outputs(tiny_project, "")
    assert "The code that draws this figure is in the HTML edition." in outputs["typst"]
    assert "HTML edition" in outputs["epub"]
    assert not [name for name, text in outputs.items() if "example.org" in text or "HTML edition (" in text]
