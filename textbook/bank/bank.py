"""Load and validate the exercise bank: ``exercises/<NN-module>/<file>.md``.

An exercise file is a YAML header (see ``schema.HEADER_SCHEMA``) and ``## ``
sections (``## Question``, ``## Solution``, ...). Its number is a property of
the bank: ``<module>.<position>``, where the module comes from the folder
(``00-introduction`` is module 0, and must be a chapter in ``book/``) and the
position from the file's place in its folder sorted by file name. Name files
``01-slug.md``, ``02-slug.md``... to set the order.

Every problem found is collected and reported at once, each as
``path:line: what is wrong and what to fix``; a bank with problems raises
BankError and nothing is built.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from textbook.bank import content, grading, schema
from textbook.bank import parameters
from textbook.core.encoding import SourceEncodingError, read_utf8
from textbook.core.problems import ProblemsError
from textbook.core.front_matter import (
    YAML_LOADER,
    chapter_objective_lines,
    chapter_objectives,
    module_number,
    overview_block,
)

_SECTION_HEADING = re.compile(r"^## (.+?)\s*$")
_ANY_HEADING = re.compile(r"^#{1,6} ")
_FENCE = re.compile(r"^(```+|~~~+)")


class BankError(ProblemsError):
    """The bank has problems; ``problems`` lists them as ``path:line: message``."""

    what = "the exercise bank"


@dataclass(frozen=True)
class Section:
    text: str
    line: int  # 1-based line in the file of the line after the heading
    lead: int = 0  # blank lines between the heading and ``text`` (which starts at line + lead)


@dataclass(frozen=True)
class Module:
    docname: str
    number: int
    title: str
    objectives: tuple[str, ...]
    path: Path | None = None  # the chapter's source
    objective_lines: tuple[int, ...] = ()  # 1-based line of each objective in it


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    kind: str
    difficulty: int
    minutes: int
    points: int
    objectives: tuple[str, ...]
    space: int | None
    module: Module
    position: int
    path: Path
    sections: dict[str, Section]
    choices: tuple[content.Choice, ...] = ()
    digest: str = ""
    scoring: str | None = None  # multiple choice: the partial-credit rule (grading.SCORING_RULES)
    rubric: tuple[grading.Criterion, ...] = ()
    template: Exercise | None = None  # with '## Parameters': the exercise before its values were filled in

    @property
    def number(self) -> str:
        return f"{self.module.number}.{self.position}"

    @property
    def label(self) -> str:
        return f"ex-{self.id}"

    def objective_numbers(self) -> list[int]:
        """The module's numbers of the objectives practised, in the module's order."""
        return sorted(self.module.objectives.index(o) + 1 for o in self.objectives)

    def code(self, section: str) -> str:
        return content.single_python_block(self.sections[section].text, section)

    @property
    def answer(self) -> content.NumericAnswer | content.AcceptedAnswers | None:
        """A short answer's machine-markable answer (``## Answer``), if it has one."""
        return content.parse_answer(self.sections["Answer"].text) if "Answer" in self.sections else None


@dataclass
class Bank:
    exercises: dict[str, Exercise] = field(default_factory=dict)  # by id, in number order
    modules: dict[str, Module] = field(default_factory=dict)  # by chapter docname

    def for_module(self, docname: str) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.module.docname == docname]


def _chapter_title(text: str) -> str:
    return next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")


def read_modules(book_dir: Path) -> dict[str, Module]:
    """Each module chapter's number, title and objective ids, read from its source."""
    modules = {}
    for path in sorted(book_dir.glob("*.md")):
        number = module_number(path.stem)
        text = read_utf8(path)
        objectives = chapter_objectives(text)
        if number is not None and objectives is not None:
            lines = chapter_objective_lines(text)
            modules[path.stem] = Module(
                path.stem,
                number,
                _chapter_title(text),
                tuple(objectives),
                path,
                tuple(lines.get(objective, 1) for objective in objectives),
            )
    return modules


