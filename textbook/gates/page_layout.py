"""The page-layout gate: faults an instructor sees on a printed page, read from the finished PDF.

The compiler does not say where a page broke, so every compiled PDF is read
back: its words with their positions and what each page draws besides text
(``pdf_pages``), and its section headings from the PDF outline. These faults
fail the build:

* text over text: a word printed over another (a block placed over the
  lines before it), signs and figure labels aside;
* text in the margin: a word that runs past the text's right edge (the
  print template's margins, on odd and even pages) by more than hanging
  punctuation does;
* a stranded heading: a section or exercise heading in the bottom 15% of the
  page's text area with its body on the next page, or an exercise whose
  title and prompt fill less than that at the foot of a page, its first
  block (table, code, answer space) pushed to the next; the lines the
  generator prints as headings inside an exercise ("Starter code", "Public
  checks", "Solution", "Rubric", "Hidden checks", "Grading notes") are
  judged as an exercise's title is;
* a page whose only content is answer space (ruled lines, an empty code
  box), left over from the exercise on the page before;
* a page holding only the last lines of a box from the page before (two
  lines of a code listing), in less than 15% of its text area;
* a page left more than half empty before a block that would have fitted
  in part: its content ends above the middle of the text area, and the next
  page starts with what could have begun there (a heading and the first
  lines of code, a table, answer space). A title page is not judged, nor a
  page before a chapter's or a unit's opening (a heading naming a unit, or
  of an outline level whose every entry starts a page), nor one before a
  figure that could not have fitted whole;
* a figure caption at the top of a page whose figure is on the page before.

The words of the generator's headings are the course's (``core/messages.py``):
a PDF is read in the language its catalogue names (``/Lang``), English when
it names none.

Running heads and feet are what recurs at the same height on many pages; the
text area lies between them. Results are kept per PDF digest, so an
unchanged PDF is not read again, and what a page shows per page digest, so a
changed PDF's unchanged pages are not read again.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from textbook.core.messages import Words
from textbook.gates import background
from textbook.gates.pdf_pages import Drawing, Page, PageMemory, Word

#: A word ending this many points past the text's right edge runs into the margin.
MARGIN_TOLERANCE = 6.0  # punctuation hangs a little past the edge of justified text
#: The right margin of odd pages (the outside, 2 cm) and of even pages (the inside, 2.5 cm), in
#: points, as the print template sets them (``typst/templates/textbook.typ``, a test compares).
RIGHT_MARGINS = {1: 2 / 2.54 * 72, 0: 2.5 / 2.54 * 72}
#: A heading whose part on a page is less than this share of the text area is stranded.
STRANDED_SHARE = 0.15
#: Lines of its body (as tall as its own) that the label of an exercise's part needs under it.
LABEL_BODY_LINES = 3
#: A page whose content ends above this share of its text area is more than half empty.
HALF_EMPTY_SHARE = 0.5
#: The first lines of a block that can break: what a page left half empty would have held of it.
FIRST_LINES_SHARE = 0.15
#: The lines an exercise prints as headings of its parts, by their messages (``core/locale``).
LABEL_MESSAGES = ("starter_code.heading", "public_checks.heading", "solution.heading", "rubric.heading",
                  "hidden_checks.heading", "grading_notes.heading")
#: Results are kept per PDF digest and per version of these rules (this file).
_CACHE_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Vocabulary:
    """The generator's heading-like lines in one language: an exercise's (or an exam question's)
    title, the labels of its parts, the words of the code box's label, and a unit's heading."""

    exercise: re.Pattern
    labels: frozenset[str]
    code_box: frozenset[str]
    unit: re.Pattern  # a unit's heading, whatever the course calls its units
    caption: re.Pattern  # a figure's caption: its label and number, then a colon

    @classmethod
    def of(cls, words: Words, figure_format: str = "", language: str = "") -> Vocabulary:
        """``figure_format``: the course's ``numfig_format["figure"]`` (``"Figure %s"``), empty for
        Sphinx's own in ``language`` (the PDF's: ``"Abb. %s"`` in German)."""
        figure_format = figure_format or sphinx_figure_format(language or words.language)
        return cls(
            exercise=re.compile("|".join(_message_pattern(words, key)
                                         for key in ("exercise.heading", "question.heading"))),
            labels=frozenset(words(key) for key in LABEL_MESSAGES),
            code_box=frozenset(words("workbook.code_box").split()),
            unit=re.compile(_message_pattern(Words(words.language, "\x03"), "unit.heading").replace("\x03", ".+?")),
            caption=re.compile("^" + re.escape(figure_format).replace("%s", r"\d+(?:\.\d+)*") + ":"),
        )


def sphinx_figure_format(language: str) -> str:
    """How Sphinx labels a figure in ``language`` when ``conf.py`` does not say (its ``Fig. %s``,
    from its own message catalogue, as it translates it for the book)."""
    import gettext

    from sphinx import locale

    catalogue = gettext.translation("sphinx", Path(locale.__file__).parent, languages=[language], fallback=True)
    return catalogue.gettext("Fig. %s")


def _message_pattern(words: Words, key: str) -> str:
    """A message as a pattern a line starts with: its number a number, its title anything."""
    text = words(key, number="\x01", title="\x02", exercise="\x01")
    before_title = text.split("\x02")[0].rstrip()
    number = r"\d+" if key == "unit.heading" else r"\d+(?:\.\d+)?"
    return "^" + re.escape(before_title).replace("\x01", number)


def _without_digits(text: str) -> str:
    return re.sub(r"\d+|\b[ivxlc]+\b", "", text).strip()  # arabic and roman page numbers


def text_area(pages: list[Page], title: str = "") -> tuple[float, float]:
    """The top and bottom of the text area: inside the running heads and feet.

    A running head is a page's first row with a gap under it (a blank line or
    more) at a height where it is so wherever a row appears: the first body
    row recurs as often, but under a head or close above the next row. Either
    the height recurs on two pages in five or more, or the same words (page
    numbers aside) recur there on two pages or more: a short document's
    title, contents and blank pages carry no heads. A first row after page 1
    that names the document itself (``title``, the PDF's own) is a head even
    once: a two-page handout's second page heads with its title. A running foot likewise, last.
    """
    height = max((page.height for page in pages), default=842.0)
    rows, heads_there, feet_there, repeated = Counter(), Counter(), Counter(), Counter()
    for page in pages:
        tops = [round(line.top) for line in page.lines]
        rows.update(tops)
        if page.lines:
            first, last = page.lines[0], page.lines[-1]
            gap = 1.5 * (first.bottom - first.top)
            if len(page.lines) == 1 or page.lines[1].top - first.bottom >= gap:
                heads_there[tops[0]] += 1
                repeated[tops[0], _without_digits(first.text)] += 1
                if title and title in first.text and page.number > 1:  # page 1 is the title's own
                    repeated[tops[0], _without_digits(first.text)] += 1  # counts as recurring
            if len(page.lines) == 1 or last.top - page.lines[-2].bottom >= 1.5 * (last.bottom - last.top):
                feet_there[tops[-1]] += 1
                repeated[tops[-1], _without_digits(last.text)] += 1
    recurring = {top for top, count in rows.items() if count >= max(2, len(pages) * 2 / 5)}
    recurring |= {top for (top, _), count in repeated.items() if count >= 2}
    heads = {top for top in recurring if heads_there[top] >= 0.9 * rows[top] and top < height / 4}
    feet = {top for top in recurring if feet_there[top] >= 0.9 * rows[top] and top > height * 3 / 4}
    head_bottom = max((line.bottom for page in pages for line in page.lines if round(line.top) in heads), default=0.0)
    foot_top = min(feet, default=height)
    return head_bottom + 4, foot_top - 6  # a rule under the head or over the foot is furniture too


def _strip_furniture(pages: list[Page], area: tuple[float, float]) -> None:
    top, bottom = area
    for page in pages:
        page.lines = [line for line in page.lines if top <= line.top and line.bottom <= bottom]


def _outline_headings(reader: PdfReader) -> dict[int, list[float]]:
    """Page number: the PDF-space tops of its outline entries (chapters, sections, subsections)."""
    found: dict[int, list[float]] = {}

    def walk(entries) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
                continue
            page = reader.get_destination_page_number(entry)
            top = entry.get("/Top")
            if page is not None and top is not None:
                found.setdefault(page + 1, []).append(float(top))

    walk(reader.outline)
    return found


def _mark_headings(pages: list[Page], outline: dict[int, list[float]], vocabulary: Vocabulary) -> None:
    """Exercise titles and the labels of their parts by their words; sections by the first line
    under each outline anchor."""
    for page in pages:
        for anchor in outline.get(page.number, []):
            below = page.height - anchor  # hyperref's anchor is raised above its heading
            first = next((line for line in page.lines if line.top >= below - 2), None)
            if first is not None:
                first.heading = "section"
        for line in page.lines:
            if vocabulary.exercise.match(line.text):
                line.heading = "exercise"
            elif line.text.strip() in vocabulary.labels:
                line.heading = "label"


def _opening_pages(reader: PdfReader, vocabulary: Vocabulary) -> set[int]:
    """The pages a chapter or module opens: those of a heading that names a unit ("Module 4: ...",
    "Woche 0: ...") and of the outline entries of every level whose entries (two or more) all
    start a page, as chapters do; a section that happens to start a page does not make its level
    one. A heading starts its page when its anchor is in the page's top quarter. The pages after
    a title page, up to the first heading, are openings too: a title page is not judged."""
    levels: dict[int, list[tuple[int, bool]]] = {}
    opening = set()

    def walk(entries, depth: int) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
                continue
            page, top = reader.get_destination_page_number(entry), entry.get("/Top")
            if page is not None and top is not None:
                starts = float(top) > 0.75 * float(reader.pages[page].mediabox.height)
                levels.setdefault(depth, []).append((page + 1, starts))
                if starts and vocabulary.unit.match(str(entry.title)):
                    opening.add(page + 1)

    walk(reader.outline, 0)
    for entries in levels.values():
        if len(entries) >= 2 and all(starts for _, starts in entries):
            opening |= {page for page, _ in entries}
    first = min((page for entries in levels.values() for page, _ in entries), default=None)
    if first is not None:  # the title and front pages before the first heading open it too
        opening |= set(range(2, first + 1))
    return opening


def pdf_language(reader: PdfReader) -> str:
    """The language a PDF declares (its catalogue's ``/Lang``, PDF/UA's), English when none."""
    return str(reader.trailer["/Root"].get("/Lang") or "en")


# -- what a page draws ---------------------------------------------------------


# -- the rules -----------------------------------------------------------------


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _reader(pdf: Path) -> PdfReader:
    """``pdf`` opened by pypdf, strictly when it can be (the printed PDFs' cross-reference tables are
    sound): lenient reading first checks where every object starts, a third of reading a book."""
    try:
        return PdfReader(pdf, strict=True)
    except PdfReadError:
        return PdfReader(pdf)


class _Pdf:
    """One PDF's pages, read once; its drawings read on demand."""

    def __init__(self, pdf: Path, words: Words | None = None, memory: PageMemory | None = None,
                 figure_format: str = ""):
        self.path = pdf
        self._shown = (memory or PageMemory()).read(pdf)
        self.pages = [shown.page(number) for number, shown in enumerate(self._shown, 1)]
        reader = _reader(pdf)
        language = pdf_language(reader)
        self.vocabulary = Vocabulary.of(words or Words(language), figure_format, language)
        self.area = text_area(self.pages, str((reader.metadata or {}).get("/Title", "")).strip())
        _strip_furniture(self.pages, self.area)
        _mark_headings(self.pages, _outline_headings(reader), self.vocabulary)
        self.openings = _opening_pages(reader, self.vocabulary)
        self._drawings: dict[int, Drawing] = {}

    def drawing(self, number: int) -> Drawing:
        if number not in self._drawings:
            self._drawings[number] = self._shown[number - 1].drawing(self.area)
        return self._drawings[number]

    def in_picture(self, page: Page, word: Word) -> bool:
        """Whether ``word`` is a label inside a figure (whose text boxes the PDF gives loosely)."""
        pictures = self.drawing(page.number).pictures
        return any(top - 1 <= word.top and word.bottom <= bottom + 1 for top, bottom in pictures)

    def content_top(self, page: Page) -> float | None:
        """Where the page's first text or drawing starts; None on an empty page."""
        drawing = self.drawing(page.number)
        tops = [line.top for line in page.lines] + [top for top, _ in drawing.marks + drawing.pictures]
        return min(tops, default=None)

    def content_bottom(self, page: Page) -> float:
        drawing = self.drawing(page.number)
        return max([line.bottom for line in page.lines] + [bottom for _, bottom in drawing.marks + drawing.pictures])

    def starts_with_heading(self, page: Page) -> bool:
        """Whether the page's first content is a heading: the section before it ended on the page before."""
        if not page.lines:
            return False
        first_line = page.lines[0]
        top = self.content_top(page)
        return bool(first_line.heading) and top is not None and first_line.top <= top + 1


def stranded_headings(pdf: _Pdf) -> list[str]:
    """Headings at the foot of a page whose body is on the next page.

    A section heading is stranded in the bottom ``STRANDED_SHARE`` of the text
    area. An exercise is stranded sooner: when its title and what follows it on
    the page (the prompt, without its table, box or lines) fill less than that
    share, the rest of the page left empty. The label of an exercise's part
    ("Starter code", "Solution") is stranded with less than ``LABEL_BODY_LINES``
    lines of its body under it, wherever it is on the page.
    """
    top, bottom = pdf.area
    allowed = STRANDED_SHARE * (bottom - top)
    problems = []
    for page, following in zip(pdf.pages, pdf.pages[1:]):
        headings = [line for line in page.lines if line.heading]
        if not headings:
            continue
        last = headings[-1]
        if last.heading == "label":
            enough = LABEL_BODY_LINES * 1.2 * (last.bottom - last.top)
            if page.lines[-1].bottom - last.bottom >= enough:
                continue  # decided by the text alone: the page's drawings are read only when needed
            if pdf.content_top(following) is None or pdf.starts_with_heading(following):
                continue
            if pdf.content_bottom(page) - last.bottom >= enough:
                continue
            problems.append(
                f"{pdf.path.name}, page {page.number}: heading \"{_short(last.text)}\" has less than "
                f"{LABEL_BODY_LINES} lines of its body under it and the rest is on page {following.number}"
            )
            continue
        if page.lines[-1].bottom - last.top >= allowed:
            continue
        at_foot = last.top > bottom - allowed
        if not (at_foot or last.heading == "exercise"):
            continue
        if pdf.content_top(following) is None or pdf.starts_with_heading(following):
            continue
        if pdf.content_bottom(page) - last.top >= allowed:
            continue
        where = (f"is in the bottom {STRANDED_SHARE:.0%} of the page" if at_foot
                 else f"and what follows it fill less than {STRANDED_SHARE:.0%} of the page")
        problems.append(
            f"{pdf.path.name}, page {page.number}: heading \"{_short(last.text)}\" {where} "
            f"and its body is on page {following.number}"
        )
    return problems


def answer_space_pages(pdf: _Pdf) -> list[str]:
    """Pages holding nothing but ruled answer lines or an empty code box."""
    problems = []
    for page in pdf.pages:
        words = {word for line in page.lines for word in line.text.split()}
        if not words <= pdf.vocabulary.code_box:
            continue
        drawing = pdf.drawing(page.number)
        if drawing.long_rules and not drawing.pictures:
            problems.append(
                f"{pdf.path.name}, page {page.number}: the page holds only answer space "
                f"({drawing.long_rules} ruled lines or box edges) left over from the page before"
            )
    return problems


def separated_captions(pdf: _Pdf) -> list[str]:
    """Figure captions at the top of a page whose figure is not above them."""
    problems = []
    for page in pdf.pages[1:]:
        if not page.lines or not pdf.vocabulary.caption.match(page.lines[0].text):
            continue
        caption = page.lines[0]
        drawing = pdf.drawing(page.number)
        if not any(bottom <= caption.top + 1 for _, bottom in drawing.pictures + drawing.marks):
            problems.append(
                f"{pdf.path.name}, page {page.number}: caption \"{_short(caption.text)}\" is at the top of "
                f"the page and its figure is on page {page.number - 1}"
            )
    return problems


def overprinted_text(pdf: _Pdf) -> list[str]:
    """Words printed over other words (a block placed over the lines before it): a third or more
    of the smaller one's box covered. Signs (a root's tall box) and the labels inside a figure,
    whose boxes the PDF gives loosely, are not compared. Once per page, naming the first pair."""
    problems = []
    for page in pdf.pages:
        for word, other in page.overprints:
            if pdf.in_picture(page, word):
                continue
            problems.append(f"{pdf.path.name}, page {page.number}: \"{_short(other.text)}\" is printed over "
                            f"\"{_short(word.text)}\"")
            break
    return problems


def text_in_margin(pdf: _Pdf) -> list[str]:
    """Words that run past the text's right edge into the margin (a long unbreakable token in code
    or a table): once per page, naming the first."""
    problems = []
    for page in pdf.pages:
        edge = page.width - RIGHT_MARGINS[page.number % 2]
        beyond = [word for word in page.words
                  if word.right > edge + MARGIN_TOLERANCE and not pdf.in_picture(page, word)]
        if beyond:
            over = beyond[0].right - edge
            problems.append(f"{pdf.path.name}, page {page.number}: \"{_short(beyond[0].text)}\" runs "
                            f"{over:.0f} pt into the margin")
    return problems


def lonely_tails(pdf: _Pdf) -> list[str]:
    """Pages holding only the end of a box from the page before (the last lines of a code listing),
    in less than ``STRANDED_SHARE`` of the text area: the box starts the page, above its first
    line of text, and the page before is full."""
    top, bottom = pdf.area
    allowed = STRANDED_SHARE * (bottom - top)
    problems = []
    for before, page in zip(pdf.pages, pdf.pages[1:]):
        start = pdf.content_top(page)
        if start is None or not page.lines or page.lines[0].heading:
            continue
        if pdf.content_bottom(page) - start >= allowed:
            continue
        box = [mark for mark in pdf.drawing(page.number).marks if mark[0] <= start + 1]
        if not box or page.lines[0].top <= start + 1 or pdf.content_top(before) is None:
            continue  # text first: a paragraph's last lines, which a page may well end a chapter with
        if pdf.content_bottom(before) < bottom - allowed:
            continue  # the page before ends early: this box was moved whole, not split
        problems.append(
            f"{pdf.path.name}, page {page.number}: the page holds only the last "
            f"{len(page.lines)} line(s) of a box from page {before.number}"
        )
    return problems


def _first_part(pdf: _Pdf, page: Page) -> tuple[float, bool]:
    """How much of ``page``, from its top, would have had to fit on the page before: its text down
    to its first block and that block's first lines (``FIRST_LINES_SHARE``), or the whole of a
    figure there with its caption (which cannot break); and whether that block is a figure."""
    top, bottom = pdf.area
    start = pdf.content_top(page)
    drawing = pdf.drawing(page.number)
    blocks = sorted(drawing.marks + drawing.pictures)
    end = pdf.content_bottom(page)
    if not blocks:  # text only: its first lines
        return min(end, start + FIRST_LINES_SHARE * (bottom - top)) - start, False
    first_top, first_bottom = blocks[0]
    figure = (first_top, first_bottom) in drawing.pictures
    if figure:
        return _caption_end(page, first_bottom, pdf.vocabulary.caption) - start, True
    return min(end, first_top + FIRST_LINES_SHARE * (bottom - top)) - start, False


def _caption_end(page: Page, figure_bottom: float, caption: re.Pattern) -> float:
    """Where the caption under a figure ends (its lines, each close under the one before), or the
    figure's bottom when no caption follows it."""
    below = [line for line in page.lines if line.top >= figure_bottom - 1]
    if not below or not caption.match(below[0].text):
        return figure_bottom
    end = below[0].bottom
    for previous, line in zip(below, below[1:]):
        if line.top - previous.bottom > previous.bottom - previous.top:
            break
        end = line.bottom
    return end


def half_empty_pages(pdf: _Pdf) -> list[str]:
    """Pages whose content ends above the middle of the text area before a page whose start would
    have fitted under it: its opening text and the first lines of its first block (code, a table,
    answer space), or a figure whole. A page before a chapter's or module's opening (a deliberate
    page break), a blank page and the last page are not judged."""
    top, bottom = pdf.area
    height = bottom - top
    problems = []
    for page, following in zip(pdf.pages, pdf.pages[1:]):
        start = pdf.content_top(page)
        if start is None or following.number in pdf.openings or pdf.content_top(following) is None:
            continue
        end = pdf.content_bottom(page)
        if end > top + HALF_EMPTY_SHARE * height:
            continue
        left = bottom - end - 12  # a blank line's spacing before what would have come
        wanted, figure = _first_part(pdf, following)
        if wanted > left:
            continue
        what = "its figure" if figure else "its first lines"
        problems.append(
            f"{pdf.path.name}, page {page.number}: the page is left {1 - (end - top) / height:.0%} empty, "
            f"and the start of page {following.number} ({_short(following.lines[0].text if following.lines else '')}"
            f", with {what}) would have fitted there"
        )
    return problems


RULES = {
    "text over text": overprinted_text,
    "text in the margin": text_in_margin,
    "stranded heading": stranded_headings,
    "answer space alone": answer_space_pages,
    "tail alone": lonely_tails,
    "half-empty page": half_empty_pages,
    "caption apart": separated_captions,
}


def check(pdf: Path, words: Words | None = None, memory: PageMemory | None = None,
          figure_format: str = "") -> dict[str, list[str]]:
    """Every layout fault of ``pdf``, by rule; its headings in ``words``, else in its own language;
    its pages read through ``memory`` (pages read before); its captions as ``figure_format`` labels
    them (``Vocabulary.of``)."""
    read = _Pdf(pdf, words, memory, figure_format)
    return {name: rule(read) for name, rule in RULES.items()}


def faults(found: dict[Path, dict[str, list[str]]]) -> list[str]:
    """Every fault ``check_all`` found, one line each."""
    return [message for rules in found.values() for messages in rules.values() for message in messages]


def check_all(pdfs: list[Path], cache_file: Path | None = None,
              figure_format: str = "") -> dict[Path, dict[str, list[str]]]:
    """Faults of each PDF by rule; a PDF whose digest was checked before is not read again, nor a
    page read before (``pdf_pages.PageMemory``, kept beside ``cache_file``)."""
    cache: dict = {}
    if cache_file is not None and cache_file.is_file():
        cache = json.loads(cache_file.read_text(encoding="utf-8"))
        if cache.get("version") != _CACHE_VERSION:
            cache = {}
    known = cache.get("pdfs", {})
    results, kept = {}, {}
    memory = PageMemory(cache_file.with_name(f"{cache_file.stem}-pages") if cache_file else None)
    for pdf in pdfs:
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        if digest not in known:
            known[digest] = check(pdf, memory=memory, figure_format=figure_format)
        results[pdf] = kept[digest] = known[digest]
    memory.save()
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps({"version": _CACHE_VERSION, "pdfs": kept}, indent=1), encoding="utf-8")
    return results


def start_checking(pdfs: list[Path], cache_file: Path, figure_format: str) -> subprocess.Popen:
    """``check_all`` in a process of its own (``background``); ``finish_checking`` collects its verdict."""
    return background.start("textbook.gates.page_layout", cache_file, pdfs, figure_format)


def finish_checking(process: subprocess.Popen) -> dict[Path, dict[str, list[str]]]:
    """The faults ``start_checking``'s process found, by PDF and rule."""
    return {Path(pdf): rules for pdf, rules in background.finish(process, "page-layout").items()}


if __name__ == "__main__":
    found = check_all([Path(name) for name in sys.argv[3:]], cache_file=Path(sys.argv[1]), figure_format=sys.argv[2])
    print(json.dumps({str(pdf): rules for pdf, rules in found.items()}))
