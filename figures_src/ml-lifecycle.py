"""The ML lifecycle as a loop of seven phases (module 00).

Phases 1-4 run left to right along the top row, phases 5-7 right to left
along the bottom row, so the solid arrows trace the path from a problem to a
monitored model. Two edges make it a loop rather than a line: a dashed
"retrain when needed" edge from monitoring back to data collection, and an
"experiment tracking" loop between training and evaluation.
"""


from _style import PALETTE, arrow, box, diagram

BOX_W, BOX_H = 2.1, 0.95
COLUMN_X = [1.1, 3.7, 6.3, 8.9]
TOP_Y, BOTTOM_Y = 3.0, 0.9

# name: (label, centre, fill colour)
PHASES = {
    "problem": ("1. Problem\ndefinition", (COLUMN_X[0], TOP_Y), "grey"),
    "collect": ("2. Data\ncollection", (COLUMN_X[1], TOP_Y), "sky"),
    "prepare": ("3. Data\npreparation", (COLUMN_X[2], TOP_Y), "sky"),
    "train": ("4. Model\ntraining", (COLUMN_X[3], TOP_Y), "orange"),
    "evaluate": ("5. Model\nevaluation", (COLUMN_X[3], BOTTOM_Y), "orange"),
    "deploy": ("6. Deployment", (COLUMN_X[2], BOTTOM_Y), "green"),
    "monitor": ("7. Monitoring\n& maintenance", (COLUMN_X[1], BOTTOM_Y), "green"),
}


def _box(ax, label, centre, colour):
    box(ax, centre, BOX_W, BOX_H, label, colour, fontsize=9)


def _edge(a, b):
    """Start and end points of a straight arrow between two boxes' sides."""
    (xa, ya), (xb, yb) = PHASES[a][1], PHASES[b][1]
    if ya == yb:  # same row: from one side to the facing side
        step = BOX_W / 2 if xb > xa else -BOX_W / 2
        return (xa + step, ya), (xb - step, yb)
    step = BOX_H / 2 if yb > ya else -BOX_H / 2
    return (xa, ya + step), (xb, yb - step)




def draw():
    fig, ax = diagram(height=2.0, xlim=(0, 10.05), ylim=(0.35, 3.55))

    for label, centre, colour in PHASES.values():
        _box(ax, label, centre, colour)

    order = list(PHASES)
    for a, b in zip(order, order[1:]):
        start, end = _edge(a, b)
        # The tracking loop replaces the plain training-to-evaluation arrow.
        if (a, b) == ("train", "evaluate"):
            start, end = (start[0] + 0.3, start[1]), (end[0] + 0.3, end[1])
        arrow(ax, start, end)

    # Experiment tracking: evaluation results feed the next training run.
    x_train, _ = PHASES["train"][1]
    arrow(
        ax,
        (x_train - 0.3, BOTTOM_Y + BOX_H / 2),
        (x_train - 0.3, TOP_Y - BOX_H / 2),
        color=PALETTE["orange"],
        linewidth=1.4,
    )
    ax.text(
        x_train - 0.42,
        (TOP_Y + BOTTOM_Y) / 2,
        "experiment\ntracking",
        ha="right",
        va="center",
        fontsize=8,
        color=PALETTE["black"],
        fontstyle="italic",
    )

    # Retraining: monitoring sends the system back to data collection.
    start, end = _edge("monitor", "collect")
    arrow(
        ax,
        start,
        end,
        color=PALETTE["vermillion"],
        linewidth=1.6,
        linestyle=(0, (4, 2)),
    )
    ax.text(
        start[0] - 0.12,
        (TOP_Y + BOTTOM_Y) / 2,
        "retrain when\nneeded",
        ha="right",
        va="center",
        fontsize=8,
        color=PALETTE["vermillion"],
        fontweight="bold",
    )
    return fig
