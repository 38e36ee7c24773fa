"""Printed text merged as it was printed, whatever pieces the kernel sent it in.

A kernel sends what a cell prints in pieces cut by time (ipykernel flushes its
buffer on a timer), so one ``print("zeros:", n)`` may arrive as ``"zeros:"``
and ``" 7\\n"``. MyST-NB's ``coalesce_streams`` strips each piece and ends it
with a newline, so that line prints as two in one build and as one in the
next. Here the pieces of each stream are joined first, exactly; MyST-NB's
function then sees one piece per stream and does the rest as before
(carriage returns, backspaces, stdout before stderr).
"""

from __future__ import annotations

import copy

from myst_nb.core import render, utils
from nbformat import NotebookNode

from textbook.core import patches

_myst_nb_coalesce = utils.coalesce_streams


def coalesce_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    joined: list[NotebookNode] = []
    streams: dict[str, NotebookNode] = {}
    for output in outputs or []:
        if output["output_type"] == "stream" and output["name"] in streams:
            streams[output["name"]]["text"] += output["text"]
            continue
        if output["output_type"] == "stream":
            output = streams[output["name"]] = copy.copy(output)
        joined.append(output)
    return _myst_nb_coalesce(joined)


def merge_streams_exactly() -> None:
    """Make MyST-NB's pages use ``coalesce_streams`` (it imported its own by name)."""
    patches.replace(render, "coalesce_streams", coalesce_streams)
