"""A deployed model's accuracy decaying under drift (module 00).

The simulation is the one in the chapter's code cell, with the same
parameters and seed, so the day marked here is the day the chapter prints:
180 days of daily accuracy that start at 0.92, lose 0.0008 a day and carry
Gaussian noise with a standard deviation of 0.01. The first day the daily
accuracy falls below the 0.85 threshold is computed, not typed in.
"""

import numpy as np

from _style import PALETTE, new_figure

DAYS = 180
START_ACCURACY = 0.92
DECAY_PER_DAY = 0.0008
NOISE_SD = 0.01
THRESHOLD = 0.85
WINDOW = 7


def simulate():
    """Daily accuracy, its trailing 7-day mean (NaN for the first 6 days)."""
    rng = np.random.default_rng(42)
    day = np.arange(DAYS)
    noise = rng.normal(0.0, NOISE_SD, size=DAYS)
    accuracy = START_ACCURACY - DECAY_PER_DAY * day + noise
    rolling = np.full(DAYS, np.nan)
    kernel = np.ones(WINDOW) / WINDOW
    rolling[WINDOW - 1:] = np.convolve(accuracy, kernel, mode="valid")
    return day, accuracy, rolling


def draw():
    day, accuracy, rolling = simulate()
    crossings = np.flatnonzero(accuracy < THRESHOLD)
    if crossings.size == 0:
        raise ValueError("the simulated accuracy never crosses the threshold")
    first_below = int(crossings[0])

    fig, ax = new_figure(height=3.1)
    ax.axvspan(first_below, DAYS - 1, color=PALETTE["vermillion"], alpha=0.10,
               linewidth=0, label="After the first crossing")
    ax.plot(day, accuracy, color=PALETTE["sky"], linewidth=1.0,
            label="Daily accuracy")
    ax.plot(day, rolling, color=PALETTE["blue"], linewidth=2.0,
            label=f"{WINDOW}-day rolling mean")
    ax.axhline(THRESHOLD, color=PALETTE["vermillion"], linestyle="--",
               linewidth=1.2, label=f"Threshold ({THRESHOLD:.2f})")
    ax.axvline(first_below, color=PALETTE["black"], linestyle=":",
               linewidth=1.2)
    ax.annotate(
        f"first day below\nthreshold: day {first_below}",
        xy=(first_below, THRESHOLD),
        xytext=(first_below + 14, 0.905),
        ha="left",
        va="center",
        fontsize=8,
        arrowprops={"arrowstyle": "->", "color": PALETTE["black"],
                    "linewidth": 0.8},
    )
    ax.set_xlabel("Days since deployment")
    ax.set_ylabel("Accuracy")
    ax.set_xlim(0, DAYS - 1)
    ax.set_ylim(0.75, 0.95)
    ax.set_xticks(range(0, DAYS + 1, 30))
    handles, labels = ax.get_legend_handles_labels()
    order = [1, 2, 3, 0]  # the lines first, the shaded region last
    ax.legend([handles[i] for i in order], [labels[i] for i in order],
              loc="lower left", frameon=False)
    return fig
