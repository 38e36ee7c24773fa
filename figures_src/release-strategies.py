"""Four ways to release a model version (module 10).

Each row is one strategy: a router in the middle sends requests to the
current version and the new one. The labels on the arrows say what share of
traffic each receives and whether its answers reach users.
"""

from _style import PALETTE, arrow, box, diagram

ROWS = [
    ("Canary", "95% of requests", "5%, then 25%, 50%, 100%", "-"),
    ("Blue-green", "100% until the switch", "100% after the switch", "-"),
    ("Shadow", "100%, its answers served", "a copy: answers only logged",
     (0, (3, 2))),
    ("A/B test", "50% of users", "50% of users", "-"),
]
ROUTER_X, VERSION_X = 2.85, 8.65


def draw():
    fig, ax = diagram(height=3.6, xlim=(0, 10.1), ylim=(-0.3, 8.4))
    for k, (name, to_current, to_new, style) in enumerate(ROWS):
        y = 7.3 - 2.2 * k
        ax.text(0.05, y, name, ha="left", va="center", fontsize=9,
                fontweight="bold")
        box(ax, (ROUTER_X, y), 1.1, 0.8, "router", "grey", fontsize=8)
        box(ax, (VERSION_X, y + 0.5), 2.5, 0.72, "current version",
            "blue", fontsize=8)
        box(ax, (VERSION_X, y - 0.5), 2.5, 0.72, "new version", "orange",
            fontsize=8)
        left = VERSION_X - 1.25
        arrow(ax, (ROUTER_X + 0.55, y + 0.1), (left, y + 0.5),
              mutation_scale=9, linewidth=0.9)
        arrow(ax, (ROUTER_X + 0.55, y - 0.1), (left, y - 0.5),
              mutation_scale=9, linewidth=0.9, linestyle=style)
        ax.text(ROUTER_X + 0.8, y + 0.5, to_current, ha="left",
                va="bottom", fontsize=7.5)
        ax.text(ROUTER_X + 0.8, y - 0.5, to_new, ha="left", va="top",
                fontsize=7.5)
    return fig
