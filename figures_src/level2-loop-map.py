"""The Level 2 loop of the book (module 12), stage by stage.

Eight stages on an ellipse, joined clockwise by arrows: serve, monitor,
trigger, retrain, validate, register and promote, deploy, and back to
serve. Each box names its stage, the modules that built it and the shared
code in book/_course/ that does it. A dashed arrow from monitor to deploy
is the way back: a rollback moves the @champion alias.
"""

import numpy as np
from _style import PALETTE, arrow, box, diagram

# stage, modules, shared code, colour
STAGES = [
    ("serve", "Modules 3, 4", "serving.py", "sky"),
    ("monitor", "Module 9", "monitoring.py", "orange"),
    ("trigger", "Modules 9, 12", "retraining.py", "orange"),
    ("retrain", "Modules 5, 6", "pipeline.py", "green"),
    ("validate", "Modules 7, 2", "gates.py  stats.py", "purple"),
    ("register, promote", "Modules 1, 2, 8", "promotion.py", "purple"),
    ("deploy", "Modules 4, 10", "restart the service", "sky"),
]
CX, CY, RX, RY = 6.2, 3.3, 4.6, 2.45
BOX_W, BOX_H = 2.9, 1.0
MONO = {"family": "DejaVu Sans Mono"}


def _centre(i):
    angle = np.pi / 2 - 2 * np.pi * i / len(STAGES)
    return CX + RX * np.cos(angle), CY + RY * np.sin(angle)


def _edge(a, b):
    """Points on the two boxes' borders, along the line between centres."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    scale = min(BOX_W / 2 / max(abs(dx), 1e-9), BOX_H / 2 / max(abs(dy), 1e-9))
    return ((x0 + dx * scale, y0 + dy * scale),
            (x1 - dx * scale, y1 - dy * scale))


def draw():
    fig, ax = diagram(height=3.6, xlim=(0, 12.4), ylim=(0.2, 6.4))
    centres = [_centre(i) for i in range(len(STAGES))]
    for (name, modules, code, colour), (x, y) in zip(STAGES, centres):
        box(ax, (x, y), BOX_W, BOX_H, "", colour)
        ax.text(x, y + 0.25, name, ha="center", va="center", fontsize=8.5,
                fontweight="bold")
        ax.text(x, y - 0.02, modules, ha="center", va="center", fontsize=7)
        ax.text(x, y - 0.27, code, ha="center", va="center", fontsize=6.5,
                **MONO)
    for i in range(len(STAGES)):
        start, end = _edge(centres[i], centres[(i + 1) % len(STAGES)])
        arrow(ax, start, end)
    start, end = _edge(centres[1], centres[6])
    arrow(ax, start, end, linestyle="--", color=PALETTE["vermillion"])
    ax.text(CX, CY + 0.35, "rollback:\n@champion back to\n@previous-champion",
            ha="center", va="center", fontsize=7,
            color=PALETTE["vermillion"])
    ax.text(CX, CY - 0.75, "registry (MLflow):\n@champion  @previous-champion",
            ha="center", va="center", fontsize=7, **MONO)
    return fig
