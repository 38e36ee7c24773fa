"""The look every figure shares: sizes, fonts and a colour-blind-safe palette.

Figure scripts call ``new_figure()`` instead of ``plt.subplots()`` so that all
figures have the same width in print, the same font sizes and the same
colours. Editing this file redraws every figure.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

#: Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#6E6E6E",
}

#: Width of the printed text block in inches (A4, Sphinx's default margins).
TEXT_WIDTH_IN = 6.0

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.05,
    "figure.dpi": 100,
    "svg.fonttype": "path",
}


def new_figure(height: float = 3.2, width: float = TEXT_WIDTH_IN, **subplot_kw):
    """A figure and axes in the house style; ``height`` and ``width`` in inches."""
    plt.rcParams.update(_RC)
    return plt.subplots(figsize=(width, height), **subplot_kw)
