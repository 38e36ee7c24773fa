"""What each page of a PDF shows, for the page-layout gate (its words and rows of text, and what it
draws besides text) and for the leak scan (its text).

Words come from Poppler's ``pdftotext -bbox-layout``; strokes, rectangles and
placed images or forms from the page's content stream. Both depend on the page's
own bytes alone (its content stream, the character maps and widths of its fonts,
the boxes of what it places, its size), so what was read is kept by a digest of
those (``page_keys``): after an edit to one chapter, only the pages that changed
are read again, a few pages of a book of hundreds.
"""

from __future__ import annotations

import hashlib
import itertools
import pickle
import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

_XHTML = "{http://www.w3.org/1999/xhtml}"
#: Past this many runs of pages to read, the whole PDF is read at once.
MOST_RUNS = 8


@dataclass
class Line:
    text: str
    top: float  # from the top of the page, in points, as pdftotext gives it
    bottom: float
    heading: str = ""  # "exercise" or "section" when the row is a heading


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float


@dataclass
class Page:
    number: int  # from 1
    height: float
    lines: list[Line] = field(default_factory=list)  # the text area's, top to bottom
    words: list[Word] = field(default_factory=list)  # every word of the page, with its box
    width: float = 595.0
    overprints: list[tuple[Word, Word]] = field(default_factory=list)  # (word, a word printed over it)


@dataclass
class Drawing:
    """What a page's content stream draws outside text, as tops and bottoms from the page top."""

    marks: list[tuple[float, float]] = field(default_factory=list)  # strokes and rectangles
    pictures: list[tuple[float, float]] = field(default_factory=list)  # images and forms (figures)
    long_rules: int = 0  # horizontal strokes at least half the page wide: answer lines, boxes


@dataclass(frozen=True)
class Shown:
    """One page as read: its size, its words (text, left, top, right, bottom), Poppler's lines (top,
    left, bottom, text), and its strokes and rectangles (top, bottom, long) and pictures (top,
    bottom), wherever they are on the page."""

    height: float
    width: float
    words: tuple[tuple[str, float, float, float, float], ...]
    pieces: tuple[tuple[float, float, float, str], ...]
    marks: tuple[tuple[float, float, bool], ...]
    pictures: tuple[tuple[float, float], ...]
    overprints: tuple[tuple[int, int], ...] = ()  # ``overprinting_pairs`` of ``words``, by index

    @classmethod
    def of(cls, height: float, width: float, words: tuple, pieces: tuple, marks: tuple, pictures: tuple) -> Shown:
        """A page as read, with its words printed over others found once, kept with it."""
        return cls(height, width, words, pieces, marks, pictures, tuple(overprinting_pairs([Word(*w) for w in words])))

    def page(self, number: int) -> Page:
        """The page's rows: Poppler cuts a row at wide gaps ("2", then "A section"); words at the
        same height are one row again here, left to right."""
        found = Page(number, self.height, width=self.width, words=[Word(*word) for word in self.words])
        found.overprints = [(found.words[word], found.words[other]) for word, other in self.overprints]
        rows: list[list[tuple]] = []
        for piece in self.pieces:
            if rows and abs(piece[0] - rows[-1][0][0]) < 1.5:
                rows[-1].append(piece)
            else:
                rows.append([piece])
        for row in rows:
            row.sort(key=lambda piece: piece[1])
            found.lines.append(Line(" ".join(p[3] for p in row), min(p[0] for p in row), max(p[2] for p in row)))
        return found

    def drawing(self, area: tuple[float, float]) -> Drawing:
        """What the page draws inside the text area ``area`` (its top and bottom)."""
        inside = [(top, bottom, long) for top, bottom, long in self.marks if area[0] <= top and bottom <= area[1]]
        return Drawing(marks=[(top, bottom) for top, bottom, _ in inside],
                       pictures=[(top, bottom) for top, bottom in self.pictures if area[0] <= top and bottom <= area[1]],
                       long_rules=sum(long for _, _, long in inside))


# -- what makes a page what it is ----------------------------------------------


def page_keys(pdf: pikepdf.Pdf) -> list[str]:
    """Each page's digest of what its words and drawing depend on."""
    known: dict[tuple[int, int], bytes] = {}

    def of(thing) -> bytes:
        """An object's bytes: a stream's raw data, else its PDF syntax; an indirect one's once."""
        if isinstance(thing, pikepdf.Object) and thing.is_indirect and thing.objgen in known:
            return known[thing.objgen]
        if isinstance(thing, pikepdf.Stream):
            found = thing.read_raw_bytes()
        elif isinstance(thing, pikepdf.Object):
            found = thing.unparse()
        else:
            found = repr(thing).encode()
        if isinstance(thing, pikepdf.Object) and thing.is_indirect:
            known[thing.objgen] = found
        return found

    def font(thing) -> bytes:
        descendants = thing.get("/DescendantFonts") or []
        widths = [of(d.get("/W", "")) + of(d.get("/DW", "")) for d in descendants]
        return b"".join([of(thing.get("/ToUnicode", "")), of(thing.get("/Widths", "")), *widths])

    keys = []
    for page in pdf.pages:
        digest = hashlib.sha256()
        contents = page.obj.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            digest.update(of(stream) if stream is not None else b"")
        for box in ("/MediaBox", "/CropBox", "/Rotate"):
            digest.update(box.encode() + of(page.obj.get(box, "")))
        resources = page.obj.get("/Resources") or {}
        for name, thing in sorted((resources.get("/Font") or {}).items()):
            digest.update(name.encode() + font(thing))
        for name, thing in sorted((resources.get("/XObject") or {}).items()):
            digest.update(name.encode() + of(thing.get("/BBox", "")) + of(thing.get("/Matrix", "")))
        keys.append(digest.hexdigest())
    return keys


