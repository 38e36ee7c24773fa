"""The tests of an ML system as a pyramid (module 07).

Four layers, from the many exact and fast tests of feature code at the
bottom to the few statistical tests of a trained model at the top. Each
layer names what it checks, and to its right, when it runs and what a
failure means. An arrow at the side reads from "exact, fast, many" to
"statistical, slower, few", so the figure reads the same without colour.
"""

from matplotlib.patches import Polygon

from _style import PALETTE, arrow, diagram

# (name, what it checks, when it runs, colour), from the bottom up
LAYERS = [
    ("Unit and property tests of feature code",
     "hand-computed values, contracts, laws (Hypothesis)",
     "runs on every commit, in ms\nfailure: a bug in the code", "green"),
    ("Data tests",
     "batch schema; split disjoint, stratified, hashed",
     "runs on every batch and training set\nfailure: bad data, or an outdated rule",
     "sky"),
    ("Behavioural tests",
     "invariance, directional, clear-cut cases",
     "runs on every trained model, in seconds\nfailure: behaviour an expert rejects",
     "orange"),
    ("Quality gates",
     "held-out AUC and recall,\nlower end of a 95% interval",
     "runs on every candidate, before the\nregistry; failure: too little evidence",
     "vermillion"),
]

BASE_HALF, TOP_HALF = 3.5, 1.65   # half widths of the pyramid's base and top
CENTRE_X, LAYER_H = 3.8, 0.9


def _half_width(y, height):
    return BASE_HALF + (TOP_HALF - BASE_HALF) * y / height


def draw():
    height = LAYER_H * len(LAYERS)
    fig, ax = diagram(height=3.1, xlim=(-0.6, 11.6), ylim=(-0.15, height + 0.15))
    for k, (name, checks, when, colour) in enumerate(LAYERS):
        y0, y1 = k * LAYER_H, (k + 1) * LAYER_H
        w0, w1 = _half_width(y0, height), _half_width(y1, height)
        corners = [(CENTRE_X - w0, y0), (CENTRE_X + w0, y0),
                   (CENTRE_X + w1, y1), (CENTRE_X - w1, y1)]
        ax.add_patch(Polygon(corners, closed=True, facecolor=PALETTE[colour],
                             alpha=0.3, edgecolor="none"))
        ax.add_patch(Polygon(corners, closed=True, facecolor="none",
                             edgecolor=PALETTE["black"], linewidth=0.8))
        middle = (y0 + y1) / 2
        ax.text(CENTRE_X, middle + 0.16, name, ha="center", va="center",
                fontsize=8.5, fontweight="bold")
        ax.text(CENTRE_X, middle - 0.17, checks, ha="center", va="center",
                fontsize=7.2, linespacing=1.0)
        # When the layer runs and what its failure means, to the right.
        ax.text(CENTRE_X + BASE_HALF + 0.35, middle, when, ha="left",
                va="center", fontsize=7.5, linespacing=1.15)
    # Read upwards: exact, fast, many -> statistical, slower, few.
    arrow(ax, (-0.35, 0.05), (-0.35, height - 0.05))
    ax.text(-0.15, 0.05, "exact, fast, many", ha="left", va="bottom",
            fontsize=7.5, fontstyle="italic", rotation=90)
    ax.text(-0.15, height - 0.05, "statistical, few", ha="left", va="top",
            fontsize=7.5, fontstyle="italic", rotation=90)
    return fig
