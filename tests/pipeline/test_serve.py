"""``textbook serve``: a saved edit reaches the served page, rebuilt in a forked process."""

import asyncio
import socket
import subprocess
import sys
import time
import urllib.request
from http.client import HTTPException
from pathlib import Path

from textbook.pipeline.serve import UnmeasuredInjector



def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _page_shows(url: str, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8", "replace"):
                    return True
        except (OSError, HTTPException):
            pass
        time.sleep(0.1)
    return False


def test_a_saved_edit_is_served_and_a_broken_one_keeps_the_preview_running(tmp_path, tiny_project):
    root = tiny_project
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "textbook.cli", "serve", "--port", str(port)],
                              cwd=root, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    page = f"http://127.0.0.1:{port}/00-run.html"
    chapter = root / "book" / "00-run.md"
    try:
        assert _page_shows(page, "total = 45", timeout=180), "the first build is served"
        chapter.write_text(chapter.read_text() + "\nA sentence saved while serving.\n")
        assert _page_shows(page, "A sentence saved while serving.", timeout=60)
        chapter.write_text(chapter.read_text() + "\n```{nonexistent-directive}\n```\n")
        time.sleep(3)
        chapter.write_text(chapter.read_text().replace("```{nonexistent-directive}\n```\n", "") + "\nFixed again.\n")
        assert _page_shows(page, "Fixed again.", timeout=60), "the preview survives a broken save"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in output, output


def test_a_page_that_grows_while_it_is_sent_is_sent_whole_without_a_declared_length():
    """The server declared the length it saw at ``stat``; Sphinx then wrote more."""
    page = b"<html><body>rewritten while served, longer now</body></html>"

    async def file_response(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", b"12")]})  # fmt: skip
        await send({"type": "http.response.body", "body": page, "more_body": False})

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/00-run.html", "headers": []}
    asyncio.run(UnmeasuredInjector(file_response, ws_url="127.0.0.1:8000")(scope, None, send))
    start, body = sent
    assert not [value for name, value in start["headers"] if name.lower() == b"content-length"]
    assert body["body"].startswith(page) and b"websocket-reload" in body["body"], "the reload script is still added"
