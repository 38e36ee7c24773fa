"""The running example's training pipeline as DVC sees it (module 06).

Five stage boxes from top to bottom, each naming the code it depends on
(and validate the reference schema it reads), joined by the outputs each
stage hands to the next. params.yaml, on the left, feeds the three stages
that declare parameters; the held-out half of the features bypasses train
on the right on its way to evaluate, and metrics.json leaves evaluate on
the left.
"""

from _style import PALETTE, arrow, box, diagram

BOX_X, BOX_W, BOX_H = 6.3, 5.6, 0.95
LEFT, RIGHT = BOX_X - BOX_W / 2, BOX_X + BOX_W / 2
TOP_Y, STEP = 6.6, 1.4

# stage, code it depends on, colour
STAGES = [
    ("load", "steps/load.py  _course/data.py", "sky"),
    ("validate", "steps/validate.py  _course/validation.py\nschema.yaml",
     "sky"),
    ("featurize", "steps/featurize.py  _course/features.py", "sky"),
    ("train", "steps/train.py  _course/model.py", "orange"),
    ("evaluate", "steps/evaluate.py  _course/model.py", "green"),
]
# The output that joins stage i to stage i + 1.
HANDED_ON = ["data/raw/", "data/valid/", "data/features/train.csv",
             "models/"]
MONO = {"family": "DejaVu Sans Mono"}


def _y(i):
    return TOP_Y - i * STEP


def draw():
    fig, ax = diagram(height=3.4, xlim=(0, 12.4), ylim=(0.35, 7.15))
    for i, (name, code, colour) in enumerate(STAGES):
        box(ax, (BOX_X, _y(i)), BOX_W, BOX_H, "", colour)
        shift = 0.06 * code.count("\n")
        ax.text(BOX_X, _y(i) + 0.2 + shift, name, ha="center",
                va="center", fontsize=9, fontweight="bold")
        ax.text(BOX_X, _y(i) - 0.17 + shift, code, ha="center",
                va="center", fontsize=6.5, linespacing=1.1, **MONO)
    for i, label in enumerate(HANDED_ON):
        y0, y1 = _y(i) - BOX_H / 2, _y(i + 1) + BOX_H / 2
        arrow(ax, (BOX_X, y0), (BOX_X, y1))
        ax.text(BOX_X + 0.15, (y0 + y1) / 2, label, ha="left",
                va="center", fontsize=6.5, **MONO)

    # The held-out half of the features goes around train to evaluate.
    route = RIGHT + 0.55
    ax.plot([RIGHT, route, route], [_y(2), _y(2), _y(4)],
            color=PALETTE["black"], linewidth=1.0)
    arrow(ax, (route, _y(4)), (RIGHT, _y(4)), shrinkA=0)
    ax.text(route + 0.12, (_y(2) + _y(4)) / 2, "data/features/\ntest.csv",
            ha="left", va="center", fontsize=6.5, linespacing=1.1, **MONO)

    # One config feeds the stages that declare parameters.
    box(ax, (1.35, _y(1) - 0.7), 2.2, 0.6, "params.yaml", "purple",
        fontsize=8.5, **MONO)
    for i, label in [(0, "seed\ndata.test_size"), (3, "seed\ntrain.C")]:
        start = (1.35 + (0.3 if i == 0 else 0.3),
                 _y(1) - 0.7 + (0.3 if i == 0 else -0.3))
        end = (LEFT, _y(i))
        arrow(ax, start, end, linestyle=(0, (4, 2)),
              color=PALETTE["purple"])
        ax.text(start[0] - 0.3, (start[1] + end[1]) / 2, label,
                ha="center", va="center", fontsize=6.5, linespacing=1.1,
                color=PALETTE["purple"], **MONO)
    # featurize reads the list of derived features, from the box's side.
    start = (1.35 + 1.1, _y(1) - 0.7 - 0.1)
    arrow(ax, start, (LEFT, _y(2)), linestyle=(0, (4, 2)),
          color=PALETTE["purple"])
    ax.text(start[0] + 0.1, start[1] + 0.04, "featurize.derived", ha="left",
            va="bottom", fontsize=6.5, color=PALETTE["purple"], **MONO)
    arrow(ax, (LEFT, _y(4)), (LEFT - 1.3, _y(4)))
    ax.text(LEFT - 1.4, _y(4), "metrics.json", ha="right", va="center",
            fontsize=7, fontweight="bold", **MONO)
    return fig
