"""Execute the chapters that need it before Sphinx reads them: every core busy, longest first.

MyST-NB executes a chapter while Sphinx reads it. With ``-j`` Sphinx reads
in parallel, but it cuts the sorted list of documents into fixed chunks, so
one process may get the three slowest chapters while the other idles. Here,
once Sphinx knows which documents it will read (``env-before-read-docs``),
every chapter whose code is not in the execution cache is executed in a pool
of one worker per core, the chapter expected to take longest first (its last
execution time, from the cache). Each result goes into the cache exactly as
MyST-NB would put it there, so when Sphinx reads the chapter MyST-NB finds it
cached. A chapter that fails here is left out of the cache: MyST-NB then
executes it again and reports the failure with its traceback, as always.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.cache.db import NbProjectRecord
from myst_nb.core.read import create_nb_reader
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from textbook.execution import course_code

logger = logging.getLogger(__name__)


@dataclass
class Stale:
    docname: str
    path: Path
    notebook: nbformat.NotebookNode
    read_fmt: dict | None
    expected_seconds: float


def _expected_seconds(cache, path: Path, notebook: nbformat.NotebookNode) -> float:
    """The scheduling weight: how long the chapter took when it last ran, or, never run,
    the amount of its code (a rough guess, in characters, counted as milliseconds)."""
    durations = [
        record.data.get("execution_seconds") or 0.0
        for record in cache.list_cache_records()
        if record.uri == str(path)
    ]
    if durations:
        return max(durations)
    return sum(len(cell.source) for cell in notebook.cells if cell.cell_type == "code") / 1000


def stale_notebooks(env: BuildEnvironment, docnames: list[str]) -> list[Stale]:
    config = env.mystnb_config
    cache = get_cache(config.execution_cache_path)
    package = course_code.shared_package(env.srcdir, env.config)
    stale = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        # As MyST-NB will read it, after ``source-read`` (see course_code).
        text = course_code.with_package_digest(path.read_text(encoding="utf-8"), package)
        reader = create_nb_reader(str(path), env.myst_config, config, text)
        if reader is None:
            continue  # a plain Markdown page, nothing to execute
        notebook = reader.read(text)
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            stale.append(Stale(docname, path, notebook, reader.read_fmt, _expected_seconds(cache, path, notebook)))
    return stale


def _execute(item: Stale, config) -> tuple[nbformat.NotebookNode | None, float]:
    """Run one notebook in a worker process; (executed notebook or None on failure, seconds)."""
    with tempfile.TemporaryDirectory(prefix="execute-ahead-") as folder:
        given, result = Path(folder) / "in.ipynb", Path(folder) / "out.json"
        nbformat.write(item.notebook, given)
        # The working directory MyST-NB would give it: a fresh temporary one, or the chapter's.
        cwd = Path(folder) / "cwd" if config.execution_in_temp else item.path.parent
        cwd.mkdir(exist_ok=True)
        timeout, allow_errors = config.execution_timeout, config.execution_allow_errors
        subprocess.run(
            [sys.executable, "-m", "textbook.execution.execute_worker", str(given), str(result), str(cwd), str(timeout),
             "1" if allow_errors else "0"],
            capture_output=True,
            env=os.environ.copy(),
        )
        if not result.exists():
            return None, 0.0
        outcome = json.loads(result.read_text())
        if not outcome["ok"]:
            return None, outcome["seconds"]
        return nbformat.reads(json.dumps(outcome["notebook"]), as_version=4), outcome["seconds"]


def execute_ahead(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    config = env.mystnb_config
    if config.execution_mode != "cache" or not docnames:
        return
    stale = stale_notebooks(env, docnames)
    workers = min(len(stale), os.cpu_count() or 1)
    if workers < 2:
        return  # one chapter (or none) to run: MyST-NB runs it while reading, as well as we could
    stale.sort(key=lambda item: item.expected_seconds, reverse=True)
    logger.info("executing %d chapters ahead of reading, %d at a time: %s",
                len(stale), workers, ", ".join(item.docname for item in stale))
    cache = get_cache(config.execution_cache_path)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = pool.map(lambda item: _execute(item, config), stale)
        for item, (executed, seconds) in zip(stale, runs):
            if executed is None:
                logger.info("%s: failed ahead of reading; it runs again while read", item.docname)
                continue
            # Cached as MyST-NB caches a notebook it executed (see its NotebookClientCache).
            record = cache.add_nb_to_project(str(item.path), read_data=item.read_fmt)
            NbProjectRecord.remove_tracebacks([record.pk], cache.db)
            cache.cache_notebook_bundle(
                CacheBundleIn(executed, record.uri, data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            logger.info("%s: executed in %.1f s", item.docname, seconds)
