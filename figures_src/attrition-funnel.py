"""How a team's ML projects thin out on the way to production (module 00).

The numbers are invented for teaching, not taken from any survey: an
imaginary team's last 40 projects, of which 30 produced a prototype, 16 a
validated model and 9 a model in production. The chapter computes the same
funnel in a code cell. Each bar shows the projects still alive; the light
dashed segment on top of it shows the projects lost since the previous
stage, labelled with the size of the drop. The figure says in words that
its numbers are illustrative, so it cannot be mistaken for survey data.
"""

from matplotlib.patches import Patch

from _style import PALETTE, new_figure

STAGES = [
    "Project\nstarted",
    "Prototype\nbuilt",
    "Model\nvalidated",
    "Deployed to\nproduction",
]
PROJECTS = [40, 30, 16, 9]
LOST_FILL = "#E8E8E8"
BAR_WIDTH = 0.62


def draw():
    fig, ax = new_figure(height=3.0)
    positions = range(len(STAGES))
    colours = [PALETTE["sky"]] * (len(STAGES) - 1) + [PALETTE["vermillion"]]
    ax.bar(positions, PROJECTS, width=BAR_WIDTH, color=colours,
           edgecolor=PALETTE["black"], linewidth=0.6)
    # The projects lost since the previous stage, stacked on the survivors.
    steps = zip(PROJECTS, PROJECTS[1:])
    for x, (before, after) in enumerate(steps, start=1):
        ax.bar(x, before - after, bottom=after, width=BAR_WIDTH,
               color=LOST_FILL, edgecolor=PALETTE["grey"], linewidth=0.6,
               linestyle=(0, (3, 2)))
        ax.text(x, (before + after) / 2, f"\u2212{before - after}",
                ha="center", va="center", color=PALETTE["black"],
                fontsize=8)
    # The number still alive, inside the top of each bar.
    for x, count in zip(positions, PROJECTS):
        ax.text(x, count - 1.2, str(count), ha="center", va="top",
                fontweight="bold",
                color="white" if x == len(STAGES) - 1 else PALETTE["black"])
    ax.text(len(STAGES) - 1, 26,
            "Illustrative numbers\nfor an invented team,\nnot survey data",
            ha="center", va="center", fontsize=8, fontstyle="italic",
            color=PALETTE["black"])
    ax.set_xticks(list(positions), STAGES)
    ax.set_ylabel("Projects still alive")
    ax.set_ylim(0, 42)
    ax.set_xlim(-0.55, len(STAGES) - 0.45)
    ax.set_yticks(range(0, 41, 10))
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
