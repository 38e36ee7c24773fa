"""A point-in-time join on a timeline (module 11).

Two cases, one lane each. Dots are the rows of a feature table (the running
count of imaging exams on record), the diamond the time the label was
recorded. The point-in-time join takes the latest value strictly before the
label time; a naive join takes the latest value of all, from after the
label. A value stamped on the label's own day is excluded
(``allow_exact_matches=False``). The second case has no value before its
label time, so its point-in-time value is missing.
"""

from _style import PALETTE, arrow, new_figure

# lane y, label day, [(day, value)]
LANES = {
    "case 7": (2.0, 40, [(5, 1), (22, 2), (40, 3), (61, 4), (83, 5)]),
    "case 12": (0.8, 30, [(30, 1), (55, 2)]),
}


def draw():
    fig, ax = new_figure(height=2.5)
    ax.set_xlim(-14, 100)
    ax.set_ylim(0.1, 3.1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Day (simulated calendar)")
    for name, (y, label_day, rows) in LANES.items():
        ax.plot([0, 98], [y, y], color=PALETTE["grey"], linewidth=0.8)
        ax.text(-2, y, name, ha="right", va="center", fontsize=8.5,
                fontweight="bold")
        ax.axvspan(label_day, 98, ymin=(y - 0.3 - 0.1) / 2.9,
                   ymax=(y + 0.3 - 0.1) / 2.9, color=PALETTE["vermillion"],
                   alpha=0.10, linewidth=0)
        for day, value in rows:
            after = day >= label_day
            ax.plot(day, y, "o", markersize=7,
                    color=PALETTE["vermillion" if after else "blue"])
            ax.text(day, y + 0.15, str(value), ha="center", va="bottom",
                    fontsize=8)
        ax.plot(label_day, y - 0.22, "D", markersize=6,
                color=PALETTE["black"])
        ax.text(label_day, y - 0.34, "label time", ha="center", va="top",
                fontsize=7.5)
    # Case 7: the point-in-time value and the naive one.
    y = LANES["case 7"][0]
    arrow(ax, (39, y + 0.55), (23, y + 0.35), color=PALETTE["blue"],
          connectionstyle="arc3,rad=0.25")
    ax.text(31, y + 0.72, "point in time: 2", ha="center", va="bottom",
            fontsize=8, color=PALETTE["blue"])
    arrow(ax, (41, y + 0.55), (82, y + 0.35), color=PALETTE["vermillion"],
          connectionstyle="arc3,rad=-0.15", linestyle="--")
    ax.text(66, y + 0.72, "naive latest: 5, from the future", ha="center",
            va="bottom", fontsize=8, color=PALETTE["vermillion"])
    ax.text(48, y - 0.34, "same day: excluded\n(allow_exact_matches=False)",
            ha="left", va="top", fontsize=7)
    # Case 12: nothing before the label.
    y = LANES["case 12"][0]
    ax.text(12, y + 0.2, "no earlier row:\nvalue missing", ha="center",
            va="bottom", fontsize=7.5, color=PALETTE["blue"])
    ax.text(97, 0.25, "shaded: at or after the label time", ha="right",
            va="bottom", fontsize=7, color=PALETTE["vermillion"])
    return fig
