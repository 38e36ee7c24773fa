"""How many ML projects survive each stage on the way to production (module 00).

The stage shares are the approximate industry figures quoted in the chapter:
of every 100 projects started, about 22 reach production. Each bar shows the
projects still alive; the light dashed segment on top of it shows the
projects lost since the previous stage, labelled with the size of the drop.
"""

from matplotlib.patches import Patch

from _style import PALETTE, new_figure

STAGES = [
    "Project\nstarted",
    "Prototype\nbuilt",
    "Model\nvalidated",
    "Deployed to\nproduction",
]
SHARE_PERCENT = [100, 75, 40, 22]
LOST_FILL = "#E8E8E8"


def draw():
    fig, ax = new_figure(height=3.0)
    positions = range(len(STAGES))
    colours = [PALETTE["sky"]] * (len(STAGES) - 1) + [PALETTE["vermillion"]]
    ax.bar(
        positions,
        SHARE_PERCENT,
        width=0.62,
        color=colours,
        edgecolor=PALETTE["black"],
        linewidth=0.6,
    )
    # The projects lost since the previous stage, stacked on the survivors.
    for x, (before, after) in enumerate(zip(SHARE_PERCENT, SHARE_PERCENT[1:]), start=1):
        ax.bar(
            x,
            before - after,
            bottom=after,
            width=0.62,
            color=LOST_FILL,
            edgecolor=PALETTE["grey"],
            linewidth=0.6,
            linestyle=(0, (3, 2)),
        )
        ax.text(
            x,
            (before + after) / 2,
            f"\u2212{before - after} pts",
            ha="center",
            va="center",
            color=PALETTE["black"],
            fontsize=8,
        )
    # The share still alive, inside the top of each bar.
    for x, share in zip(positions, SHARE_PERCENT):
        ax.text(
            x,
            share - 3,
            f"{share}%",
            ha="center",
            va="top",
            fontweight="bold",
            color="white" if x == len(STAGES) - 1 else PALETTE["black"],
        )
    ax.set_xticks(list(positions), STAGES)
    ax.set_ylabel("Projects still alive (%)")
    ax.set_ylim(0, 105)
    ax.set_xlim(-0.55, len(STAGES) - 0.45)
    ax.set_yticks(range(0, 101, 25))
    ax.legend(
        handles=[
            Patch(facecolor=PALETTE["sky"], edgecolor=PALETTE["black"],
                  linewidth=0.6, label="Still alive"),
            Patch(facecolor=LOST_FILL, edgecolor=PALETTE["grey"],
                  linewidth=0.6, linestyle=(0, (3, 2)),
                  label="Lost since the previous stage"),
        ],
        loc="upper right",
        frameon=False,
    )
    return fig
