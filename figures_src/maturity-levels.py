"""What is manual and what is automated at MLOps maturity levels 0, 1 and 2.

A grid of practices (rows) by maturity level (columns). Each cell is
coloured by how automated the practice is and also says so in words, so the
chart reads the same without colour. The levels follow the chapter: level 0
is a manual process, level 1 automates the training pipeline, level 2 adds
CI/CD, monitoring with alerts and automated retraining.
"""

from matplotlib.patches import Patch, Rectangle

from _style import new_figure

LEVELS = [
    "Level 0\nManual process",
    "Level 1\nML pipeline automation",
    "Level 2\nCI/CD pipeline automation",
]

STATES = {
    "manual": ("Manual", "#F6CDB0"),
    "partly": ("Partly automated", "#FBE8B5"),
    "automated": ("Automated", "#A9DCCB"),
}

# practice: one (state, detail) per level
PRACTICES = {
    "Experiment tracking": [
        ("manual", "notes, file names"),
        ("automated", "tracking server"),
        ("automated", "tracking server"),
    ],
    "Model training": [
        ("manual", "notebook runs"),
        ("automated", "training pipeline"),
        ("automated", "training pipeline"),
    ],
    "Testing and validation": [
        ("manual", "eyeballed metrics"),
        ("partly", "model checks in pipeline"),
        ("automated", "data, model, code tests"),
    ],
    "Deployment": [
        ("manual", "copied by hand, rarely"),
        ("manual", "released by hand"),
        ("automated", "CI/CD, canary releases"),
    ],
    "Monitoring": [
        ("manual", "little or none"),
        ("partly", "basic performance"),
        ("automated", "drift alerts"),
    ],
    "Retraining": [
        ("manual", "when someone notices"),
        ("partly", "on new data, scheduled"),
        ("automated", "triggered by alerts"),
    ],
}


def draw():
    fig, ax = new_figure(height=3.3)
    fig.subplots_adjust(left=0.2, right=1.0, bottom=0.1, top=0.86)
    rows = list(PRACTICES)
    for r, practice in enumerate(rows):
        for c, (state, detail) in enumerate(PRACTICES[practice]):
            word, fill = STATES[state]
            ax.add_patch(
                Rectangle((c, r), 1, 1, facecolor=fill,
                          edgecolor="white", linewidth=2)
            )
            ax.text(c + 0.5, r + 0.36, word, ha="center", va="center",
                    fontsize=8, fontweight="bold")
            ax.text(c + 0.5, r + 0.68, detail, ha="center", va="center",
                    fontsize=8, color="#333333")
    ax.set_xlim(0, len(LEVELS))
    ax.set_ylim(len(rows), 0)
    ax.set_xticks([c + 0.5 for c in range(len(LEVELS))], LEVELS)
    ax.xaxis.tick_top()
    ax.set_yticks([r + 0.5 for r in range(len(rows))], rows)
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(
        handles=[Patch(facecolor=fill, label=word)
                 for word, fill in STATES.values()],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncols=3,
        frameon=False,
    )
    return fig
