"""Code blocks coloured here, with Pygments, in the colours Typst's own highlighter gives them.

Typst's highlighter took half the time of compiling the book (2 s of 4); Pygments colours the
same blocks in a fraction of that, and once per process for a block that several editions share.
The template prints each line's runs in place of the line of a raw block without a language, so
the block is still raw: its style, its tags and its text are the same. Where a Pygments token
alone does not say what Typst's grammar sees (a call, an f-string's field, a base class, a
decorator's arguments), the token's neighbours do; on this book's blocks the colours differ from
Typst's in about one character in a thousand (a regular expression inside a raw string).
"""

from __future__ import annotations

from functools import cache

from pygments.lexers import get_lexer_by_name
from pygments.token import Token

from textbook.typst import markup

#: Languages coloured here, by Typst's names; any other is left to Typst's highlighter.
LANGUAGES = frozenset({"python", "json", "yaml"})

#: Pygments token types and the kind of each, as the template's ``code-colours`` names them;
#: the first that contains a token gives its kind.
_KINDS = (
    (Token.Comment, "comment"), (Token.Literal.String.Doc, "comment"),
    (Token.Literal.String.Escape, "escape"), (Token.Literal.String.Affix, "keyword"),
    (Token.Literal.String.Interpol, "field"), (Token.Literal.String, "string"),
    (Token.Literal.Scalar, "string"), (Token.Literal.Number, "number"),
    (Token.Keyword, "keyword"), (Token.Operator, "keyword"), (Token.Name.Builtin.Pseudo, "keyword"),
    (Token.Name.Decorator, "annotation"), (Token.Name.Tag, "function"), (Token.Name.Function, "function"),
    (Token.Name.Class, "function"), (Token.Name.Builtin, "function"), (Token.Name.Exception, "function"),
    (Token.Name.Variable.Magic, "function"),
)


def _kind(token, value: str, before: str, after: str, language: str) -> str | None:
    """A token's kind from its type and the tokens either side: ``.`` and ``->`` are punctuation,
    a name before ``(`` is called, ``_`` is a keyword; a YAML value is a string."""
    if token in Token.Operator and (value == "." or (value, after) == ("-", ">") or (before, value) == ("-", ">")):
        return None
    if token in Token.Name and value == "_":
        return "keyword"
    if language == "yaml" and token in Token.Name.Variable:
        return "string"
    kind = next((kind for kinds, kind in _KINDS if token in kinds), None)
    return "function" if kind is None and token in Token.Name and after.startswith("(") else kind


class _Reader:
    """Kinds that depend on what came before: inside an f-string's field a name is the field's
    colour and its format spec a number's; a class's bases are the field's colour; a decorator's
    name and arguments are its own colour; ``self`` among a function's parameters is a plain name."""

    def __init__(self):
        self.fields = []  # the open f-string fields, each True once in its format spec
        self.context = None  # "bases", "parameters" or "decorator", until its parentheses close
        self.parens = 0

    def kind(self, token, value: str, kind: str | None, after: str) -> str | None:
        if token in Token.Literal.String.Interpol:
            return self._field(value)
        if self.fields:
            return "number" if self.fields[-1] and token in Token.Literal.String else kind or "field"
        if token in Token.Name.Decorator:
            self.context, self.parens = "decorator", 0
        elif after == "(" and (token in Token.Name.Class or token in Token.Name.Function):
            self.context, self.parens = "bases" if token in Token.Name.Class else "parameters", 0
        elif self.context:
            return self._inside(token, value, kind)
        return kind

    def _field(self, value: str) -> str:
        if value.startswith("{"):
            self.fields.append(False)
        elif value == ":" and self.fields:
            self.fields[-1] = True
            return "number"
        if value.endswith("}") and self.fields:
            self.fields.pop()
        return "field"

    def _inside(self, token, value: str, kind: str | None) -> str | None:
        context = self.context
        if "\n" in value and self.parens == 0:
            self.context = None
        elif value == "(":
            self.parens += 1
        elif value == ")":
            self.parens -= 1
            if self.parens == 0 and context != "decorator":
                self.context = None
        if context == "decorator" and (kind is None or (self.parens == 0 and kind == "function")):
            return "annotation"
        if context == "bases" and kind is None and token in Token.Name:
            return "field"
        if context == "parameters" and token in Token.Name.Builtin.Pseudo:
            return None
        return kind


@cache
def _lexer(language: str):
    return get_lexer_by_name(language, stripnl=False, ensurenl=False)


def lines(language: str, code: str) -> list[list[tuple[str, str | None]]]:
    """The lines of ``code``, each as runs of text and its kind (None: the text's own colour). A
    space joins the run before it, where its colour is not seen: fewer runs, less to lay out."""
    tokens = list(_lexer(language).get_tokens(code))
    reader, result, before = _Reader(), [[]], ""
    for index, (token, value) in enumerate(tokens):
        after = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        kind = reader.kind(token, value, _kind(token, value, before, after, language), after)
        for number, piece in enumerate(value.split("\n")):
            if number:
                result.append([])
            runs = result[-1]
            if runs and (runs[-1][1] == kind or not piece.strip()):
                runs[-1] = (runs[-1][0] + piece, runs[-1][1])
            elif piece:
                runs.append((piece, kind))
        before = value
    return result


@cache
def code_block(language: str, code: str) -> str:
    """The template's ``code-block`` call printing ``code`` coloured (kept: the editions share blocks)."""
    written = ", ".join(_line(runs) for runs in lines(language, code))
    return f"#code-block({markup.string(code)}, ({written},))"


def _line(runs: list[tuple[str, str | None]]) -> str:
    pieces = [markup.string(text) if kind is None else f"hl({markup.string(kind)}, {markup.string(text)})" for text, kind in runs]
    return "{" + "; ".join(pieces) + "}" if pieces else "[]"
