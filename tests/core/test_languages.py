"""The generator's own words in the course's language, and its unit label from the settings.

The catalogues (``textbook/core/locale/*.json``) must agree with English on
every key and on what each message is given; a German course with the unit
label "Woche" is built (the book in HTML and PDF, the handouts, the workbook
and the keys) and read back for its German words and for English ones the
generator should no longer print; an English course calling its units weeks
says "Week 0".
"""

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from textbook.bank import schema
from textbook.core.config import ProjectConfig
from textbook.core.messages import AMBIENT, ENGLISH, Words, catalogue, catalogue_language, languages, placeholders
from textbook.gates.leaks import pdf_text
from textbook.instructor import moodle
from textbook.instructor.exam_edition import document_title
from textbook.pipeline import build

from tests.conftest import copy_tiny

#: What the generator printed in English before it had catalogues; none may reach a German PDF.
ENGLISH_WORDS = ("Module", "Exercise", "Answer key", "Answer Key", "Instructor edition", "Question", "Student workbook",
                 "at a glance", "Difficulty", "Prerequisites", "Solution", "Rubric", "Scoring", "Correct:", "points")  # fmt: skip


# -- the catalogues -------------------------------------------------------------


@pytest.mark.parametrize("language", [code for code in languages() if code != "en"])
def test_every_catalogue_has_the_english_keys_and_placeholders(language):
    english, other = catalogue("en"), catalogue(language)
    assert sorted(other) == sorted(english), f"{language}.json: keys differ from en.json"
    for key, message in english.items():
        # {unit} and {unit_lower} are every message's to use (grammar decides); the rest
        # are what the generator passes, and a translation must show each one.
        assert placeholders(other[key]) - AMBIENT == placeholders(message) - AMBIENT, f"{language}.json: {key}"


@pytest.mark.parametrize("language", languages())
def test_a_message_with_forms_has_one_and_other(language):
    for key, message in catalogue(language).items():
        assert isinstance(message, str) or set(message) == {"one", "other"}, f"{language}.json: {key}"


def test_every_kind_and_difficulty_has_its_words():
    for kind in schema.KINDS:
        assert ENGLISH.kind(kind) and ENGLISH.kind_in_list(kind)
    assert [ENGLISH.difficulty(level) for level in (1, 2, 3)] == [
        "Introductory (1 of 3)", "Intermediate (2 of 3)", "Advanced (3 of 3)"]  # fmt: skip


def test_the_language_chooses_the_catalogue_and_the_unit_label_overrides_its_word():
    assert [catalogue_language(code) for code in ("de", "de_AT", "de-CH", "fr", "")] == ["de", "de", "de", "en", "en"]
    assert (Words("de").unit, Words("de", "Woche").unit, ENGLISH.unit, Words("en", "Week").unit) == (
        "Modul", "Woche", "Module", "Week")  # fmt: skip
    assert Words("de", "Woche")("overview.title") == "Woche auf einen Blick"
    assert Words("en", "Week")("overview.objectives") == "By the end of this week you will be able to:"
    assert Words("en", "CI Lab").unit_number(3) == "CI Lab 3"
    assert Words("de")("points.amount", count=1, amount="1") == "1 Punkt"
    assert Words("de")("points.amount", count=2, amount="2") == "2 Punkte"


def test_a_course_reads_its_words_from_conf_py(tmp_path):
    (tmp_path / "conf.py").write_text('language = "de_AT"\ntextbook_unit_label = "Woche"\n')
    words = Words.of(ProjectConfig.read(tmp_path))
    assert (words.language, words.unit) == ("de", "Woche")
    assert words("exercise.heading", number="0.1", title="Zählen") == "Aufgabe 0.1: Zählen"


# -- a German course, built -------------------------------------------------------


def _course(root: Path, conf: str) -> Path:
    copy_tiny(root)
    (root / "conf.py").write_text((root / "conf.py").read_text() + conf)
    return root


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    """The tiny course in German, its units called weeks, every edition but the EPUB built once."""
    root = _course(tmp_path_factory.mktemp("languages") / "tiny", '\nlanguage = "de"\ntextbook_unit_label = "Woche"\n')
    chapter = root / "book" / "00-run.md"
    # The author's own words are German too, so that any English left is the generator's.
    text = chapter.read_text().replace("# A module that runs code", "# Code ausführen")
    chapter.write_text(text.replace("## Exercises", "## Aufgaben").replace("Try {ex}", "Versuchen Sie {ex}"))
    layout = build.Layout(root)
    build.build(layout, ["html", "pdf", "handouts", "workbook", "key"])
    return layout


