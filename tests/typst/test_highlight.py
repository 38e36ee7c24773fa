"""Code coloured in Python as Typst's highlighter colours it, printed as the raw block's own lines."""

import shutil

import pikepdf
import typst
from pypdf import PdfReader

from textbook.typst.builder import TEMPLATE
from textbook.typst.highlight import code_block, lines

CODE = '''@app.get("/health", status_code=200)
class Model(BaseModel):
    def run(self, rows: int = 2) -> str:
        """Doc."""
        return f"{len(rows):.3f} {self.name}"  # done
'''


def _kind(needle: str, after: str = "") -> str | None:
    """The kind of the run that the first ``needle`` (after the first ``after``) in ``CODE`` starts in."""
    start = CODE.index(needle, CODE.index(after) if after else 0)
    runs = [run for line in lines("python", CODE) for run in [*line, ("\n", None)]]
    for text, kind in runs:
        if start < len(text):
            return kind
        start -= len(text)


def test_kinds_follow_typsts_grammar_where_the_token_alone_does_not_tell():
    assert _kind("@app") == _kind("get") == _kind("status_code") == "annotation"  # a decorator and its arguments
    assert _kind('"/health"') == "string" and _kind("200") == "number"
    assert _kind("BaseModel") == "field"  # a base class
    assert _kind("self") is None and _kind("self", "return") == "keyword"  # a parameter, else a keyword
    assert _kind("len") == "function" and _kind("rows", "len") == "field"  # inside an f-string's field ...
    assert _kind(":", "rows)") == _kind(".3f") == "number"  # ... and its format spec
    assert _kind('"""Doc') == _kind("# done") == "comment"
    assert _kind("->") is None and _kind("= 2") == "keyword" and _kind("run(") == "function"


def test_a_line_is_runs_of_the_code_itself_with_spaces_joined_to_the_run_before():
    runs = lines("python", "x = run(1)\n\n")
    assert runs == [[("x ", None), ("= ", "keyword"), ("run", "function"), ("(", None), ("1", "number"), (")", None)],
                    [], []]
    assert ["".join(text for text, _ in line) for line in runs] == "x = run(1)\n\n".split("\n")


def test_a_coloured_block_is_a_tagged_raw_block_of_the_same_text(tmp_path):
    shutil.copyfile(TEMPLATE, tmp_path / TEMPLATE.name)
    source = tmp_path / "code.typ"
    source.write_text(f'#import "{TEMPLATE.name}": *\n#show: edition.with(title: "Code")\n{code_block("python", CODE)}\n',
                      encoding="utf-8")
    typst.compile(source, output=tmp_path / "code.pdf", root=tmp_path, pdf_standards=["ua-1"],
                  ignore_system_fonts=True)
    printed = PdfReader(tmp_path / "code.pdf").pages[0].extract_text().splitlines()[:-1]  # the page number last
    assert [line.split() for line in printed] == [line.split() for line in CODE.splitlines()]
    with pikepdf.open(tmp_path / "code.pdf") as pdf:
        assert "/Code" in {str(tag.S) for tag in _tags(pdf.Root.StructTreeRoot)}


def _tags(element):
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _tags(kid)
