"""``textbook proof``: every page of every PDF edition on contact sheets.

Layout faults (a lonely heading, a half-empty page, a split box) show at a
glance when the pages lie side by side, so each published PDF is rendered at
low resolution with Poppler's ``pdftoppm`` and its pages tiled, eight to an
image, into ``_build/proof/<edition>/<pdf>-NN.png``. An author reads a whole
edition in a minute. It reads the published PDFs and builds nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from textbook.core import toolchain
from textbook.core.layout import Layout

TOOLS = (toolchain.POPPLER,)  # pdftoppm renders the pages
PAGES_PER_SHEET = 8
COLUMNS = 4
DPI = 40
GAP = 12  # pixels between pages and around the sheet; each page is outlined
LABEL = 14  # pixels above each page for its number


def edition_pdfs(layout: Layout) -> dict[str, list[Path]]:
    """The published PDFs of each PDF edition, as ``textbook build`` left them."""
    found = {edition: sorted(p for path in layout.published(edition) for p in _pdfs(path))
             for edition in ("pdf", "handouts", "workbook", "key")}
    return {edition: pdfs for edition, pdfs in found.items() if pdfs}


def _pdfs(path: Path) -> list[Path]:
    if path.is_dir():
        return list(path.glob("*.pdf"))
    return [path] if path.is_file() else []


def render_pages(pdf: Path, folder: Path, dpi: int = DPI) -> list[Path]:
    """Each page of ``pdf`` as a PNG in ``folder``, in page order."""
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def contact_sheet(pages: list[Path], first_number: int) -> Image.Image:
    """Up to ``PAGES_PER_SHEET`` page images in a grid, each outlined and numbered."""
    images = [Image.open(page).convert("RGB") for page in pages]
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    rows = -(-len(images) // COLUMNS)
    sheet = Image.new("RGB", (GAP + COLUMNS * (width + GAP), GAP + rows * (height + LABEL + GAP)), "#b0b0b0")
    draw = ImageDraw.Draw(sheet)
    for index, image in enumerate(images):
        x = GAP + (index % COLUMNS) * (width + GAP)
        y = GAP + (index // COLUMNS) * (height + LABEL + GAP)
        draw.text((x, y), f"page {first_number + index}", fill="black")
        sheet.paste(image, (x, y + LABEL))
        draw.rectangle((x - 1, y + LABEL - 1, x + image.width, y + LABEL + image.height), outline="black")
    return sheet


def proof_pdf(pdf: Path, target: Path) -> list[Path]:
    """Contact sheets of ``pdf`` in ``target``, named after it: ``<stem>-01.png``, ..."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob(f"{pdf.stem}-[0-9][0-9].png"):
        old.unlink()
    sheets = []
    with tempfile.TemporaryDirectory() as scratch:
        pages = render_pages(pdf, Path(scratch))
        for start in range(0, len(pages), PAGES_PER_SHEET):
            sheet = target / f"{pdf.stem}-{start // PAGES_PER_SHEET + 1:02d}.png"
            contact_sheet(pages[start : start + PAGES_PER_SHEET], start + 1).save(sheet)
            sheets.append(sheet)
    return sheets


def proof(layout: Layout, log=print) -> dict[str, list[Path]]:
    """Contact sheets of every published PDF edition under ``_build/proof/<edition>/``."""
    editions = edition_pdfs(layout)
    if not editions:
        raise FileNotFoundError(f"no PDF edition under {layout.pdf}; run 'textbook build' first")
    shutil.rmtree(layout.build / "proof", ignore_errors=True)
    made = {}
    for edition, pdfs in editions.items():
        folder = layout.build / "proof" / edition
        made[edition] = [sheet for pdf in pdfs for sheet in proof_pdf(pdf, folder)]
        log(f"  {edition:<9} {len(pdfs)} PDF(s), {len(made[edition])} sheet(s) in {folder.relative_to(layout.root)}")
    return made
