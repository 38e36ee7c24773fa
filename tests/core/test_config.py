"""The course's settings: declared once, read from conf.py with or without Sphinx, documented."""

from pathlib import Path

import pytest

from textbook.core import config
from textbook.core.config import ConfigError, ProjectConfig
from textbook.core.layout import Layout

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def _project(tmp_path: Path, conf: str) -> Path:
    (tmp_path / "conf.py").write_text('project = "Data 101"\n' + conf)
    return tmp_path


def test_defaults_name_the_documented_layout(tmp_path):
    project = ProjectConfig.read(_project(tmp_path, ""))
    assert project.chapters_dir == tmp_path.resolve() / "book"
    assert (project.course_code, project.exams) == ("_course", "exams")
    assert project.cache_dir == tmp_path.resolve() / "_build" / "cache"
    assert (project.first_number, project.paper, project.language, project.name) == (0, "a4", "en", "Data 101")


@pytest.mark.parametrize(("conf", "figure_format"), [
    ('numfig_format = {"figure": "Figure %s", "table": "Table %s"}\n', "Figure %s"),
    ('numfig_format = {"table": "Table %s"}\n', ""),  # Sphinx's own, in the book's language
    ('numfig_format = "Figure %s"\n', ""),  # Sphinx names the wrong type when it reads conf.py
])
def test_the_figures_label_is_read_from_sphinx_s_numfig_format(tmp_path, conf, figure_format):
    assert ProjectConfig.read(_project(tmp_path, conf)).figure_format == figure_format


def test_every_folder_follows_conf_py(tmp_path):
    root = _project(tmp_path, 'textbook_chapters = "src/chapters"\ntextbook_exercises = "bank"\n'
                              'textbook_figures = "art"\ntextbook_build = "out"\ntextbook_exams = "tests-for-students"\n')
    layout = Layout(root)
    assert layout.source == root.resolve() / "src" / "chapters"
    assert layout.exercises == root.resolve() / "bank"
    assert layout.figures == root.resolve() / "art"
    assert layout.project.exams == "tests-for-students"  # named in exam-file messages
    assert layout.html == root.resolve() / "out" / "html"


@pytest.mark.parametrize(("line", "message"), [
    ("textbook_first_number = '1'", r"conf\.py: textbook_first_number is '1'; it must be int"),
    ("textbook_paper = 'b5'", r"conf\.py: textbook_paper is 'b5'; use one of 'a4', 'letter'"),
    ("textbook_chapters = 3", r"conf\.py: textbook_chapters is 3; it must be str"),
    ("textbook_html_url = 'example.org/book'", r"conf\.py: textbook_html_url is 'example\.org/book'; give .* https://"),
])
def test_a_wrong_setting_names_conf_py_and_what_it_must_be(tmp_path, line, message):
    with pytest.raises(ConfigError, match=message):
        ProjectConfig.read(_project(tmp_path, line + "\n"))


def test_the_readme_documents_every_setting():
    assert config.documentation() in README.read_text()