def _split_file(text: str) -> tuple[str, int, list[tuple[str, int]]]:
    """(header YAML, its first line, body lines with their 1-based line numbers)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise content.ContentError("the file must start with a '---' line and a YAML header", 0)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise content.ContentError("the YAML header has no closing '---' line", 0) from None
    body = [(line, number) for number, line in enumerate(lines[end + 1 :], start=end + 2)]
    return "\n".join(lines[1:end]), 2, body


def _sections(body: list[tuple[str, int]], rel) -> tuple[dict[str, Section], list[str]]:
    sections: dict[str, Section] = {}
    problems: list[str] = []
    name, collected, start, fence = None, [], 0, None

    def close():
        if name is not None:
            lead = next((i for i, line in enumerate(collected) if line.strip()), 0)
            sections[name] = Section("\n".join(collected).strip("\n") + "\n", start, lead)

    for line, number in body:
        if fence is None and (heading := _SECTION_HEADING.match(line)):
            close()
            name, collected, start = heading.group(1), [], number + 1
            name = schema.SECTION_SYNONYMS.get(name, name)
            if name not in schema.SECTIONS:
                problems.append(f"{rel}:{number}: unknown section '## {name}'; use {', '.join(schema.SECTIONS)}")
            elif name in sections:
                old = "".join(f" ('## {o}' is its old name)" for o, n in schema.SECTION_SYNONYMS.items() if n == name)
                problems.append(f"{rel}:{number}: '## {name}' appears twice{old}")
            continue
        if match := _FENCE.match(line.strip()):
            fence = None if fence == match.group(1) else (fence or match.group(1))
        elif fence is None and _ANY_HEADING.match(line):
            problems.append(f"{rel}:{number}: headings other than the '## ' sections are not allowed in an exercise")
        elif fence is None and line.lstrip().startswith("%"):
            problems.append(f"{rel}:{number}: a line starting with '%' is a MyST comment, dropped from every "
                            "edition; rewrap the text so that the line starts with a word")
        if name is None:
            if line.strip():
                problems.append(f"{rel}:{number}: text before the first section; start the body with '## Question'")
            continue
        collected.append(line)
    close()
    return sections, problems


def _header_line(header: str, key, first_line: int) -> int:
    for offset, line in enumerate(header.splitlines()):
        if key is not None and line.startswith(f"{key}:"):
            return first_line + offset
    return first_line - 1


def _parse_exercise(path: Path, rel: str, module: Module | None, problems: list[str]) -> dict | None:
    try:
        text = read_utf8(path, rel)
    except SourceEncodingError as error:
        problems.append(str(error))
        return None
    try:
        header, first, body = _split_file(text)
    except content.ContentError as error:
        problems.append(f"{rel}:1: {error}")
        return None
    try:
        data = yaml.load(header, Loader=YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first + (mark.line if mark else 0)
        problems.append(f"{rel}:{line}: malformed YAML header: {getattr(error, 'problem', error)}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{rel}:{first}: the header must be a YAML mapping of fields")
        return None
    header_problems = sorted(
        jsonschema.Draft202012Validator(schema.HEADER_SCHEMA).iter_errors(data), key=lambda e: list(e.path)
    )
    for error in header_problems:
        key = error.path[0] if error.path else None
        where = f"'{key}': " if key is not None else ""
        problems.append(f"{rel}:{_header_line(header, key, first)}: header {where}{error.message}")
    if header_problems:
        return None

    sections, section_problems = _sections(body, rel)
    problems.extend(section_problems)
    kind = data["kind"]
    for name in schema.REQUIRED_SECTIONS.get(kind, schema.DEFAULT_REQUIRED):
        if not sections.get(name, Section("", 0)).text.strip():
            missing = "missing solution" if name == "Solution" else f"missing '## {name}'"
            problems.append(f"{rel}:{len(text.splitlines())}: {missing}: a {kind} exercise needs a '## {name}' section")
    for name, only_kind in schema.KIND_ONLY_SECTIONS.items():
        if name in sections and kind != only_kind:
            problems.append(f"{rel}:{sections[name].line - 1}: '## {name}' is only for {only_kind} exercises")
    if parameters.SECTION in sections and kind == "code":
        problems.append(f"{rel}:{sections[parameters.SECTION].line - 1}: '## Parameters' is not for code exercises, "
                        "whose code the build checks as written")

    if module is not None:
        for objective in data["objectives"]:
            if objective not in module.objectives:
                problems.append(
                    f"{rel}:{_header_line(header, 'objectives', first)}: objective '{objective}' is not declared "
                    f"by module {module.number} ({module.docname}); it declares: {', '.join(module.objectives)}"
                )

    _check_scoring(data, rel, header, first, problems)
    rubric = _rubric(data, sections, rel, len(text.splitlines()), problems)

    choices = ()
    if kind == "multiple-choice" and "Choices" in sections:
        listed = sections["Choices"]
        try:
            choices = content.parse_choices(listed.text)
        except content.ContentError as error:
            problems.append(f"{rel}:{listed.line + listed.lead + error.line}: {error}")
    try:
        if kind == "code":
            for name in schema.CODE_SECTIONS:
                if name in sections:
                    content.single_python_block(sections[name].text, name)
            if {"Starter", "Solution", "Public checks"} <= set(sections):
                _check_public_checks(sections, rel, problems)
        if kind == "fill-in-table" and {"Question", "Solution"} <= set(sections):
            content.check_fill_in_table(sections["Question"].text, sections["Solution"].text)
    except content.ContentError as error:
        problems.append(f"{rel}:{_first_line(sections)}: {error}")
    return {
        **data,
        "sections": sections,
        "choices": choices,
        "rubric": rubric,
        "digest": hashlib.sha256(text.encode()).hexdigest(),
        "id_line": _header_line(header, "id", first),
    }


def _check_public_checks(sections: dict[str, Section], rel: str, problems: list[str]) -> None:
    """Public checks test what the code does; they must not show how the solution does it."""
    public = sections["Public checks"]
    copied = content.solution_lines_in_public_checks(
        public.text, sections["Solution"].text, sections["Starter"].text
    )
    for offset, line in copied:
        problems.append(
            f"{rel}:{public.line + public.lead + offset}: the public checks repeat the solution's line {line!r}; "
            "students see public checks, so test what the code returns without showing how it works"
        )


def _check_scoring(data: dict, rel: str, header: str, first: int, problems: list[str]) -> None:
    """A multiple-choice exercise states its partial-credit rule; no other kind has one."""
    rules = ", ".join(f"'scoring: {rule}'" for rule in grading.SCORING_RULES)
    if data["kind"] == "multiple-choice" and "scoring" not in data:
        problems.append(
            f"{rel}:{_header_line(header, 'kind', first)}: a multiple-choice exercise must say how partial credit "
            f"works: add one of {rules} to the header (CONTRIBUTING.md defines them)"
        )
    elif data["kind"] != "multiple-choice" and "scoring" in data:
        problems.append(
            f"{rel}:{_header_line(header, 'scoring', first)}: 'scoring' is only for multiple-choice exercises; "
            "grade other kinds with a '## Rubric'"
        )


def _rubric(data: dict, sections: dict[str, Section], rel: str, last_line: int, problems: list[str]):
    """The rubric's criteria, checked: required for some kinds, and adding up to the header's points."""
    kind, section = data["kind"], sections.get("Rubric")
    if section is None:
        if kind in grading.RUBRIC_REQUIRED:
            problems.append(
                f"{rel}:{last_line}: missing '## Rubric': {'an' if kind[0] in 'aeiou' else 'a'} {kind} exercise needs one, a list of criteria "
                f"worth {data['points']} points in all, each as '- (N points) what earns them'"
            )
        return ()
    if kind in grading.RUBRIC_FORBIDDEN:
        problems.append(
            f"{rel}:{section.line - 1}: '## Rubric' is not for {kind} exercises: their header's 'scoring' "
            "rule says how they are marked"
        )
        return ()
    try:
        criteria = grading.parse_rubric(section.text)
    except content.ContentError as error:
        problems.append(f"{rel}:{section.line + section.lead + error.line}: {error}")
        return ()
    total = grading.rubric_total(criteria)
    if total != data["points"]:
        problems.append(
            f"{rel}:{section.line - 1}: the rubric's criteria add up to {grading.format_points(total)} points "
            f"but the header says 'points: {data['points']}'; make them equal"
        )
    return criteria


def _with_default_parameters(exercise: Exercise, rel: str, problems: list[str]) -> Exercise:
    """An exercise with '## Parameters' shows the values of the default seed outside exams."""
    if parameters.SECTION not in exercise.sections:
        return exercise
    try:
        return parameters.for_seed(exercise, parameters.DEFAULT_SEED)
    except parameters.ParameterError as error:
        problems.append(f"{rel}:{error.line}: {error}")
        return exercise


def _check_answer(exercise: Exercise, rel: str, problems: list[str]) -> None:
    """A ``## Answer`` must read as one, with its parameters filled in (they may make the number)."""
    try:
        exercise.answer
    except content.ContentError as error:
        section = exercise.sections["Answer"]
        problems.append(f"{rel}:{section.line + section.lead + error.line}: {error}")