def _pdfs(layout) -> dict[str, str]:
    """Every published PDF's text, whitespace squashed, by its path under _build/pdf/."""
    return {str(pdf.relative_to(layout.pdf)): " ".join(pdf_text(pdf).split()) for pdf in sorted(layout.pdf.rglob("*.pdf"))}


def test_the_german_html_book_says_woche_and_aufgabe(german):
    page = (german.html / "00-run.html").read_text(encoding="utf-8")
    for words in ("Woche 0", "Woche auf einen Blick", "Schwierigkeit", "Voraussetzungen", "Aufgabe 0.1:",
                  "Am Ende dieser Lerneinheit können Sie:", "Notebook-Vorlage zu diesen Aufgaben"):  # fmt: skip
        assert words in page, words
    assert "Module" not in page and "Exercise 0." not in page


def test_every_german_pdf_speaks_german(german):
    pdfs = _pdfs(german)
    assert set(pdfs) == {"tiny.pdf", "handouts/00-run.pdf", "workbook.pdf", "answer-key.pdf", "keys/00-run.pdf"}
    book, handout, workbook, key, module_key = (pdfs[name] for name in (
        "tiny.pdf", "handouts/00-run.pdf", "workbook.pdf", "answer-key.pdf", "keys/00-run.pdf"))  # fmt: skip
    assert "Woche 0" in book and "Aufgabe 0.1:" in book and "Woche auf einen Blick" in book and "Inhalt" in book
    assert "Handout: Woche 0" in handout and "Geschätzte Zeit" in handout
    assert "Arbeitsheft" in workbook and "Aufgabe 0.3 ist die dritte Aufgabe in Woche 0" in workbook
    assert "Ihr Code" in workbook and "Matrikelnummer" not in workbook and "Gruppe" in workbook
    for text in (key, module_key):
        assert "Lösungsschlüssel" in text and "Ausgabe für Lehrende: nicht weitergeben" in text
        assert "Abdeckung der Lernziele" in text and "Lösung" in text and "Richtig:" in text
    assert "Lösungsschlüssel, Woche 0" in module_key
    assert "Ausgabe für Lehrende" not in workbook
    for name, text in pdfs.items():
        found = [word for word in (*ENGLISH_WORDS, "Modul") if word in text]
        assert not found, f"{name}: {found}"


def test_the_german_starter_notebook_and_moodle_export_say_woche(german, tmp_path):
    notebook = json.loads((german.html / "_downloads" / "exercises" / "00-run-exercises.ipynb").read_text())
    first, question = ("".join(cell["source"]) for cell in notebook["cells"][:2])
    assert first.startswith("# Woche 0: Code ausführen. Notebook-Vorlage") and "Was es braucht" in first
    assert question.startswith("## Aufgabe 0.6: Add up to ten") and "Programmieraufgabe" in question
    quiz = ElementTree.parse(moodle.export(german, tmp_path / "moodle.xml").path).getroot()
    assert quiz[0].findtext("category/text") == "$course$/top/Tiny project/Woche 0: Code ausführen"
    assert quiz[1].findtext("name/text") == "Aufgabe 0.1: Say what a cell is"
    assert "<h4>Musterlösung</h4>" in quiz[1].findtext("graderinfo/text")


def test_a_german_exam_names_its_questions_and_variants_in_german():
    words = Words("de")
    assert document_title("Klausur", "variant-2-key", words) == "Klausur, Variante\N{NO-BREAK SPACE}2: Lösungsschlüssel"
    assert words("question.key_heading", number=1, title="Zählen", exercise="0.3") == (
        "Frage 1: Zählen (Aufgabe 0.3 des Buches)")  # fmt: skip


# -- an English course whose units are weeks ---------------------------------------


def test_an_english_course_of_weeks_says_week_in_html(tmp_path):
    layout = build.Layout(_course(tmp_path / "tiny", '\ntextbook_unit_label = "Week"\n'))
    build.build(layout, ["html"])
    page = (layout.html / "00-run.html").read_text(encoding="utf-8")
    assert "Week 0" in page and "Week at a glance" in page and "By the end of this week" in page
    assert "Module" not in page
