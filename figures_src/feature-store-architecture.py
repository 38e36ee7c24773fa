"""An offline and an online feature store around one feature definition
(module 11).

Feature code, shared by both paths, writes feature rows with event
timestamps to the offline store, which keeps every version. Training reads
it through a point-in-time join; materialisation copies the latest value
per entity to the online store, which the prediction service reads by id.
A registry of definitions sits above both.
"""

from _style import PALETTE, arrow, box, diagram

W, H = 1.85, 0.95


def draw():
    fig, ax = diagram(height=2.6, xlim=(0, 10.6), ylim=(0.6, 5.1))
    box(ax, (1.1, 2.55), W, 1.2, "raw data\nand events\n(measurements,\nexams)",
        "grey", fontsize=7.5)
    box(ax, (3.35, 2.55), W, 1.2, "feature code\n(shared:\nadd_features)",
        "orange", fontsize=7.5)
    box(ax, (5.6, 3.8), W, H, "offline store\nall versions,\nevent times",
        "sky", fontsize=7.5)
    box(ax, (5.6, 1.3), W, H, "online store\nlatest value\nper entity",
        "green", fontsize=7.5)
    box(ax, (7.85, 3.8), W, H, "point-in-time\njoin -> training\nset",
        "sky", fontsize=7.5)
    box(ax, (7.85, 1.3), W, H, "lookup by id\n(prediction\nservice)",
        "green", fontsize=7.5)
    box(ax, (9.85, 2.55), 1.1, 1.2, "model", "purple", fontsize=8)
    box(ax, (2.85, 4.45), 3.2, 0.75,
        "registry of definitions:\nentities, features, sources, TTL",
        "yellow", fontsize=7)
    arrow(ax, (2.05, 2.55), (2.4, 2.55))
    arrow(ax, (4.3, 2.8), (4.65, 3.6))
    arrow(ax, (5.6, 3.3), (5.6, 1.8))
    ax.text(5.7, 2.55, "materialize\n(latest as of t)", ha="left",
            va="center", fontsize=7)
    arrow(ax, (6.55, 3.8), (6.9, 3.8))
    arrow(ax, (6.55, 1.3), (6.9, 1.3))
    arrow(ax, (8.8, 3.6), (9.3, 3.0))
    ax.text(9.1, 3.55, "train", ha="left", va="bottom", fontsize=7)
    arrow(ax, (9.3, 2.1), (8.8, 1.5))
    ax.text(9.1, 1.55, "predict", ha="left", va="top", fontsize=7)
    arrow(ax, (4.3, 2.3), (4.65, 1.5), linestyle="--")
    ax.text(3.3, 1.3, "or: streamed\nstraight to online", ha="center",
            va="center", fontsize=6.5)
    return fig