def _first_line(sections: dict[str, Section]) -> int:
    return min((s.line - 1 for s in sections.values()), default=1)


def _coverage_problems(modules, parsed, unread, exercises_dir, shown) -> list[str]:
    """Every objective a module declares is practised by at least one of its exercises."""
    practised: dict[str, set[str]] = {}
    for _, data, module, _ in parsed:
        practised.setdefault(module.docname, set()).update(data["objectives"])
    problems = []
    for docname, module in modules.items():
        if docname in unread:
            continue
        missing = grading.uncovered_objectives(module.objectives, practised.get(docname, ()))
        for objective in missing:
            line = module.objective_lines[module.objectives.index(objective)] if module.objective_lines else 1
            chapter = shown(module.path) if module.path else f"{docname}.md"
            problems.append(
                f"{chapter}:{line}: objective '{objective}' of module {module.number} ({docname}) is practised by "
                f"no exercise; add an exercise to {shown(exercises_dir / docname)}/ whose header lists it "
                f"('objectives: [{objective}]'), or remove the objective from the module-overview"
            )
    return problems


#: The last bank read without running code, by what it was read from: a build reads
#: the bank twice in one process (the pipeline, then the Sphinx extension).
_last_read: dict[tuple, Bank] = {}


def _chapter_stamp(path: Path) -> str:
    """What ``read_modules`` reads of a chapter (its title, its overview and where that starts):
    a prose edit below the overview leaves the bank as it was."""
    text = path.read_bytes().decode("utf-8", "replace")
    line, block = overview_block(text)
    return hashlib.sha256(f"{_chapter_title(text)}\0{line}\0{block}".encode()).hexdigest()


