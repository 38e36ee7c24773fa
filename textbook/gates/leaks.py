"""Find solution text in student artifacts, and name the file and the exercise.

The rule, made explicit because solutions often repeat what the chapter
teaches (the DevOps vs MLOps key repeats the chapter's own table):

1. An exercise's *secret text* is its ``## Solution``, ``## Answer``,
   ``## Hidden checks``, ``## Rubric`` (each criterion's text), ``## Grading
   notes`` and ``## Parameters`` sections (``schema.SECRET_SECTIONS``).
   A code exercise's ``## Public checks`` are not: students see them.
2. Text is compared as *words*: Unicode-normalised, lower-case runs of
   letters and digits, with words hyphenated across a line break rejoined.
   Markup, punctuation, line breaks and layout do not matter. A backslash
   escape in code (``\\n``, ``\\t``, ``\\r``) is a word of its own, as a code
   highlighter shows it in a page: ``"alpine\\nRUN"`` is three words in the
   source and in the HTML alike.
3. The secret text is cut into fragments (lines, table cells, sentences). A
   fragment of 4 to 6 words is a *marker*; a longer one gives every run of 6
   consecutive words as a marker. A marker needs at least two words that are
   not numbers: runs of numbers occur by chance (SVG paths, data).
4. A marker that also occurs in anything students are meant to see (any
   chapter's source, the shared code the chapters import, any exercise's
   title, question, choices, starter code or public checks) is dropped: it is the chapter's own words, not the answer.
   Except where a chapter copies 10 or more consecutive words of a
   solution's prose: such a run is a pasted solution, not the chapter's own
   words, and does not count. (Code is exempt from this exception: chapters
   and solutions share imports and signatures by design, and so do an
   exercise's starter, public checks and solution. A public check that
   repeats a working line of the solution is refused by the bank instead,
   see ``content.solution_lines_in_public_checks``.)
5. A student artifact *leaks* an exercise if its text contains one of that
   exercise's remaining markers.

The search index holds words, not sentences, so for it rule 5 becomes: it
leaks an exercise if it holds a word from that exercise's secret text that
no student-visible source and no page of the HTML edition contains. Words
are compared as the index keeps them: stemmed by the course's language
(German "andere" is "and", which English would take for a solution's "and").
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path
from zipfile import ZipFile

from sphinx.search import SearchLanguage
from sphinx.search import languages as search_languages
from sphinx.search.en import SearchEnglish

from textbook.bank.bank import Bank
from textbook.bank.schema import SECRET_SECTIONS, STUDENT_SECTIONS

MIN_WORDS, WINDOW, PASTED = 4, 6, 10
_WORD = re.compile(r"[^\W_]+")
_HYPHENATED = re.compile(r"(\w)-\s*\n\s*(\w)")
_ESCAPE = re.compile(r"\\[nrt]")
_FENCED_CODE = re.compile(r"^(```+|~~~+).*?^\1\s*$", re.M | re.S)
_FRAGMENT_BREAK = re.compile(r"\n|\||(?<=[.!?;:])\s")


def secret_text(exercise) -> str:
    """The secret sections of an exercise; a rubric counts as its criteria, one per line,
    without their points (the words a copied criterion would bring with it)."""
    parts = []
    for name in SECRET_SECTIONS:
        if name == "Rubric" and exercise.rubric:
            parts.extend(criterion.text for criterion in exercise.rubric)
        elif name in exercise.sections:
            parts.append(exercise.sections[name].text)
    return "\n".join(parts)


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _ESCAPE.sub(lambda escape: f" {escape.group()} ", text)
    return _WORD.findall(_HYPHENATED.sub(r"\1\2", text))


def _prose(text: str) -> str:
    """``text`` without its fenced code blocks."""
    return _FENCED_CODE.sub("\n", text)


def _ngrams(sequence: list[str], n: int):
    return zip(*(sequence[k:] for k in range(n)))


def _without_pasted_runs(sequence: list[str], pasted: set[tuple[str, ...]]) -> list[list[str]]:
    """``sequence`` cut around every run of PASTED words that copies secret text."""
    if pasted.isdisjoint(_ngrams(sequence, PASTED)):  # as nearly every text: compared in C
        return [sequence] if sequence else []
    masked = [False] * len(sequence)
    for i, run in enumerate(_ngrams(sequence, PASTED)):
        if run in pasted:
            masked[i : i + PASTED] = [True] * PASTED
    pieces, current = [], []
    for word, is_masked in zip(sequence, masked):
        if is_masked:
            if current:
                pieces.append(current)
            current = []
        else:
            current.append(word)
    return pieces + [current] if current else pieces


def _runs_among(sequence: list[str], wanted: dict[int, set[tuple[str, ...]]]) -> set[tuple[str, ...]]:
    """The runs of consecutive words in ``sequence`` that are ``wanted`` (by their length): the
    sets compared in C, without making the set of all its runs."""
    return set().union(*(runs.intersection(_ngrams(sequence, n)) for n, runs in wanted.items()))


def _distinctive(run: tuple[str, ...]) -> bool:
    """A run is worth searching for when at least two of its words have letters:
    runs of numbers ("1 2 3 2") occur by chance in any data, such as SVG paths."""
    return sum(1 for word in run if not word.isdigit()) >= 2


def _fragment_markers(text: str) -> set[tuple[str, ...]]:
    markers = set()
    for fragment in _FRAGMENT_BREAK.split(text):
        found = words(fragment)
        if len(found) < MIN_WORDS:
            continue
        if len(found) <= WINDOW:
            markers.add(tuple(found))
        else:
            markers |= {tuple(found[i : i + WINDOW]) for i in range(len(found) - WINDOW + 1)}
    return {marker for marker in markers if _distinctive(marker)}


_LINK_NUMBER = re.compile(r"\[\d+\]")
#: A MyST role in a chapter's source, ``{term}`text <target>```: the page shows only the text.
_ROLE = re.compile(r"\{[\w:.-]+\}`(?P<content>[^`]*)`")
_EXPLICIT_TITLE = re.compile(r"^(?P<title>.*?)\s*<[^<>]*>$", re.DOTALL)


def shown_text(source: str) -> str:
    """A chapter's source with each role reduced to the text a reader sees."""

    def title(match: re.Match) -> str:
        content = match.group("content")
        explicit = _EXPLICIT_TITLE.match(content)
        return explicit.group("title") if explicit else content

    return _ROLE.sub(title, source)


