"""The look every figure shares: sizes, fonts and a colour-blind-safe palette.

Figure scripts call ``new_figure()`` instead of ``plt.subplots()`` so that all
figures have the same width in print, the same font sizes and the same
colours. Editing this file redraws every figure.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

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


def diagram(height: float, xlim: tuple[float, float], ylim: tuple[float, float], width: float = TEXT_WIDTH_IN):
    """A figure whose axes are a drawing board for boxes and arrows: equal units, no axes."""
    fig, ax = new_figure(height=height, width=width)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def box(ax, centre, width, height, label, colour, *, fontsize=8.5, alpha=0.25, rounding=0.12, **text):
    """A rounded box centred on ``centre``: a light fill of ``colour`` under a thin black outline."""
    x, y = centre
    corner = (x - width / 2, y - height / 2)
    style = f"round,pad=0,rounding_size={rounding}"
    ax.add_patch(FancyBboxPatch(corner, width, height, boxstyle=style, facecolor=PALETTE[colour],
                                alpha=alpha, edgecolor="none"))
    ax.add_patch(FancyBboxPatch(corner, width, height, boxstyle=style, facecolor="none",
                                edgecolor=PALETTE["black"], linewidth=0.8))
    ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, **text)


def arrow(ax, start, end, **style):
    """A black arrow from ``start`` to ``end``; ``style`` overrides FancyArrowPatch's settings."""
    settings = {"arrowstyle": "-|>", "mutation_scale": 12, "color": PALETTE["black"],
                "linewidth": 1.0, "shrinkA": 2, "shrinkB": 2}
    settings.update(style)
    ax.add_patch(FancyArrowPatch(start, end, **settings))
