"""The heights of the units print keeps on one page, kept between builds.

The template's ``keep`` measures a unit (an exercise's opening, a section's
heading and first lines) to decide whether it fits on the page: Typst lays
the unit out once more to measure it, nearly half the time of printing a
book. Its height depends on the unit's source and on what every unit of the
document shares (the template, the document's kind and paper, the images,
the Typst version), never on where it lands. So the translator names each
unit by a digest of its source (``TypstTranslator._close_unit``), Typst reports
the height of each unit it measured (``<keep-measured>``), and the next build
gives ``keep`` the heights known for its document (``<stem>.heights.json``,
beside its source): after an edit, only the units that changed are measured.
The PDF is the same byte for byte whether a height was measured or given.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

#: What is kept, in the print folder: per document, its opening and its units' heights.
STORE = ".kept-heights.json"
#: Beside a document's source, the heights its units are given.
GIVEN = ".heights.json"
#: The lines that open a document's source, naming its kind and settings (``TypstBuilder.opening``).
OPENING_LINES = 3
#: A unit's key, where the translator writes its ``keep``.
UNIT_KEY = re.compile(r'#keep\(key: "([0-9a-f]{16})"')


def given_file(source: Path) -> str:
    """The name of the file that gives ``source``'s units their heights, beside it."""
    return f"{source.stem}{GIVEN}"


class KeptHeights:
    """The heights kept in ``outdir`` for everything its documents share (``shared``: a digest of
    the template and the images), each document's while its opening is the same."""

    def __init__(self, outdir: Path, shared: str):
        self.file = outdir / STORE
        self.version = f"{shared}|typst {version('typst')}"
        try:
            kept = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}  # none yet, or half written by a build that was killed
        self.documents: dict[str, dict] = kept.get("documents", {}) if kept.get("version") == self.version else {}

    def give(self, source: Path) -> bool:
        """Write the heights known for ``source``'s units beside it; whether some unit is not known,
        and so is measured."""
        text = source.read_text(encoding="utf-8")
        opening, keys = "\n".join(text.split("\n", OPENING_LINES)[:OPENING_LINES]), set(UNIT_KEY.findall(text))
        kept = self.documents.get(source.stem, {})
        known = kept.get("heights", {}) if kept.get("opening") == opening else {}
        # those of units gone are dropped; sorted, so that the same heights make the same file (a
        # set's order changes with each process): a build server's Typst then reads nothing new
        given = {key: known[key] for key in sorted(keys & known.keys())}
        (source.parent / given_file(source)).write_text(json.dumps(given), encoding="utf-8")
        self.documents[source.stem] = {"opening": opening, "heights": given}
        return len(given) < len(keys)

    def learn(self, source: Path, measured: str) -> None:
        """Keep the heights Typst reports it measured in ``source`` (``<keep-measured>``, as JSON); a
        key measured at two heights (the same source in two places that lay it out differently) is not kept."""
        heights: dict[str, set[float]] = defaultdict(set)
        for unit in json.loads(measured):
            heights[unit["key"]].add(unit["height"])
        known = self.documents[source.stem]["heights"]
        known |= {key: found.pop() for key, found in heights.items() if len(found) == 1}

    def save(self) -> None:
        self.file.write_text(json.dumps({"version": self.version, "documents": self.documents}), encoding="utf-8")