class _TextOfHtml(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if not _LINK_NUMBER.fullmatch(data.strip()):  # "[1]": the second use of a term in the index
            self.parts.append(data)


def html_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    return " ".join(parser.parts)


def notebook_text(raw: str) -> str:
    notebook = json.loads(raw)
    parts = []
    for cell in notebook.get("cells", []):
        parts.append("".join(cell.get("source", "")))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else "")
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def search_index_terms(raw: str) -> set[str]:
    """The words the index finds a page for (an incremental build keeps dead terms
    with no page; those find nothing and are left out)."""
    data = json.loads(raw[raw.index("(") + 1 : raw.rindex(")")])
    found = {**data.get("terms", {}), **data.get("titleterms", {})}
    return {term.lower() for term, pages in found.items() if pages != []}


def _text_of(name: str, raw: str) -> str:
    suffix = Path(name).suffix
    if suffix in (".html", ".xhtml"):
        return html_text(raw)
    if suffix == ".ipynb":
        return notebook_text(raw)
    return raw


def artifact_text(path: Path) -> str | None:
    """The text a reader gets from a file, or None for a file with no text (an image)."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    return _text_of(path.name, raw)


#: Archives whose every file is a student file of its own: the EPUB, a chapter's runnable zip.
ARCHIVES = (".epub", ".zip")


def archive_files(path: Path) -> dict[str, bytes]:
    """Every file inside an EPUB (its pages, navigation, figures) or a zip (a notebook, the shared
    code), by name."""
    with ZipFile(path) as archive:
        return {name: archive.read(name) for name in sorted(archive.namelist())}


def member_text(name: str, raw: bytes) -> str | None:
    """The text of a file inside an archive, or None for one with no text (an image)."""
    try:
        return _text_of(name, raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None



@dataclass(frozen=True)
class Leak:
    path: Path
    exercise: str
    evidence: str

    def __str__(self) -> str:
        return f"{self.path}: contains the solution of exercise '{self.exercise}' (\"{self.evidence}\")"


@dataclass
class LeakScanner:
    """Markers for every exercise of ``bank``; ``student_sources`` are texts students may see;
    ``language``: the course's, whose stemmer and stop words the HTML search index uses."""

    bank: Bank
    student_sources: Iterable[str]
    language: str = "en"
    #: A JSON file of word -> stem kept between builds: stemming the book's words is most of the set-up.
    stem_cache: Path | None = None
    #: A file keeping the markers found last time, with a digest of what they were found in.
    marker_cache: Path | None = None
    markers: dict[tuple[str, ...], set[str]] = field(default_factory=dict, init=False)
    secret_stems: dict[str, set[str]] = field(default_factory=dict, init=False)
    _markers_by_length: dict[int, set[tuple[str, ...]]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        chapters = [shown_text(text) for text in self.student_sources]
        questions = []  # the bank's own student-facing text: may share anything with its solutions
        for exercise in self.bank.exercises.values():
            questions.append(exercise.title)
            questions.extend(exercise.sections[s].text for s in STUDENT_SECTIONS if s in exercise.sections)
        secrets = {exercise.id: secret_text(exercise) for exercise in self.bank.exercises.values()}
        self._stemmer = search_language(self.language)
        self._known_stems = _load_stems(self.stem_cache)
        known = len(self._known_stems)
        inputs = _inputs_key(chapters, questions, secrets, self.language)
        saved = _load_markers(self.marker_cache)
        if saved.get("inputs") == inputs:
            self.markers, self.secret_stems = saved["markers"], saved["secret_stems"]
        else:  # what the chapters allow is found again only if they or the solutions changed
            chapters_key = _inputs_key(chapters, [], secrets, self.language)
            kept = saved.get("chapters")
            allowed = self._find_markers(chapters, questions, secrets,
                                         kept[1] if kept and kept[0] == chapters_key else None)  # fmt: skip
            _save_markers(self.marker_cache, {"inputs": inputs, "markers": self.markers,
                                              "secret_stems": self.secret_stems, "chapters": (chapters_key, allowed)})
        for marker in self.markers:
            self._markers_by_length.setdefault(len(marker), set()).add(marker)
        if self.stem_cache is not None and len(self._known_stems) > known:
            self.stem_cache.parent.mkdir(parents=True, exist_ok=True)
            self.stem_cache.write_text(json.dumps(self._known_stems, sort_keys=True))

    def _find_markers(self, chapters: list[str], questions: list[str], secrets: dict[str, str],
                      by_chapters: tuple | None = None) -> tuple:
        """The markers and secret stems; ``by_chapters``: what the chapters allow, as returned last
        time for the same chapters and solutions (an edit to a question), else found now and returned."""
        candidates = {exercise_id: _fragment_markers(secret) for exercise_id, secret in secrets.items()}
        by_length: dict[int, set[tuple[str, ...]]] = {}
        for marker in set().union(*candidates.values()):
            by_length.setdefault(len(marker), set()).add(marker)
        if by_chapters is None:
            # Chapters and solutions legitimately share code (imports, signatures), so
            # only the prose of a solution counts when looking for pasted runs.
            pasted = {run for secret in secrets.values() for run in _ngrams(words(_prose(secret)), PASTED)}
            shown: set[tuple[str, ...]] = set()  # the candidates the chapters show
            for text in chapters:
                for own_words in _without_pasted_runs(words(text), pasted):
                    shown |= _runs_among(own_words, by_length)
            by_chapters = (shown, self._stems(" ".join(chapters)))
        allowed = set(by_chapters[0])  # the candidates that the chapters or the questions show
        for text in questions:
            allowed |= _runs_among(words(text), by_length)
        allowed_stems = by_chapters[1] | self._stems(" ".join(questions))  # as of all the text: words split at spaces
        for exercise_id, secret in secrets.items():
            for marker in candidates[exercise_id] - allowed:
                self.markers.setdefault(marker, set()).add(exercise_id)
            self.secret_stems[exercise_id] = self._stems(secret) - allowed_stems
        return by_chapters

    def _stem(self, word: str) -> str:
        if word not in self._known_stems:
            self._known_stems[word] = self._stemmer.stem(word)
        return self._known_stems[word]

    def _stems(self, text: str) -> set[str]:
        """Each word of ``text`` lower-cased, and its stem, as Sphinx's search index keeps them."""
        found = {w.lower() for w in self._stemmer.split(text)}
        return found | {self._stem(w) for w in found}

    def marker_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.bank.exercises, 0)
        for ids in self.markers.values():
            for exercise_id in ids:
                counts[exercise_id] += 1
        return counts

    def scan_text(self, path: Path, text: str) -> list[Leak]:
        found: dict[str, str] = {}
        sequence = words(text)
        for n, markers in self._markers_by_length.items():
            # Every run of n words, compared with the markers in C: fast on megabytes.
            for run in sorted(markers.intersection(_ngrams(sequence, n))):
                for exercise_id in self.markers[run]:
                    found.setdefault(exercise_id, " ".join(run))
        return [Leak(path, exercise_id, evidence) for exercise_id, evidence in sorted(found.items())]

    def secret_stems_in(self, text: str) -> set[str]:
        """The solutions' own stems that ``text`` shows (all the index check needs of a page)."""
        return self._stems(text) & set().union(*self.secret_stems.values())

    def scan_search_index(self, path: Path, stems_on_pages: Iterable[set[str]]) -> list[Leak]:
        """Solution words the index finds pages for though no page shows them.

        ``stems_on_pages``: ``secret_stems_in`` of each page's text.
        """
        on_pages = set().union(*stems_on_pages)
        extra = search_index_terms(path.read_text(encoding="utf-8")) - on_pages
        return [
            Leak(path, exercise_id, ", ".join(sorted(stems & extra)))
            for exercise_id, stems in sorted(self.secret_stems.items())
            if stems & extra
        ]

    def fingerprint(self) -> str:
        """Changes whenever what the scanner looks for changes."""
        digest = hashlib.sha256()
        for marker in sorted(self.markers):
            digest.update(("\0".join(marker) + "|" + ",".join(sorted(self.markers[marker])) + "\n").encode())
        for exercise_id, stems in sorted(self.secret_stems.items()):
            digest.update(f"{exercise_id}:{','.join(sorted(stems))}\n".encode())
        return digest.hexdigest()

    def scan(self, paths: Iterable[Path], cache_file: Path | None = None,
             texts: dict[Path, str] | None = None) -> list[Leak]:
        """Scan files; an HTML edition's search index is checked against its own pages. ``texts``:
        the text of some of them, read already (a PDF read while others were being checked).

        With ``cache_file``, files found clean before (same bytes, same markers)
        are not read again, so an edit to one page rescans one page (and the
        index is checked against the solution words each page was found to show).
        """
        paths = sorted(paths)
        clean = _CleanFiles(cache_file, self.fingerprint())
        leaks: list[Leak] = []
        html_pages = [p for p in paths if p.suffix == ".html"]
        for path in paths:
            if clean.known(path):
                continue
            if path.suffix in ARCHIVES:  # each file inside is named in a leak (book.epub/00-run.xhtml), and
                found = []  # found clean on its own: an edit to one chapter has one page of the EPUB read again
                for name, raw in archive_files(path).items():
                    if clean.known_member(name, raw):
                        continue
                    text = member_text(name, raw)
                    found_here = self.scan_text(path / name, text) if text is not None else []
                    found += found_here
                    if not found_here:
                        clean.add_member(name, raw)
            else:
                text = texts[path] if texts and path in texts else artifact_text(path)
                found = self.scan_text(path, text) if text is not None else []
            leaks.extend(found)
            if not found:
                clean.add(path)
        for index in (p for p in paths if p.name == "searchindex.js"):
            together = [index, *html_pages]  # the index is judged against the pages
            if not clean.known_together(together):
                found = self.scan_search_index(index, [clean.stems_on(p, self.secret_stems_in) for p in html_pages])
                leaks.extend(found)
                if not found:
                    clean.add_together(together)
        if not leaks:
            clean.save()
        return leaks


