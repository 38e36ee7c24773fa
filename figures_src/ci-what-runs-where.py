"""What runs where in the CI/CD set-up of module 08.

Four places, left to right: the developer's machine, the CI runner, the
MLflow tracking server and registry, and the serving platform. Arrows say
what crosses between them: a push of code, the files the runner's steps
hand on (the model file, then the gate's metrics), the one step that
writes to the registry (log the run, register a version, move an alias),
and the service reading @champion.
"""

from _style import PALETTE, arrow, box, diagram

LANES = [
    ("developer machine", 1.35, "sky",
     ["edit code,\nnotebook", "run unit tests\nlocally", "git push /\npull request"]),
    ("CI runner (fresh VM)", 4.45, "orange",
     ["test", "train", "gate", "register +\npromotion rule"]),
    ("MLflow server\nand registry", 7.55, "green",
     ["runs: params,\nmetrics, data hash", "versions\n(immutable)", "aliases:\n@champion ..."]),
    ("serving platform", 10.65, "purple",
     ["container image\n(code + deps)", "loads @champion\nat start-up", "/health, /predict"]),
]
LANE_W, BOX_W, BOX_H = 2.7, 2.2, 0.78


def _label(ax, xy, text):
    ax.text(*xy, text, ha="center", va="center", fontsize=7, zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})


def draw():
    fig, ax = diagram(height=3.5, xlim=(-0.1, 12.1), ylim=(-0.35, 6.45))
    for title, x, colour, items in LANES:
        box(ax, (x, 2.85), LANE_W, 5.3, "", colour, alpha=0.10,
            rounding=0.15)
        ax.text(x, 5.85, title, ha="center", va="center", fontsize=8.5,
                fontweight="bold")
        top = 4.7
        step = 4.15 / len(items)
        for i, label in enumerate(items):
            box(ax, (x, top - i * step), BOX_W, BOX_H * (0.95 if len(items) > 3 else 1.0),
                label, colour, fontsize=7.5, alpha=0.30, rounding=0.08)
        for i in range(len(items) - 1):
            arrow(ax, (x, top - i * step - BOX_H / 2),
                  (x, top - (i + 1) * step + BOX_H / 2), mutation_scale=8)
    # developer -> CI: the push
    arrow(ax, (1.35 + BOX_W / 2, 4.7 - 2 * 4.15 / 3), (4.45 - BOX_W / 2, 4.7))
    _label(ax, (2.9, 3.3), "push\ntriggers")
    # inside the runner: the files each step hands on to the next
    for i, files in ((1, "model file"), (2, "metrics")):
        ax.text(4.45 + 0.1, 4.7 - (i + 0.5) * 4.15 / 4, files, fontsize=7,
                va="center", fontstyle="italic")
    # CI -> registry: only the register step writes there
    arrow(ax, (4.45 + BOX_W / 2, 4.7 - 3 * 4.15 / 4),
          (7.55 - BOX_W / 2, 4.7 - 4.15 / 3))
    _label(ax, (6.12, 2.3), "log run,\nregister,\nmove alias")
    # registry -> serving: read @champion
    arrow(ax, (7.55 + BOX_W / 2, 4.7 - 2 * 4.15 / 3),
          (10.65 - BOX_W / 2, 4.7 - 4.15 / 3), linestyle="--")
    _label(ax, (9.1, 2.85), "read\n@champion")
    ax.text(6.0, -0.2, "secrets: the registry token lives in CI and serving "
            "settings, never in code or images", ha="center", fontsize=7,
            color=PALETTE["grey"], fontstyle="italic")
    return fig
