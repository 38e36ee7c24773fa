"""Fair multiple choice: lettered options in one seeded order, tick boxes in print, pins, a key that marks.

One build of a one-exercise project (``projects/choices``: two right options
of six, "None of the above" pinned last) is read back in every edition.
"""

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from textbook.bank import content
from textbook.bank.bank import BankError, load_bank
from textbook.bank.order import lettered, shown_order
from textbook.gates.leaks import pdf_text
from textbook.pipeline import build

from tests.conftest import PROJECTS

CHOICES = PROJECTS / "choices"
EXERCISE = Path("exercises") / "00-pick" / "1-primes.md"
OPTION = re.compile(r"^\s*([A-Z])\.\s+(\S.*?)\s*$")


def _copy(tmp: Path) -> Path:
    root = tmp / "choices"
    shutil.copytree(CHOICES, root, ignore=shutil.ignore_patterns("_build"))
    return root


def _primes(root: Path = CHOICES):
    return load_bank(root / "exercises", root / "book").exercises["primes"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> build.Layout:
    """Every edition of the project, built once."""
    layout = build.Layout(_copy(tmp_path_factory.mktemp("mc")))
    build.build(layout, ["html", "pdf", "handouts", "workbook", "key"])
    return layout


# -- HTML: right and wrong options are built alike ------------------------------


def _shape(element: Tag) -> tuple:
    """An element's tags and attributes, all the way down, without its text."""
    children = tuple(_shape(child) for child in element.children if isinstance(child, Tag))
    attributes = tuple(sorted((name, str(value)) for name, value in element.attrs.items()))
    return (element.name, attributes, children)


def test_right_and_wrong_options_have_the_same_markup_in_the_page(built):
    exercise = _primes()
    page = BeautifulSoup((built.html / "00-pick.html").read_text(), "html.parser")
    (options,) = page.select("ol.exercise-choices")
    assert "upperalpha" in options["class"], "the browser letters the options A, B, C"
    items = options.find_all("li", recursive=False)
    assert [item.get_text(strip=True) for item in items] == [c.text for c in shown_order(exercise)]
    right = {_shape(item) for item, choice in zip(items, shown_order(exercise)) if choice.correct}
    wrong = {_shape(item) for item, choice in zip(items, shown_order(exercise)) if not choice.correct}
    assert len(right | wrong) == 1, (right, wrong)
    text = page.get_text()
    assert "Correct:" not in text and "{pin" not in text and "[x]" not in text


def test_the_search_index_and_page_sources_treat_every_option_alike(built):
    index = (built.html / "searchindex.js").read_text()
    data = json.loads(index[index.index("(") + 1 : index.rindex(")")])
    page = data["docnames"].index("00-pick")
    for word in ("seven", "eleven", "nine", "fifteen", "twenti"):  # right and wrong options' words
        assert data["terms"][word] == page, word
    assert "correct" not in data["terms"]
    titles = " ".join(data["alltitles"]).lower() + " ".join(data["titleterms"])
    assert not any(word in titles for word in ("seven", "eleven", "nine", "fifteen"))
    for source in (built.html / "_sources").rglob("*"):
        if source.is_file():
            assert not re.search(r"\[[ xX]\]|Seven|Fifteen|\{pin", source.read_text()), source


# -- print: letters and boxes in every edition ----------------------------------


def _printed_options(pdf: Path) -> list[tuple[str, str]]:
    return [match.groups() for line in pdf_text(pdf).splitlines() if (match := OPTION.match(line))]


def _typ_items(typ: Path) -> list[str]:
    """Each option of the choices list in the Typst source, in order."""
    text = typ.read_text()
    listing = text[text.index("Which of these numbers are prime?") :]
    listing = listing[listing.index("#enum(") : listing.index("],)")]
    return re.findall(r"#ticked-option\(ticked: (?:true|false)\)\[[^\]]*\]", listing)


def test_every_printed_edition_letters_the_options_in_the_shown_order(built):
    expected = [(letter, choice.text) for letter, choice in lettered(_primes())]
    assert [letter for letter, _ in expected] == list("ABCDEF")
    for pdf in (built.pdf / "workbook.pdf", built.pdf / "handouts" / "00-pick.pdf", built.pdf / "choices.pdf"):
        assert _printed_options(pdf) == expected, pdf.name
    assert _printed_options(built.pdf / "answer-key.pdf") == expected


def test_every_option_gets_the_same_empty_tick_box_in_student_print(built):
    work = built.work
    sources = [work / "exercises-typst" / "workbook.typ", *sorted((work / "typst").glob("*.typ"))]
    sources = [typ for typ in sources if typ.name != "textbook.typ"]
    assert len(sources) == 3, sources  # the workbook, the book, the handout
    for typ in sources:
        items = _typ_items(typ)
        assert len(items) == 6, typ.name
        assert all(item.startswith("#ticked-option(ticked: false)[") for item in items), items
        assert "ticked: true" not in typ.read_text(), typ.name


def test_the_key_marks_exactly_the_right_letters(built):
    exercise = _primes()
    right = [letter for letter, choice in lettered(exercise) if choice.correct]
    assert len(right) == 2
    key = pdf_text(built.pdf / "answer-key.pdf")
    assert re.findall(r"Correct: ([A-Z, ]+)", key) == [", ".join(right)]
    assert "Seven and eleven have no divisor" in key, "the solution stays"
    items = _typ_items(built.work / "exercises-typst" / "answer-key.typ")
    ticked = [letter for (letter, _), item in zip(lettered(exercise), items) if "ticked: true" in item]
    assert ticked == right
    for pdf in ("workbook.pdf", "choices.pdf"):
        assert "Correct:" not in pdf_text(built.pdf / pdf)


# -- pins -------------------------------------------------------------------------


def test_a_pinned_option_keeps_its_place_whatever_the_seed():
    exercise = _primes()
    assert exercise.choices[-1] == content.Choice("None of the above", False, place=6)
    orders = {tuple(c.text for c in shown_order(replace(exercise, id=f"primes-{n}"))) for n in range(40)}
    assert len(orders) > 10, "the other options are still shuffled"
    assert all(order[-1] == "None of the above" for order in orders)


def test_pins_to_first_and_to_a_number():
    text = "- [x] Seven {pin: first}\n- [ ] Nine\n- [ ] Ten {pin: 3}\n- [x] Two\n- [ ] Four\n"
    exercise = replace(_primes(), choices=content.parse_choices(text))
    for n in range(20):
        order = [c.text for c in shown_order(replace(exercise, id=f"pins-{n}"))]
        assert order[0] == "Seven" and order[2] == "Ten", order


def test_without_pins_the_order_is_the_seeded_shuffle_it_always_was():
    import hashlib
    import random

    exercise = replace(_primes(), choices=content.parse_choices("- [x] A1\n- [ ] B2\n- [x] C3\n- [ ] D4\n- [ ] E5\n"))
    expected = list(exercise.choices)
    random.Random(int.from_bytes(hashlib.sha256(b"primes").digest()[:8], "big")).shuffle(expected)
    assert shown_order(exercise) == expected


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        ("- [ ] Nine", "- [ ] Nine {pin: last}", "None of the above",
         r"'\{pin: last\}' pins 'None of the above' to place 6, where 'Nine' is already pinned; give each"),
        ("- [ ] Nine", "- [ ] Nine {pin: 6}", "None of the above",
         r"'\{pin: last\}' pins 'None of the above' to place 6, where 'Nine' is already pinned"),
        ("- [ ] Nine", "- [ ] Nine {pin: 7}", "Nine",
         r"'\{pin: 7\}' is out of range: this exercise has 6 choices, so pin to a place from 1 to 6"),
        ("- [ ] Nine", "- [ ] Nine {pin: 0}", "Nine", r"'\{pin: 0\}' is out of range"),
        ("- [ ] Nine", "- [ ] Nine {pin: bottom}", "Nine",
         r"cannot read the pin '\{pin: bottom\}'; write '\{pin: first\}'"),
        ("- [ ] Nine", "- [ ] {pin: 2}", "{pin: 2}", r"write the choice's text before its pin"),
    ],
)
def test_a_bad_pin_is_refused_at_its_line(tmp_path, old, new, at, message):
    root = _copy(tmp_path)
    path = root / EXERCISE
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(BankError) as caught:
        load_bank(root / "exercises", root / "book", shown_from=root)
    problems = "\n".join(caught.value.problems)
    assert re.search(rf"^{re.escape(str(EXERCISE))}:{_line_of(path, at)}: {message}", problems, re.M), problems


