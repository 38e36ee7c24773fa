"""The web gate: the HTML edition in a real browser, offline.

The site is served on a loopback HTTP server and every page is opened in
headless Chromium (Debian's ``chromium``, driven by Playwright). A page
passes when, while it loads, nothing is logged as a console error, no
request fails, nothing is fetched from outside this machine (the network is
cut off: a book must work offline), every image loads and has alt text,
every internal link and anchor resolves, and axe-core (the script shipped in
the ``axe-playwright-python`` package) finds no accessibility violation,
whatever its impact (minor ones included), and no math shows as its LaTeX
source: a formula element without a drawing, or ``$$`` or a math command
(``\\frac``, ``\\mathrm``...) in text outside code. A reader sees one search box
(at a desktop's width and a phone's), and a table's column of numbers aligned
on the right. A search for a known term must find it.

Failed requests are read from the server's side, so a request the page's
events miss counts too. Every page must have a favicon that loads: without
one, a browser asks for ``/favicon.ico`` on every page load. (Chromium makes
no favicon request while requests are intercepted, as they are here to keep
the network cut, so the gate checks the page's icon itself.)
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from textbook.core import toolchain
from textbook.sphinx_ext.numeric_columns import NUMBER

#: The system tools the gate needs (``textbook setup web-gate`` installs them).
TOOLS = (toolchain.CHROMIUM,)
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: A phone's width in CSS pixels (an iPhone's 390 x 844), at which labels must not break inside a word.
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
#: axe-core rules that are off by default but that this book must pass.
EXTRA_AXE_RULES = ("label-content-name-mismatch",)


@dataclass
class PageReport:
    page: str
    problems: list[str] = field(default_factory=list)


@dataclass
class SiteReport:
    pages: list[PageReport] = field(default_factory=list)
    images: int = 0
    links: int = 0
    search_hits: int = 0

    @property
    def problems(self) -> list[str]:
        return [f"{p.page}: {problem}" for p in self.pages for problem in p.problems]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Logs nothing; notes every request answered with an error in ``failed``."""

    def __init__(self, *args, failed: list[str], **kwargs):
        self.failed = failed
        super().__init__(*args, **kwargs)

    def log_request(self, code="-", size="-") -> None:
        if str(code).isdigit() and int(code) >= 400:
            self.failed.append(f"HTTP {int(code)}: {self.path}")

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path, failed: list[str] | None = None) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yield the base URL. Requests answered
    with an error are appended to ``failed``."""
    handler = functools.partial(_QuietHandler, directory=str(folder), failed=[] if failed is None else failed)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise FileNotFoundError("chromium is not installed; run 'textbook setup web-gate'")
    return path


def axe_script() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


#: LaTeX math commands that prose outside code never shows: seen as text, a formula was not drawn.
MATH_SOURCE = (
    r"\$\$|\\(?:frac|dfrac|mathrm|mathbf|mathcal|mathbb|operatorname|sqrt|sum|prod|int|left|right|begin\{|end\{"
    r"|hat|bar|cdot|times|leq|geq|approx|alpha|beta|gamma|mu|sigma|lambda|theta|log|exp)(?![A-Za-z])"
)

_PAGE_STATE = """([mathSource]) => ({
  ids: Array.from(document.querySelectorAll('[id]'), e => e.id),
  images: Array.from(document.images, img => ({
    src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
    alt: img.getAttribute('alt')})),
  links: Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href')),
  icons: Array.from(document.querySelectorAll('link[rel~="icon"]'), l => l.href),
  rawMath: (() => {
    const shown = [], pattern = new RegExp(mathSource);
    for (const el of document.querySelectorAll('.math')) {
      if (!el.matches('img, svg, math') && !el.querySelector('img, svg, math, mjx-container'))
        shown.push(el.textContent.trim());
    }
    const outsideCode = {acceptNode: n => n.parentElement.closest('pre, code, script, style, textarea, .math')
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, outsideCode);
    while (walker.nextNode()) {
      if (pattern.test(walker.currentNode.textContent)) shown.push(walker.currentNode.textContent.trim());
    }
    return shown.map(text => text.slice(0, 80));
  })(),
})"""

#: Labels a reader scans: a word of one cut in two reads as two. Hyphens and slashes may break a word.
_BROKEN_LABELS = """() => {
  const broken = [];
  for (const label of document.querySelectorAll('dt, th, caption, figcaption, legend, label, summary, .admonition-title')) {
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const text = walker.currentNode, words = /[^\\s\\-\u2010-\u2014\\/]+/g;
      for (let match; (match = words.exec(text.data)) !== null;) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const tops = [];
        for (const rect of range.getClientRects()) {
          if (rect.width > 0 && !tops.some(top => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top);
        }
        if (tops.length > 1) broken.push({word: match[0], label: label.textContent.trim().slice(0, 60),
          tag: label.tagName.toLowerCase()});
      }
    }
  }
  return broken;
}"""

#: Search boxes a reader sees: fields and the buttons that open one; one inside another counts once.
_SEARCH_BOXES = """() => {
  const boxes = Array.from(document.querySelectorAll(
    'input[type="search"], form[action*="search"] input[name="q"], [role="search"] input, .search-button__button'))
    .filter(el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden');
  return boxes.filter(el => !boxes.some(other => other !== el && other.contains(el))).length;
}"""

#: Table columns whose body cells are all numbers, with a cell not aligned on the right.
_NUMBER_COLUMNS = """(numberPattern) => {
  const number = new RegExp('^(?:' + numberPattern + ')$'), found = [];
  for (const table of document.querySelectorAll('table')) {
    const rows = Array.from(table.querySelectorAll(':scope > tbody > tr'), tr => Array.from(tr.cells));
    if (!rows.length || rows.some(row => row.some(cell => cell.colSpan > 1 || cell.rowSpan > 1))) continue;
    const width = Math.max(...rows.map(row => row.length));
    for (let column = 0; column < width; column++) {
      const cells = rows.map(row => row[column]).filter(cell => cell && cell.textContent.trim());
      const numbers = cells.filter(cell => /[0-9]/.test(cell.textContent) && number.test(cell.textContent.trim()));
      if (!cells.length || numbers.length < cells.length) continue;
      const left = cells.find(cell => !['right', 'end'].includes(getComputedStyle(cell).textAlign));
      if (left) {
        const head = table.querySelector(':scope > thead > tr:last-child');
        const title = head && head.cells[column] ? head.cells[column].textContent.trim() : '';
        found.push({column: column + 1, title: title.slice(0, 40), cell: left.textContent.trim().slice(0, 20)});
      }
    }
  }
  return found;
}"""

_AXE_RUN = """async (rules) => {
  const options = {resultTypes: ['violations'], rules: {}};
  for (const rule of rules) options.rules[rule] = {enabled: true};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' '))}));
}"""


def _internal_target(page: str, href: str) -> tuple[str, str] | None:
    """(page, anchor) an internal link points to, or None for external and special links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
        return None
    path, anchor = urldefrag(href)
    if not path:
        return page, anchor
    target = (Path(page).parent / unquote(urlsplit(path).path)).as_posix()
    return str(Path(target)), anchor