def _inputs_key(chapters: list[str], questions: list[str], secrets: dict[str, str], language: str) -> str:
    """A digest of what markers are made from, and of the rules that make them (this file, the language)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(json.dumps([chapters, questions, sorted(secrets.items()), language]).encode())
    return digest.hexdigest()


def _load_markers(cache: Path | None) -> dict:
    """What ``_save_markers`` kept: the markers and secret stems with the digest of their inputs,
    and what the chapters allow with the digest of theirs; empty if nothing readable is kept."""
    try:
        saved = pickle.loads(cache.read_bytes()) if cache is not None else {}
    except (FileNotFoundError, pickle.UnpicklingError, EOFError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def _save_markers(cache: Path | None, found: dict) -> None:
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(found))


def search_language(language: str) -> SearchLanguage:
    """The search language Sphinx's HTML index uses for ``language`` (``de_AT``: German's),
    English where Sphinx has none: its words, stems and stop words are the index's."""
    found = search_languages.get(language) or search_languages.get(language.partition("_")[0])
    if found is None:
        return SearchEnglish({})
    if isinstance(found, str):
        module, name = found.rsplit(".", 1)
        found = getattr(import_module(module), name)
    return found({})


def _load_stems(cache: Path | None) -> dict[str, str]:
    try:
        return json.loads(cache.read_text()) if cache is not None else {}
    except (FileNotFoundError, ValueError):
        return {}


