"""What an exercise file's header must hold, as a JSON Schema (checked with jsonschema)."""

#: The kinds of exercise; what each is called in print is the message ``kind.<kind>``
#: of the course's catalogue (``core/locale/``): "Short answer", "Kurzantwort".
KINDS = ("short-answer", "fill-in-table", "list", "essay", "multiple-choice", "code")

HEADER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "title", "kind", "difficulty", "minutes", "points", "objectives"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        "title": {"type": "string", "minLength": 3},
        "kind": {"enum": list(KINDS)},
        "difficulty": {"type": "integer", "minimum": 1, "maximum": 3},
        "minutes": {"type": "integer", "minimum": 1, "maximum": 240},
        "points": {"type": "integer", "minimum": 1, "maximum": 100},
        "objectives": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        },
        # Answer space in print: ruled lines (short answer, list, essay), lines of
        # the code box (code), or lines per blank table row (fill-in table).
        "space": {"type": "integer", "minimum": 1, "maximum": 40},
        # Multiple choice only: how partial credit works (see grading.mc_score).
        "scoring": {"enum": ["all-or-nothing", "per-option", "right-minus-wrong"]},
    },
    # Every kind but multiple choice needs room to write in the workbook.
    "if": {"properties": {"kind": {"not": {"const": "multiple-choice"}}}},
    "then": {"required": ["space"]},
}

#: The ``## `` sections an exercise file may have, and which each kind requires.
SECTIONS = (
    "Question",
    "Choices",
    "Starter",
    "Public checks",
    "Solution",
    "Answer",
    "Hidden checks",
    "Rubric",
    "Grading notes",
    "Parameters",
)
#: Older names still read, as the section they now are: ``## Checks`` were hidden checks
#: before code exercises had public ones.
SECTION_SYNONYMS = {"Checks": "Hidden checks"}
REQUIRED_SECTIONS = {
    "multiple-choice": ("Question", "Choices", "Solution"),
    "code": ("Question", "Starter", "Solution", "Hidden checks"),
}
DEFAULT_REQUIRED = ("Question", "Solution")
#: Sections only one kind may have.
KIND_ONLY_SECTIONS = {
    "Choices": "multiple-choice",
    "Starter": "code",
    "Public checks": "code",
    "Hidden checks": "code",
    # An answer a machine can mark (content.parse_answer), so quiz systems grade it themselves.
    "Answer": "short-answer",
}
#: A code exercise's python blocks, in the order a program runs them (one block each).
CODE_SECTIONS = ("Starter", "Solution", "Public checks", "Hidden checks")
#: Sections students see: the question, its choices, the starter code and the public checks.
STUDENT_SECTIONS = ("Question", "Choices", "Starter", "Public checks")
#: Sections whose text only instructors may see.
SECRET_SECTIONS = ("Solution", "Answer", "Hidden checks", "Rubric", "Grading notes", "Parameters")