def _refuse_outside(note):
    """A route handler (one parameter: Playwright passes as many as it takes) that cuts the network."""

    def refuse(route) -> None:
        note(f"fetches {route.request.url} from outside this machine (the book must work offline)")
        route.abort()

    return refuse


def _favicon_problems(page, base: str, icons: list[str]) -> list[str]:
    """The page's icons must load; a page that names none gets the site's ``/favicon.ico``."""
    missing = []
    for url in icons or [base + "favicon.ico"]:
        status = page.request.get(url).status
        if status >= 400:
            missing.append(f"favicon does not load (HTTP {status}): {url.removeprefix(base)}")
    return missing


def _search_boxes(page) -> list[str]:
    """More than one search box at the page's current width: readers wonder which one to use."""
    count = page.evaluate(_SEARCH_BOXES)
    width = page.viewport_size["width"]
    return [f"{count} search boxes at {width} px wide; keep one"] if count > 1 else []


def _unaligned_numbers(page) -> list[str]:
    """Columns of numbers not aligned on the right (units under thousands)."""
    return [
        f"a table's column {found['column']} ('{found['title']}') holds numbers but is not right-aligned "
        f"(cell '{found['cell']}')"
        for found in page.evaluate(_NUMBER_COLUMNS, NUMBER.pattern)
    ]