def test_at_least_two_options_stay_shuffled(tmp_path):
    root = _copy(tmp_path)
    path = root / EXERCISE
    text = path.read_text()
    for n, option in enumerate(("Seven", "Eleven", "Nine", "Fifteen"), start=1):
        text = text.replace(f"] {option}\n", f"] {option} {{pin: {n}}}\n")
        path.write_text(text)
        if n < 4:  # with "None of the above", n + 1 of the six are pinned
            assert load_bank(root / "exercises", root / "book").exercises["primes"]
    with pytest.raises(BankError) as caught:
        load_bank(root / "exercises", root / "book", shown_from=root)
    line = _line_of(path, "None of the above")  # the last pinned one
    assert caught.value.problems == [
        f"{EXERCISE}:{line}: pin fewer choices: at least two must stay unpinned, so that their order is shuffled"
    ]


# -- a long option hangs under its text ------------------------------------------

def test_an_option_that_wraps_hangs_under_its_text_not_under_the_tick_box(tmp_path):
    import typst

    from textbook.typst.builder import TEMPLATE

    (tmp_path / TEMPLATE.name).write_bytes(TEMPLATE.read_bytes())
    long = ("Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
            "upsilon phi chi psi omega, and once more alpha beta gamma delta epsilon zeta eta theta iota kappa")
    (tmp_path / "hang.typ").write_text(
        '#import "textbook.typ": *\n#show: document.with(title: "Hang", author: "Tests")\n'
        f'#enum(numbering: "A.", [#ticked-option(ticked: false)[{long}]], [#ticked-option(ticked: true)[Short]])\n'
    )
    typst.compile(tmp_path / "hang.typ", output=tmp_path / "hang.pdf", root=tmp_path)
    html = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "hang.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)<', html)
    words = [(float(x), float(y), word) for x, y, word in found]
    alpha_x, alpha_y = next((x, y) for x, y, word in words if word == "Alpha")
    option_b = next(y for _, y, word in words if word == "B.")
    later = [x for x, y, _ in words if alpha_y + 1 < y < option_b - 1]  # option A's wrapped lines
    assert later and abs(min(later) - alpha_x) < 0.5, "later lines start where the text does, after the box"