# -- words over words -------------------------------------------------------------


def _overlap(a: Word, b: Word) -> float:
    """The share of the smaller word's box that the other covers."""
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a.right - a.left) * (a.bottom - a.top), (b.right - b.left) * (b.bottom - b.top))
    return width * height / smaller if smaller > 0 else 0.0


def overprinting_pairs(words: list[Word]) -> list[tuple[int, int]]:
    """The words of a page printed over one another, as pairs of indexes into ``words`` (the one
    above first): a third of the smaller one's box covered by the other. Signs (a root's tall box,
    no letter or digit) are not compared. Each word is compared with those, in order of their tops,
    that start above its bottom, the others on its row mostly, dismissed at once when they lie
    beside it (a page holds thousands of such pairs)."""
    ordered = sorted((i for i, w in enumerate(words) if any(c.isalnum() for c in w.text)), key=lambda i: words[i].top)
    pairs = []
    for place, index in enumerate(ordered):
        word = words[index]
        for other_index in itertools.islice(ordered, place + 1, None):
            other = words[other_index]
            if other.top >= word.bottom:
                break
            if other.right <= word.left or other.left >= word.right:
                continue
            if _overlap(word, other) >= 1 / 3:
                pairs.append((index, other_index))
    return pairs


# -- reading pages ---------------------------------------------------------------


def _text(pdf: Path, first: int, last: int) -> dict[int, tuple]:
    """Pages ``first`` to ``last``: (height, width, words, pieces) of each, from pdftotext."""
    command = ["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), str(pdf), "-"]
    xhtml = subprocess.run(command, capture_output=True, check=True).stdout
    found = {}
    for number, page in enumerate(ElementTree.fromstring(xhtml).iter(f"{_XHTML}page"), first):
        words = tuple((word.text or "", *(float(word.get(edge)) for edge in ("xMin", "yMin", "xMax", "yMax")))
                      for word in page.iter(f"{_XHTML}word"))
        pieces = tuple(sorted(
            (float(line.get("yMin")), float(line.get("xMin")), float(line.get("yMax")),
             " ".join(word.text or "" for word in line.iter(f"{_XHTML}word")))
            for line in page.iter(f"{_XHTML}line")
        ))
        found[number] = (float(page.get("height")), float(page.get("width")), words, pieces)
    return found


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted page numbers as runs (first, last); one run of them all when there would be many."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    if len(runs) > MOST_RUNS:
        return [(numbers[0], numbers[-1])]
    return [(first, last) for first, last in runs]


def _multiply(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    ]


_TEXT_OBJECT = re.compile(rb"\bBT\b.*?\bET\b", re.S)
_TOKEN = re.compile(rb"/[^\s/\[\]()<>{}%]+|[-+]?(?:\d+\.?\d*|\.\d+)|[A-Za-z'\"*]+")


def _operations(stream: bytes):
    """(operands, operator) of a content stream outside its text objects, which are skipped unread.

    Only numbers and names are kept as operands; the operators used here take
    nothing else. Far faster than parsing every glyph string of a page.
    """
    operands: list = []
    for token in _TOKEN.findall(_TEXT_OBJECT.sub(b" ", stream)):
        first = token[:1]
        if first == b"/":
            operands.append(token.decode("latin-1"))
        elif first.isdigit() or first in b"+-.":
            operands.append(float(token))
        else:
            yield operands, token.decode("latin-1")
            operands = []


def _placed_box(page: pikepdf.Dictionary, name: str) -> tuple[float, float, float, float]:
    """The box an XObject draws in its own space: a form's /BBox, an image's unit square."""
    xobject = ((page.get("/Resources") or {}).get("/XObject") or {}).get(name)
    box = xobject.get("/BBox") if xobject is not None else None
    return tuple(float(value) for value in box) if box else (0.0, 0.0, 1.0, 1.0)


def _drawn(page: pikepdf.Page) -> tuple[tuple, tuple]:
    """The page's strokes and rectangles (top, bottom, long: wider than half the page, a stroke
    flat) and its placed images and forms (top, bottom), from the page top."""
    box = [float(value) for value in page.mediabox]
    width, height = box[2] - box[0], box[3] - box[1]
    contents = page.obj.get("/Contents")
    if contents is None:
        return (), ()
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    data = b"\n".join(stream.read_bytes() for stream in streams)
    marks, pictures = [], []
    matrix, stack, start = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], [], None

    def at(x: float, y: float) -> tuple[float, float]:
        return (matrix[0] * x + matrix[2] * y + matrix[4], height - (matrix[1] * x + matrix[3] * y + matrix[5]))

    for operands, operator in _operations(data):
        if operator == "q":
            stack.append(matrix)
        elif operator == "Q" and stack:
            matrix = stack.pop()
        elif operator == "cm":
            matrix = _multiply(operands, matrix)
        elif operator == "m":
            start = at(operands[0], operands[1])
        elif operator == "l" and start is not None:
            end = at(operands[0], operands[1])
            top, bottom = sorted((start[1], end[1]))
            marks.append((top, bottom, bottom - top < 1 and abs(end[0] - start[0]) > width / 2))
            start = end
        elif operator == "re":
            x, y, w, h = operands
            (x0, y0), (x1, y1) = at(x, y), at(x + w, y + h)
            marks.append((*sorted((y0, y1)), abs(x1 - x0) > width / 2))
        elif operator == "Do":
            x0, y0, x1, y1 = _placed_box(page.obj, operands[0])
            (_, top), (_, bottom) = at(x0, y1), at(x1, y0)
            pictures.append(tuple(sorted((top, bottom))))
    return tuple(marks), tuple(pictures)


