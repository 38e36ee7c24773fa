"""How many ML projects survive each stage on the way to production (module 00).

The stage shares are the approximate industry figures quoted in the chapter:
of every 100 projects started, about 22 reach production.
"""

from _style import PALETTE, new_figure

STAGES = ["Project\nstarted", "Prototype\nbuilt", "Model\nvalidated", "Deployed to\nproduction"]
SHARE_PERCENT = [100, 75, 40, 22]


def draw():
    fig, ax = new_figure(height=3.0)
    colours = [PALETTE["sky"], PALETTE["sky"], PALETTE["sky"], PALETTE["vermillion"]]
    bars = ax.bar(STAGES, SHARE_PERCENT, color=colours, edgecolor=PALETTE["black"], linewidth=0.6)
    for bar, share in zip(bars, SHARE_PERCENT):
        ax.annotate(
            f"{share}%",
            (bar.get_x() + bar.get_width() / 2, share),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontweight="bold",
        )
    for left, right, a, b in zip(bars[:-1], bars[1:], SHARE_PERCENT[:-1], SHARE_PERCENT[1:]):
        x = (left.get_x() + left.get_width() + right.get_x()) / 2
        ax.annotate(
            f"−{a - b} pts",
            (x, (a + b) / 2 + 6),
            ha="center",
            color=PALETTE["grey"],
            fontsize=8,
        )
    ax.set_ylabel("Projects still alive (%)")
    ax.set_ylim(0, 112)
    ax.set_yticks(range(0, 101, 25))
    return fig