def _inputs_stamp(exercises_dir: Path, book_dir: Path, shown_from: Path | None) -> tuple:
    """Every file and folder ``load_bank`` reads, with a digest of what it reads there (a few ms)."""
    chapters = tuple((str(p), _chapter_stamp(p)) for p in sorted(book_dir.glob("*.md")))
    paths = sorted(exercises_dir.iterdir()) + sorted(exercises_dir.glob("*/*.md")) if exercises_dir.is_dir() else []
    digests = tuple((str(p), hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "") for p in paths)
    return (str(exercises_dir), str(book_dir), str(shown_from), chapters, digests)


def _reader_stamp() -> str:
    """The code that reads a bank: a bank kept by other code is read again."""
    modules = (sys.modules[__name__], content, grading, schema, parameters)
    return hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in modules)).hexdigest()


def _kept_bank(cache: Path, stamp: tuple) -> Bank | None:
    try:
        with cache.open("rb") as kept:
            kept_stamp, bank = pickle.load(kept)
    except Exception:  # missing, half-written or from other code: read the bank instead
        return None
    return bank if kept_stamp == stamp else None


def _keep_bank(cache: Path, stamp: tuple, bank: Bank) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f".{cache.name}.{os.getpid()}")
    partial.write_bytes(pickle.dumps((stamp, bank), protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(cache)


def load_bank(
    exercises_dir: Path,
    book_dir: Path,
    check_code: Callable[[list[Exercise]], list[str]] | None = None,
    shown_from: Path | None = None,
    cache: Path | None = None,
) -> Bank:
    """Read and validate every exercise; raise BankError listing every problem.

    ``check_code`` runs the code exercises (see ``checks.py``) and returns
    problems; paths in messages are shown relative to ``shown_from``. Without
    ``check_code``, reading the same unchanged files again returns the bank
    read last time (treat it as read-only): in this process, or from ``cache``,
    a file where the last bank read without problems is kept between builds.
    """
    if check_code is not None:
        return _read_bank(exercises_dir, book_dir, check_code, shown_from)
    stamp = (*_inputs_stamp(exercises_dir, book_dir, shown_from), _reader_stamp())
    if stamp not in _last_read:
        bank = _kept_bank(cache, stamp) if cache is not None else None
        if bank is None:
            with parameters.keep_draws(cache.with_name("parameter-draws.json") if cache is not None else None):
                bank = _read_bank(exercises_dir, book_dir, None, shown_from)
            if cache is not None:
                _keep_bank(cache, stamp, bank)
        _last_read.clear()
        _last_read[stamp] = bank
    return _last_read[stamp]


def _read_bank(
    exercises_dir: Path,
    book_dir: Path,
    check_code: Callable[[list[Exercise]], list[str]] | None,
    shown_from: Path | None,
) -> Bank:
    try:
        bank = Bank(modules=read_modules(book_dir))
    except SourceEncodingError as error:
        raise BankError([str(error)]) from None
    problems: list[str] = []
    first_file: dict[str, str] = {}
    root = shown_from or exercises_dir.parent

    def shown(path: Path) -> str:
        try:
            return str(path.relative_to(root))
        except ValueError:
            return str(path)

    folders = sorted(p for p in exercises_dir.iterdir() if p.is_dir()) if exercises_dir.is_dir() else []
    parsed: list[tuple[Path, dict, Module, int]] = []
    unread: set[str] = set()  # modules with a file that could not be read: their coverage is unknown
    for folder in folders:
        module = bank.modules.get(folder.name)
        if module is None:
            problems.append(
                f"{shown(folder)}: no module chapter {shown(book_dir / folder.name)}.md with a module-overview; "
                "name the folder after its chapter"
            )
        for position, path in enumerate(sorted(folder.glob("*.md")), start=1):
            data = _parse_exercise(path, shown(path), module, problems)
            if data is None:
                unread.add(folder.name)
            if data is None or module is None:
                continue
            if data["id"] in first_file:
                problems.append(
                    f"{shown(path)}:{data['id_line']}: duplicate exercise id '{data['id']}', "
                    f"also used by {first_file[data['id']]}; give each exercise its own id"
                )
                continue
            first_file[data["id"]] = shown(path)
            parsed.append((path, data, module, position))

    if exercises_dir.is_dir():
        problems.extend(_coverage_problems(bank.modules, parsed, unread, exercises_dir, shown))

    for path, data, module, position in sorted(parsed, key=lambda p: (p[2].number, p[3])):
        exercise = Exercise(
            id=data["id"],
            title=data["title"],
            kind=data["kind"],
            difficulty=data["difficulty"],
            minutes=data["minutes"],
            points=data["points"],
            objectives=tuple(data["objectives"]),
            space=data.get("space"),
            module=module,
            position=position,
            path=path,
            sections=data["sections"],
            choices=data["choices"],
            digest=data["digest"],
            scoring=data.get("scoring"),
            rubric=data["rubric"],
        )
        bank.exercises[data["id"]] = exercise = _with_default_parameters(exercise, shown(path), problems)
        _check_answer(exercise, shown(path), problems)
    if check_code is not None and not problems:
        problems.extend(check_code([e for e in bank.exercises.values() if e.kind == "code"]))
    if problems:
        raise BankError(problems)
    return bank