def _broken_labels(page) -> list[str]:
    """Labels that break inside a word on a phone (the page is left at that width)."""
    page.set_viewport_size({"width": PHONE_WIDTH, "height": PHONE_HEIGHT})
    return [
        f"at {PHONE_WIDTH} px wide, the label '{found['label']}' ({found['tag']}) breaks inside the word "
        f"'{found['word']}'; let its column fit its longest word, or wrap it between words only"
        for found in page.evaluate(_BROKEN_LABELS)
    ]


def check_site(folder: Path, search_term: str | None = None) -> SiteReport:
    """Open every ``.html`` page of ``folder`` in Chromium and report what is wrong."""
    from playwright.sync_api import sync_playwright

    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html") if "_static" not in p.parts)
    report = SiteReport()
    ids: dict[str, set[str]] = {}
    links: list[tuple[PageReport, str, str, str]] = []
    axe = axe_script()
    failed: list[str] = []  # by the server, for the page being checked
    with serve(folder, failed) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))
        context = browser.new_context()
        for name in pages:
            page_report = PageReport(name)
            report.pages.append(page_report)
            page = context.new_page()
            problems = page_report.problems
            watching = [True]  # off while axe runs: it fetches stylesheets itself

            def note(problem: str, problems=problems, watching=watching) -> None:
                if watching[0]:
                    problems.append(problem)

            page.route(lambda url: not url.startswith(base), _refuse_outside(note))
            page.on("console", lambda m, note=note: note(f"console error: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e, note=note: note(f"script error: {e}"))
            page.on("requestfailed", lambda r, note=note: note(f"request failed: {r.url}"))
            page.goto(base + name, wait_until="load")
            page.wait_for_load_state("networkidle")
            state = page.evaluate(_PAGE_STATE, [MATH_SOURCE])
            ids[name] = set(state["ids"])
            for image in state["images"]:
                report.images += 1
                if not image["loaded"]:
                    problems.append(f"image does not load: {image['src']}")
                if image["alt"] is None:
                    problems.append(f"image has no alt text: {image['src']}")
            problems += [f"math shown as its LaTeX source, not drawn: {text}" for text in state["rawMath"]]
            for href in state["links"]:
                target = _internal_target(name, href)
                if target:
                    links.append((page_report, href, *target))
            problems += failed
            failed.clear()
            problems += _favicon_problems(page, base, state["icons"])  # the server notes them again: cleared below
            watching[0] = False
            page.add_script_tag(content=axe)
            for violation in page.evaluate(_AXE_RUN, list(EXTRA_AXE_RULES)):
                problems.append(
                    f"accessibility ({violation['impact']}): {violation['id']}: {violation['help']} "
                    f"at {', '.join(violation['targets'][:3])}"
                )
            problems += _search_boxes(page) + _unaligned_numbers(page)
            problems += _broken_labels(page)
            problems += _search_boxes(page)  # the phone's layout has search boxes of its own
            page.close()
            failed.clear()  # axe's own fetches: it resolves stylesheet imports itself, not always as the browser
        if search_term:
            report.search_hits = _search(context, base, search_term, report)
        browser.close()
    for page_report, href, target, anchor in links:
        report.links += 1
        if target not in ids and not (folder / target).is_file():
            page_report.problems.append(f"dead link: {href}")
        elif anchor and target in ids and anchor not in ids[target]:
            page_report.problems.append(f"link to a missing anchor: {href}")
    return report


def _search(context, base: str, term: str, report: SiteReport) -> int:
    """Search the site for ``term`` with its own search page; return the number of hits."""
    page = context.new_page()
    page.route(lambda url: not url.startswith(base), lambda route: route.abort())
    page.goto(f"{base}search.html?q={term}", wait_until="load")
    try:
        page.wait_for_selector("#search-results ul.search li", timeout=5000)
    except Exception:  # playwright's TimeoutError: no result appeared
        pass
    hits = page.locator("#search-results ul.search li").count()
    page.close()
    if not hits:
        report.pages.append(PageReport("search.html", [f"searching for '{term}' finds nothing"]))
    return hits
