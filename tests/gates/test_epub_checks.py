"""EPUBCheck in the build server's kept Java reports as a fresh Java does."""

from pathlib import Path
from zipfile import ZipFile

from textbook.core import build_server
from textbook.gates import epub_checks

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">
<rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>"""
PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata/></package>"""


def _broken_epub(folder, name):
    """An EPUB without a mimetype, whose package document lists nothing: errors for EPUBCheck."""
    book = folder / name
    with ZipFile(book, "w") as planted:
        planted.writestr("META-INF/container.xml", CONTAINER)
        planted.writestr("content.opf", PACKAGE)
    return book


def _children(pid: int) -> list[str]:
    """What the processes started by ``pid`` run, by the last word of their command line."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if parent == pid:
            found.append(Path(next(word for word in reversed(command) if word).decode()).name)
    return found


def test_epubcheck_in_the_build_server_finds_what_a_fresh_java_finds(build_server_on, tmp_path, monkeypatch):
    first, second = _broken_epub(tmp_path, "first.epub"), _broken_epub(tmp_path, "second.epub")
    served = [epub_checks.check_epub(book, tmp_path, build_server_on) for book in (first, second)]
    server = build_server.status(build_server_on)
    assert server["calls"] == 2, "both checked in the server"
    assert _children(server["pid"]) == ["EpubCheckLoop.java"], "by the one Java it keeps"
    monkeypatch.setenv("TEXTBOOK_BUILD_SERVER", "off")
    fresh = epub_checks.check_epub(first, tmp_path, build_server_on)
    assert served[0].problems and served[0].problems == fresh.problems and served[0].summary == fresh.summary
    assert served[1].problems == [problem.replace("first.epub", "second.epub") for problem in fresh.problems]
