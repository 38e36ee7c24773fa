"""The web gate on a hand-made site: each kind of defect is caught, a clean page passes."""

from pathlib import Path

import pytest

from textbook.gates.web_checks import check_site

CLEAN = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>{head}</head>
<body><main><h1 id="top">{title}</h1>{body}</main>{outside}</body></html>"""
ICON = '<link rel="icon" href="dot.png">'  # without one, the browser asks for /favicon.ico
PIXEL = (  # a 1x1 PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\xa0\xbd\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def site(tmp_path: Path):
    """write(name, body) adds a page to a folder served as a site."""
    (tmp_path / "dot.png").write_bytes(PIXEL)

    def write(name: str, body: str, head: str = ICON, outside: str = "") -> Path:
        (tmp_path / name).write_text(CLEAN.format(title=name, body=body, head=head, outside=outside))
        return tmp_path

    write("index.html", '<p><a href="other.html#top">Other</a> <img src="dot.png" alt="A dot"></p>')
    write("other.html", '<p><a href="index.html">Home</a></p>')
    return write


def test_a_clean_site_passes(site):
    report = check_site(site("third.html", "<p>Nothing wrong here.</p>"))
    assert report.problems == []
    assert report.images == 1 and report.links == 2


DEFECTS = {
    "dead-link.html": ('<a href="missing.html">gone</a>', "dead link: missing.html"),
    "bad-anchor.html": ('<a href="other.html#nowhere">gone</a>', "link to a missing anchor: other.html#nowhere"),
    "no-alt.html": ('<img src="dot.png">', "image has no alt text: dot.png"),
    "no-image.html": ('<img src="nothing.png" alt="Nothing">', "image does not load: nothing.png"),
    "script-error.html": ("<script>undefinedFunction()</script>", "script error: undefinedFunction is not defined"),
    "console.html": ("<script>console.error('broken widget')</script>", "console error: broken widget"),
    "cdn.html": ('<script src="https://cdn.example.org/lib.js"></script>', "fetches https://cdn.example.org/lib.js from outside"),
    "css-404.html": ('<span style="background-image: url(gone.png)">Gone</span>', "HTTP 404: /gone.png"),
    "mismatch.html": ('<button aria-label="Close">Open the menu</button>', "accessibility (serious): label-content-name-mismatch"),
    # What a math renderer writes when it cannot draw a formula: its source as text.
    "raw-display-math.html": (r'<div class="math">$$\mathrm{KL}(a \,\|\, e)$$</div>',
                              r"math shown as its LaTeX source, not drawn: $$\mathrm{KL}"),
    "raw-inline-math.html": (r'<span class="math">\(x^2\)</span>', r"math shown as its LaTeX source, not drawn: \(x^2\)"),
    "raw-math-in-prose.html": (r"The mean is \frac{1}{n} of the sum.", r"not drawn: The mean is \frac{1}{n}"),
}


def test_math_drawn_or_in_code_is_not_raw_math(site):
    folder = site("drawn.html", '<div class="math"><p><img src="dot.png" alt="x^2" class="math"></p></div>'
                  '<p><img src="dot.png" alt="y" class="math"> and <code>$$x$$</code>, '
                  '<pre>print("\\frac")</pre></p>')
    by_page = {page.page: page.problems for page in check_site(folder).pages}
    assert by_page["drawn.html"] == []


def test_each_defect_is_caught_on_its_page_only(site):
    for name, (body, _) in DEFECTS.items():
        folder = site(name, f"<p>{body}</p>")
    report = check_site(folder)
    by_page = {page.page: "\n".join(page.problems) for page in report.pages}
    for name, (_, expected) in DEFECTS.items():
        assert expected in by_page[name], (name, by_page[name])
    assert by_page["index.html"] == by_page["other.html"] == ""


def test_search_that_finds_nothing_is_reported(site):
    folder = site("search.html", '<div id="search-results"><ul class="search"></ul></div>')
    report = check_site(folder, search_term="drift")
    assert report.search_hits == 0
    assert "searching for 'drift' finds nothing" in "\n".join(report.problems)


def test_moderate_and_minor_accessibility_violations_fail_too(site):
    site("minor.html", "<table><tr><th></th><th>Count</th></tr><tr><th>Rows</th><td>3</td></tr></table>")
    folder = site("moderate.html", "<p>Inside.</p>", outside="<p>Outside every landmark.</p>")
    by_page = {page.page: "\n".join(page.problems) for page in check_site(folder).pages}
    assert "accessibility (minor): empty-table-header" in by_page["minor.html"]
    assert "accessibility (moderate): region" in by_page["moderate.html"]
    assert by_page["index.html"] == ""


def test_a_page_without_a_favicon_fails(site):
    """Without an icon of its own a page gets /favicon.ico, which this site lacks."""
    site("no-icon.html", "<p>No icon.</p>", head="")
    folder = site("bad-icon.html", "<p>Bad icon.</p>", head='<link rel="icon" href="gone.svg">')
    by_page = {page.page: "\n".join(page.problems) for page in check_site(folder).pages}
    assert "favicon does not load (HTTP 404): favicon.ico" in by_page["no-icon.html"]
    assert "favicon does not load (HTTP 404): gone.svg" in by_page["bad-icon.html"]
    assert by_page["index.html"] == ""


# A module's at-a-glance box as Sphinx's theme lays out a field list: a label column of at most
# 30 %, whose labels may break anywhere; the box as narrow as a phone leaves it.
AT_A_GLANCE = """<div class="module-overview" style="width: 240px"><p class="admonition-title">Module at a glance</p>
<dl class="field-list"><dt>Difficulty<span class="colon">:</span></dt><dd><p>Intermediate (2 of 3)</p></dd>
<dt>Estimated time<span class="colon">:</span></dt><dd><p>75 minutes</p></dd></dl></div>"""
THEME_FIELD_LIST = ("<style>dl.field-list {display: grid; grid-template-columns: fit-content(30%) auto}"
                    " dl.field-list > dt {font-weight: bold; word-break: break-word}</style>")


def test_a_label_broken_inside_a_word_on_a_phone_fails_and_the_stylesheet_fixes_it(site):
    from textbook.sphinx_ext.web_theme import STATIC, STYLESHEET

    site("theme.html", AT_A_GLANCE, head=ICON + THEME_FIELD_LIST)
    fixed = f"<style>{(STATIC / STYLESHEET).read_text()}</style>"
    folder = site("fixed.html", AT_A_GLANCE, head=ICON + THEME_FIELD_LIST + fixed)
    by_page = {page.page: "\n".join(page.problems) for page in check_site(folder).pages}
    assert "at 390 px wide, the label 'Difficulty:' (dt) breaks inside the word 'Difficulty'" in by_page["theme.html"]
    assert "the label 'Estimated time:' (dt) breaks inside the word 'Estimated'" in by_page["theme.html"]
    assert by_page["fixed.html"] == by_page["index.html"] == ""


NUMBERS = ("<table><thead><tr><th>Model</th><th>Rows</th></tr></thead><tbody>"
           "<tr><td>baseline</td><td{align}>426</td></tr><tr><td>tuned</td><td{align}>1,426</td></tr></tbody></table>")


def test_two_search_boxes_and_a_left_aligned_column_of_numbers_fail(site):
    site("two-searches.html", '<form action="search.html"><input name="q" aria-label="Search"></form>'
         '<button class="search-button__button">Search</button>')
    site("left-numbers.html", NUMBERS.format(align=""))
    folder = site("one-search.html", '<form action="search.html"><input type="search" name="q" aria-label="Search">'
                  "</form>" + NUMBERS.format(align=' style="text-align: right"'))
    by_page = {page.page: "\n".join(page.problems) for page in check_site(folder).pages}
    assert "2 search boxes at 1280 px wide; keep one" in by_page["two-searches.html"]
    assert "2 search boxes at 390 px wide; keep one" in by_page["two-searches.html"]
    assert ("a table's column 2 ('Rows') holds numbers but is not right-aligned (cell '426')"
            in by_page["left-numbers.html"])
    assert by_page["one-search.html"] == by_page["index.html"] == ""