def _version() -> str:
    """What pages read are valid for: this reading (this file) and Poppler's version."""
    poppler = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True).stderr.split("\n")[0]
    return hashlib.sha256(Path(__file__).read_bytes() + poppler.encode()).hexdigest()[:16]


class _KeptPages:
    """What was read of each PDF's pages before, by ``page_keys`` digest, kept in ``folder`` (none:
    nothing kept), a file a PDF: a build reads and writes the files of the PDFs it printed again
    only (a 300-page book's words are megabytes). ``seen`` is what this build read or used."""

    def __init__(self, folder: Path | None = None):
        self.folder, self.version = folder, _version()
        self.known: dict = {}
        self.kept: dict[Path, dict] = {}  # by PDF: its pages as kept before this build
        self.seen: dict[Path, dict] = {}  # by PDF

    def _file(self, pdf: Path) -> Path:
        """The file that keeps ``pdf``'s pages: its name, and a digest of where it is."""
        return self.folder / f"{pdf.name}-{hashlib.sha256(str(pdf.resolve()).encode()).hexdigest()[:12]}.pickle"

    def _known_of(self, pdf: Path) -> dict:
        """The pages kept for ``pdf``: what was read of it last time and before."""
        if self.folder is None or not self._file(pdf).is_file():
            return {}
        try:
            kept = pickle.loads(self._file(pdf).read_bytes())
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return {}  # half written by a build that was killed
        return kept["pages"] if kept.get("version") == self.version else {}

    def _keys(self, pdf: Path, keys: list[str]) -> list[int]:
        """``pdf``'s pages (``keys``, in order) not known; what is kept of it is known from now on."""
        self.kept[pdf] = self._known_of(pdf)
        self.known |= self.kept[pdf]
        return [number for number, key in enumerate(keys, 1) if key not in self.known]

    def _saw(self, pdf: Path, keys: list[str]) -> None:
        self.seen[pdf] = {key: self.known[key] for key in keys}

    def save(self) -> None:
        """Keep each PDF's pages read this time, then those of it known before, up to twice as many
        (an edit undone finds its pages again)."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for pdf, pages in self.seen.items():
            before = [(key, page) for key, page in self.kept[pdf].items() if key not in pages]
            kept = pages | dict(before[:len(pages)])
            staging = self._file(pdf).with_suffix(".staging")
            staging.write_bytes(pickle.dumps({"version": self.version, "pages": kept}))
            staging.replace(self._file(pdf))


class PageMemory(_KeptPages):
    """Pages read before (``Shown``), for the page-layout gate."""

    def read(self, path: Path) -> list[Shown]:
        """Every page of the PDF at ``path``, those not known read now."""
        with pikepdf.open(path) as pdf:
            keys = page_keys(pdf)
            unknown = self._keys(path, keys)
            text: dict[int, tuple] = {}
            for first, last in _runs(unknown):
                text |= _text(path, first, last)
            for number in unknown:
                self.known[keys[number - 1]] = Shown.of(*text[number], *_drawn(pdf.pages[number - 1]))
        self._saw(path, keys)
        return [self.known[key] for key in keys]


class PageTexts(_KeptPages):
    """Each page's text as ``pdftotext -layout`` prints it, for the leak scan: a PDF's text is its
    pages', each followed by a form feed, as Poppler prints the whole PDF (the same text)."""

    def read(self, path: Path) -> str:
        """The text of the PDF at ``path``, the pages not known read now."""
        with pikepdf.open(path) as pdf:
            keys = page_keys(pdf)
        unknown = self._keys(path, keys)
        for first, last in _runs(unknown):
            command = ["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(path), "-"]
            pages = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split("\f")
            for number in range(first, last + 1):
                self.known[keys[number - 1]] = pages[number - first]
        self._saw(path, keys)
        return "".join(self.known[key] + "\f" for key in keys)
