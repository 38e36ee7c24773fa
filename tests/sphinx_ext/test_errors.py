"""Bad input gets a clear message that names the file, the line and the fix."""

import shutil
from pathlib import Path

import pytest
from sphinx.errors import ExtensionError

from tests.conftest import ROOTS


@pytest.fixture
def variant(tmp_path: Path, make_app):
    """Build a copy of a test root with some files replaced; return the app."""

    def build(root: str, files: dict[str, str], builder: str = "html"):
        srcdir = tmp_path / root
        shutil.copytree(ROOTS / f"test-{root}", srcdir)
        for name, text in files.items():
            (srcdir / name).write_text(text)
        app = make_app(builder, srcdir=srcdir)
        app.build()
        return app

    return build


FIRST = (ROOTS / "test-basic" / "00-first.md").read_text()
FIGURE_LINE = FIRST.splitlines().index("```{script-figure} square") + 1


def test_a_missing_figure_script_names_the_chapter_line_and_script(variant):
    app = variant("basic", {"00-first.md": FIRST.replace("{script-figure} square", "{script-figure} circle")})
    warnings = app.warning.getvalue()
    assert f"00-first.md:{FIGURE_LINE}: ERROR: no figure script for 'circle'" in warnings
    assert "figures_src/circle.py" in warnings


def test_a_figure_without_alt_text_is_refused(variant):
    app = variant("basic", {"00-first.md": FIRST.replace(":alt: A filled square.\n", "")})
    assert f"00-first.md:{FIGURE_LINE}: ERROR: script-figure 'square' needs an :alt: text" in app.warning.getvalue()


def test_a_failing_figure_script_stops_the_build_naming_the_script(variant):
    with pytest.raises(ExtensionError) as caught:
        variant("basic", {"figures_src/square.py": "def draw():\n    return 1 / 0\n"})
    assert "figures_src/square.py failed" in str(caught.value)
    assert "ZeroDivisionError" in str(caught.value)


@pytest.mark.parametrize(
    ("overview", "message"),
    [
        ("difficulty: 4", "difficulty: 4 is greater than the maximum of 3"),
        ("difficulty: two", "difficulty: 'two' is not of type 'integer'"),
        ("minutes: 30", "overview: 'difficulty' is a required property"),
        ("difficulty: [1", "module-overview: malformed YAML"),
        ("colour: blue", "Additional properties are not allowed ('colour' was unexpected)"),
    ],
)
def test_bad_front_matter_is_reported_at_the_directive(variant, overview, message):
    good = "difficulty: 1\nminutes: 30\n"
    replaced = FIRST.replace(good, overview + "\n" + ("minutes: 30\n" if "minutes" not in overview else ""))
    if overview.startswith("colour"):
        replaced = FIRST.replace(good, good + overview + "\n")
    app = variant("basic", {"00-first.md": replaced})
    warnings = app.warning.getvalue()
    assert "00-first.md:" in warnings and ": ERROR: " in warnings
    assert message in warnings


def test_front_matter_outside_a_module_chapter_is_refused(variant):
    index = (ROOTS / "test-basic" / "index.md").read_text()
    overview = "```{module-overview}\ndifficulty: 1\nminutes: 5\nprerequisites: [x]\nobjectives: {a: b}\n```\n"
    app = variant("basic", {"index.md": index + "\n" + overview})
    assert "module-overview is only for module chapters named NN-slug.md; 'index' is not" in app.warning.getvalue()


def test_a_failing_code_cell_names_the_chapter_and_the_cell(variant):
    source = (ROOTS / "test-execute" / "00-run.md").read_text()
    broken = source.replace("total = sum(range(10))", "total = sum(range(10)) / 0")
    warnings = variant("execute", {"00-run.md": broken}).warning.getvalue()
    assert "00-run.md: WARNING: Executing notebook failed" in warnings
    assert "total = sum(range(10)) / 0" in warnings  # the cell
    assert "ZeroDivisionError" in warnings  # the traceback


def test_a_gap_in_the_module_numbers_is_refused(variant, tmp_path):
    index = (ROOTS / "test-basic" / "index.md").read_text()
    second = (ROOTS / "test-basic" / "01-second.md").read_text()
    app = variant("basic", {"index.md": index.replace("01-second", "02-third"), "02-third.md": second})
    (app.srcdir / "01-second.md").unlink(missing_ok=True)
    warnings = app.warning.getvalue()
    assert "module 2 (02-third) is chapter 1 in the toctree; list the modules in order, with no gaps" in warnings


RUN = (ROOTS / "test-execute" / "00-run.md").read_text()


def test_a_role_inside_math_is_refused_at_its_line(variant):
    chapter = RUN + "\nDrift is measured by\n\n```{math}\nD = \\mathrm{KL}(p \\,\\|\\, q) \\quad {term}`divergence`\n```\n"
    line = chapter.splitlines().index("D = \\mathrm{KL}(p \\,\\|\\, q) \\quad {term}`divergence`") + 1
    warnings = variant("execute", {"00-run.md": chapter}).warning.getvalue()
    assert f"00-run.md:{line}: WARNING: the role {{term}}`divergence` is inside math" in warnings


MEASURED = RUN.replace('print(f"total = {total}")', 'print(f"recall = {0.93912:.5f}, share = {0.78049:.5f}, rare = {0.0007:.4f}")')


@pytest.mark.parametrize(
    ("prose", "typed"),
    [
        ("The recall is 0.939, as printed.", "0.939"),  # rounded as the prose rounds it
        ("The share is 78.0 % of the cases.", "78.0 %"),  # a fraction quoted as a percentage
    ],
)
def test_a_number_the_outputs_compute_typed_by_hand_is_flagged_at_its_line(variant, prose, typed):
    chapter = MEASURED + f"\n{prose}\n"
    line = chapter.splitlines().index(prose) + 1
    warnings = variant("execute", {"00-run.md": chapter}).warning.getvalue()
    assert f"00-run.md:{line}: WARNING: {typed} is typed by hand, but a cell of this chapter prints it" in warnings


@pytest.mark.parametrize(("tags", "flagged"), [("", True), (":tags: [measures-time]\n", False)])
def test_a_timing_is_no_output_a_sentence_can_copy(variant, tags, flagged):
    """A measures-time cell prints other numbers at every run: one that happens to match a sentence's is no copy."""
    chapter = RUN + f"\n```{{code-cell}} ipython3\n{tags}print('took 12.34 ms')\n```\n\nIt took 12.34 ms here.\n"
    warnings = variant("execute", {"00-run.md": chapter}).warning.getvalue()
    assert ("12.34 is typed by hand" in warnings) is flagged


def test_glued_numbers_and_numbers_the_outputs_do_not_compute_pass(variant):
    glued = MEASURED.replace(
        'print(f"recall', 'from myst_nb import glue\nglue("recall", 0.93912, display=False)\nprint(f"recall'
    )
    chapter = glued + "\nThe recall is {glue:text}`recall:.3f`; a threshold of 0.950, 12.5 % and `422` are the author's, and so is 0.1 % (the output's 0.0007 rounds to it, but is 30 % smaller).\n"
    app = variant("execute", {"00-run.md": chapter})
    assert "typed by hand" not in app.warning.getvalue()
    assert 'The recall is <span class="pasted-text">0.939</span>;' in (app.outdir / "00-run.html").read_text()
