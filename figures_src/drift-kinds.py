"""Data drift and concept drift on one made-up feature (module 09).

Two panels with the same layout. Each shows the density of a feature at
training time and in production (filled curves, left axis) and the
probability that a case is positive given the feature (lines, right axis).
Under data drift the density moves and the probability curve stays; under
concept drift the density stays and the probability curve moves. The
curves are formulas, not data.
"""

import numpy as np

from _style import PALETTE, new_figure

X = np.linspace(-4, 6, 400)


def density(x, centre, sd=1.0):
    return np.exp(-0.5 * ((x - centre) / sd) ** 2) / (sd * np.sqrt(2 * np.pi))


def p_positive(x, boundary):
    return 1 / (1 + np.exp(-2.0 * (x - boundary)))


def panel(ax, centres, boundaries, label):
    twin = ax.twinx()
    for centre, colour, hatch, name in [
            (centres[0], "blue", None, "training"),
            (centres[1], "vermillion", "///", "production")]:
        ax.fill_between(X, density(X, centre), color=PALETTE[colour],
                        alpha=0.25, hatch=hatch, linewidth=0,
                        label=f"inputs, {name}")
    for boundary, style, name in [(boundaries[0], "-", "training"),
                                  (boundaries[1], "--", "production")]:
        twin.plot(X, p_positive(X, boundary), color=PALETTE["black"],
                  linestyle=style, linewidth=1.2,
                  label=f"P(positive | x), {name}")
    ax.set_ylim(0, 0.5)
    twin.set_ylim(0, 1.05)
    ax.set_yticks([])
    twin.set_yticks([0, 0.5, 1])
    twin.spines["top"].set_visible(False)
    ax.set_xlabel("Feature value x")
    ax.set_title(label, fontsize=9)
    return twin


def draw():
    fig, (left, right) = new_figure(height=2.8, ncols=2)
    panel(left, (0.0, 1.8), (1.0, 1.0),
          "(a) Data drift: inputs move,\nthe relation stays")
    twin = panel(right, (0.0, 0.0), (1.0, -0.8),
                 "(b) Concept drift: inputs stay,\nthe relation moves")
    left.set_ylabel("Density of x")
    twin.set_ylabel("P(positive | x)")
    handles = (left.get_legend_handles_labels()[0]
               + twin.get_legend_handles_labels()[0])
    labels = (left.get_legend_handles_labels()[1]
              + twin.get_legend_handles_labels()[1])
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False,
               bbox_to_anchor=(0.5, -0.16))
    fig.tight_layout()
    return fig
