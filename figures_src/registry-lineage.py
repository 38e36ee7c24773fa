"""Lineage from training data to a deployed alias (module 02).

Four boxes left to right: the training data (identified by a SHA-256 of its
bytes), the run that trained on it, the registered model version the run
produced, and the alias that points at that version. Solid arrows above the
row say how each link is written when the model is made; the dashed arrow
below runs the other way and says how each link is read back when someone
asks what a deployed model was trained on.
"""

from matplotlib.patches import FancyBboxPatch

from _style import PALETTE, arrow, new_figure

BOX_W, BOX_H = 2.55, 1.75
GAP = 0.75
ROW_Y = 1.35  # bottom of the boxes

# heading, body lines, colour
NODES = [
    ("Training data", "426 rows, 31 columns\n\nSHA-256 of its\ncanonical CSV bytes", "sky"),
    ("Run", "params: C, model,\ntrain_sha256\nmetrics: test_auc, ...\ntags, artifacts", "orange"),
    ("Model version 2", "of 'breast-cancer-\nclassifier'\n\nimmutable; records\nits run_id", "green"),
    ("Alias @champion", "a named pointer\nto one version\n\nmoved to promote\nor roll back", "purple"),
]

# How each link is written, from left to right.
WRITTEN = [
    "hash logged\nas a parameter",
    "log_model(..., \nregistered_model_\nname=...)",
    "set_registered_\nmodel_alias(...)",
]

# How each link is read back, from right to left (label under each gap).
READ = [
    "params['train_sha256']\n== recomputed hash?",
    "get_run(\nmv.run_id)",
    "get_model_version_\nby_alias(...)",
]


def _x(i):
    return 0.1 + i * (BOX_W + GAP)


def _arrow(ax, start, end, **style):
    arrow(ax, start, end, **{"mutation_scale": 11, "shrinkA": 0, "shrinkB": 0, **style})


def draw():
    fig, ax = new_figure(height=2.35)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    width = _x(len(NODES)) - GAP + 0.1
    ax.set_xlim(0, width)
    ax.set_ylim(-0.05, 4.15)
    ax.set_aspect("equal")
    ax.axis("off")

    for i, (heading, body, colour) in enumerate(NODES):
        x = _x(i)
        for fill, edge in [(PALETTE[colour], "none"), ("none", PALETTE["black"])]:
            ax.add_patch(FancyBboxPatch((x, ROW_Y), BOX_W, BOX_H,
                                        boxstyle="round,pad=0,rounding_size=0.12",
                                        facecolor=fill, alpha=0.25 if edge == "none" else 1,
                                        edgecolor=edge, linewidth=0.8))
        ax.text(x + BOX_W / 2, ROW_Y + BOX_H - 0.14, heading, ha="center", va="top",
                fontsize=8.5, fontweight="bold")
        ax.text(x + BOX_W / 2, ROW_Y + BOX_H - 0.5, body, ha="center", va="top",
                fontsize=7, linespacing=1.15)

    mid_y = ROW_Y + BOX_H / 2
    for i, label in enumerate(WRITTEN):
        x0, x1 = _x(i) + BOX_W, _x(i + 1)
        _arrow(ax, (x0 + 0.05, mid_y), (x1 - 0.05, mid_y))
        ax.text((x0 + x1) / 2, ROW_Y + BOX_H + 0.1, label, ha="center", va="bottom",
                fontsize=6.5, family="DejaVu Sans Mono" if "(" in label else None,
                linespacing=1.1)

    # The lineage query: from the alias back to the data.
    query_y = ROW_Y - 0.3
    _arrow(ax, (_x(3) + BOX_W / 2, ROW_Y), (_x(3) + BOX_W / 2, query_y),
           arrowstyle="-", color=PALETTE["vermillion"], linewidth=1.3, linestyle=(0, (4, 2)))
    _arrow(ax, (_x(3) + BOX_W / 2, query_y), (_x(0) + BOX_W / 2, query_y),
           arrowstyle="-", color=PALETTE["vermillion"], linewidth=1.3, linestyle=(0, (4, 2)))
    _arrow(ax, (_x(0) + BOX_W / 2, query_y), (_x(0) + BOX_W / 2, ROW_Y - 0.02),
           color=PALETTE["vermillion"], linewidth=1.3, linestyle=(0, (4, 2)))
    for i, label in enumerate(READ):
        centre = _x(i) + BOX_W + GAP / 2
        ax.text(centre, query_y - 0.1, label, ha="center", va="top", fontsize=6.5,
                family="DejaVu Sans Mono" if "(" in label else None, linespacing=1.1)
    ax.text(_x(0) + 0.05, query_y - 0.1, "lineage\nquery", ha="left", va="top", fontsize=7.5,
            color=PALETTE["vermillion"], fontweight="bold")
    return fig
