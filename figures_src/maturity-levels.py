"""What is manual and what is automated at MLOps maturity levels 0, 1 and 2.

A grid of practices (rows) by maturity level (columns). Each cell is
coloured by how automated the practice is and also says so in words, so the
chart reads the same without colour. The levels follow the chapter's
definition, adapted from Google Cloud's "MLOps: Continuous delivery and
automation pipelines in machine learning": level 0 is a manual process;
level 1 automates the ML pipeline (continuous training, validation steps,
metadata and a registry, and automatic delivery of each new model to
serving); level 2 also builds, tests and deploys the pipeline itself with
CI/CD and lets monitoring trigger retraining.
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
    "Model training": [
        ("manual", "notebook runs"),
        ("automated", "orchestrated pipeline"),
        ("automated", "orchestrated pipeline"),
    ],
    "Retraining trigger": [
        ("manual", "when someone notices"),
        ("automated", "new data or a schedule"),
        ("automated", "also monitoring alerts"),
    ],
    "Data and model validation": [
        ("manual", "eyeballed metrics"),
        ("automated", "steps in the pipeline"),
        ("automated", "steps in the pipeline"),
    ],
    "Tracking and registry": [
        ("manual", "notes, file names"),
        ("automated", "runs and model versions"),
        ("automated", "runs and model versions"),
    ],
    "Model delivery to serving": [
        ("manual", "copied by hand, rarely"),
        ("automated", "each validated model"),
        ("automated", "each validated model"),
    ],
    "Monitoring": [
        ("manual", "little or none"),
        ("partly", "basic performance"),
        ("automated", "triggers retraining"),
    ],
    "Pipeline build, test, deploy": [
        ("manual", "no pipeline yet"),
        ("manual", "by hand"),
        ("automated", "CI/CD"),
    ],
}


def draw():
    fig, ax = new_figure(height=3.9)
    fig.subplots_adjust(left=0.25, right=1.0, bottom=0.09, top=0.88)
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
