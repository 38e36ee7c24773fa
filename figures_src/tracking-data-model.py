"""MLflow's tracking data model (module 01).

Left: an experiment holding runs, one of them a parent run with child runs
for a sweep. Right: one run opened up into its four kinds of record
(parameters, metrics, tags, artifacts), with brackets underneath saying
where each kind is kept: the backend store (a SQLite file, mlflow.db) for
the first three and the artifact store (a folder, mlruns/) for files.
"""

from matplotlib.patches import FancyBboxPatch

from _style import PALETTE, diagram

# Runs listed in the experiment box: (label, indent level, highlighted).
RUNS = [
    ("logreg-baseline", 0, True),
    ("forest-growth", 0, False),
    ("sweep-logreg-C (parent)", 0, False),
    ("logreg-C=0.001", 1, False),
    ("...", 1, False),
    ("logreg-C=100", 1, False),
    ("autolog-final", 0, False),
]

# The four records of a run: heading, what it is, examples, colour.
RECORDS = [
    ("Parameters", "inputs you chose;\nstrings, set once",
     ["C = '1.0'", "max_iter='5000'"], "blue"),
    ("Metrics", "numbers, each a\nhistory of steps",
     ["cv_auc = 0.996", "cv_log_loss\n= 0.074"], "orange"),
    ("Tags", "labels about the\nrun; editable",
     ["git_commit", "sklearn_version"], "green"),
    ("Artifacts", "files of any\nkind",
     ["confusion_\nmatrix.json", "coefficients\n.csv"], "purple"),
]


def _box(ax, x, y, w, h, *, fill=None, alpha=0.2, edge="black", lw=0.8, rounding=0.1):
    if fill is not None:
        ax.add_patch(
            FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}",
                           facecolor=PALETTE[fill], alpha=alpha, edgecolor="none")
        )
    ax.add_patch(
        FancyBboxPatch((x, y), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}",
                       facecolor="none", edgecolor=PALETTE[edge], linewidth=lw)
    )


def _bracket(ax, x0, x1, y, label):
    """A bracket under the span x0..x1 with a label below it."""
    tick = 0.12
    ax.plot([x0, x0, x1, x1], [y + tick, y, y, y + tick], color=PALETTE["black"], linewidth=0.8)
    ax.text((x0 + x1) / 2, y - 0.12, label, ha="center", va="top", fontsize=7.5)


def draw():
    fig, ax = diagram(height=2.9, xlim=(0, 12.2), ylim=(-0.05, 5.85))

    # The experiment and its runs.
    ex_x, ex_y, ex_w, ex_h = 0.1, 0.9, 3.6, 4.85
    _box(ax, ex_x, ex_y, ex_w, ex_h, fill="grey", alpha=0.12)
    ax.text(ex_x + 0.15, ex_y + ex_h - 0.18, "Experiment 'breast-cancer'",
            ha="left", va="top", fontsize=8, fontweight="bold")
    card_h, gap, top = 0.42, 0.12, ex_y + ex_h - 0.65
    highlighted = None
    for i, (label, indent, hot) in enumerate(RUNS):
        y = top - (i + 1) * card_h - i * gap
        x = ex_x + 0.2 + 0.4 * indent
        w = ex_w - 0.4 - 0.4 * indent
        if label == "...":
            ax.text(x + 0.12, y + card_h / 2, "... 11 child runs in all", ha="left",
                    va="center", fontsize=7.5, fontstyle="italic")
            continue
        _box(ax, x, y, w, card_h, fill="orange" if hot else None, alpha=0.35,
             lw=1.3 if hot else 0.6, rounding=0.06)
        ax.text(x + 0.12, y + card_h / 2, label, ha="left", va="center", fontsize=7.5)
        if indent:
            ax.plot([ex_x + 0.4, ex_x + 0.4, x], [y + card_h + gap, y + card_h / 2, y + card_h / 2],
                    color=PALETTE["grey"], linewidth=0.7)
        if hot:
            highlighted = (x + w, y, card_h)

    # One run opened up into its four records.
    run_x, run_y, run_w, run_h = 4.35, 0.9, 7.75, 4.85
    _box(ax, run_x, run_y, run_w, run_h, fill="orange", alpha=0.08, lw=1.3)
    ax.text(run_x + 0.15, run_y + run_h - 0.18, "Run 'logreg-baseline'  (one training attempt)",
            ha="left", va="top", fontsize=8, fontweight="bold")
    # Zoom lines from the highlighted card to the opened run.
    hx, hy, hh = highlighted
    for y_from, y_to in [(hy + hh, run_y + run_h), (hy, run_y)]:
        ax.plot([hx, run_x], [y_from, y_to], color=PALETTE["grey"], linewidth=0.7, linestyle=(0, (3, 2)))

    col_w, col_gap = 1.75, 0.15
    col_y, col_h = run_y + 0.2, run_h - 0.85
    spans = []
    for i, (heading, what, examples, colour) in enumerate(RECORDS):
        x = run_x + 0.2 + i * (col_w + col_gap)
        spans.append((x, x + col_w))
        _box(ax, x, col_y, col_w, col_h, fill=colour, alpha=0.18, rounding=0.08)
        ax.text(x + col_w / 2, col_y + col_h - 0.2, heading, ha="center", va="top",
                fontsize=8.5, fontweight="bold")
        ax.text(x + col_w / 2, col_y + col_h - 0.62, what, ha="center", va="top",
                fontsize=6.5, fontstyle="italic", linespacing=1.15)
        for k, example in enumerate(examples):
            ax.text(x + col_w / 2, col_y + 1.55 - k * 0.85, example, ha="center", va="center",
                    fontsize=6.5, family="DejaVu Sans Mono", linespacing=1.1)

    # Where each record is kept.
    _bracket(ax, spans[0][0], spans[2][1], 0.72, "backend store: database file mlflow.db")
    _bracket(ax, spans[3][0], spans[3][1], 0.72, "artifact store:\nfolder mlruns/")
    ax.text(ex_x + ex_w / 2, 0.6, "experiments and runs are\nalso rows in mlflow.db",
            ha="center", va="top", fontsize=7.5)
    return fig