class _CleanFiles:
    """Digests of files (and of sets of files) a scanner with this fingerprint found clean,
    and the solution stems each HTML page shows, by the page's digest."""

    def __init__(self, cache_file: Path | None, fingerprint: str):
        self.cache_file, self.fingerprint = cache_file, fingerprint
        self.digests: set[str] = set()
        self.page_stems: dict[str, list[str]] = {}
        if cache_file is not None:
            try:
                saved = json.loads(cache_file.read_text())
                if saved.get("fingerprint") == fingerprint:
                    self.digests = set(saved["clean"])
                    self.page_stems = saved["page_stems"]
            except (FileNotFoundError, ValueError, KeyError):
                pass
        self.seen: set[str] = set()

    @staticmethod
    def _digest(*paths: Path) -> str:
        digest = hashlib.sha1()
        for path in paths:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def known(self, path: Path) -> bool:
        return self.known_together([path])

    def known_together(self, paths: list[Path]) -> bool:
        digest = self._digest(*paths)
        self.seen.add(digest)
        return digest in self.digests

    def add(self, path: Path) -> None:
        self.add_together([path])

    def stems_on(self, page: Path, secret_stems_in) -> set[str]:
        digest = self._digest(page)
        self.seen.add(digest)
        if digest not in self.page_stems:
            self.page_stems[digest] = sorted(secret_stems_in(artifact_text(page) or ""))
        return set(self.page_stems[digest])

    def add_together(self, paths: list[Path]) -> None:
        self.digests.add(self._digest(*paths))

    @staticmethod
    def _member_digest(name: str, raw: bytes) -> str:
        return hashlib.sha1(b"member\0" + name.encode() + b"\0" + raw).hexdigest()

    def known_member(self, name: str, raw: bytes) -> bool:
        """Whether a file inside an archive, by its name and bytes, was found clean before."""
        digest = self._member_digest(name, raw)
        self.seen.add(digest)
        return digest in self.digests

    def add_member(self, name: str, raw: bytes) -> None:
        self.digests.add(self._member_digest(name, raw))

    def save(self) -> None:
        if self.cache_file is None:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        keep = sorted(self.digests & self.seen)  # forget files that no longer exist
        stems = {digest: self.page_stems[digest] for digest in sorted(self.page_stems.keys() & self.seen)}
        self.cache_file.write_text(json.dumps({"fingerprint": self.fingerprint, "clean": keep, "page_stems": stems}) + "\n")


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())
