"""What DVC keeps for a versioned data file (module 05).

Left, the project folder as a user sees it: the data file itself and the
small pointer file that ``dvc add`` writes next to it (which is what goes
into Git). Right, the content-addressed cache inside ``.dvc/``: one
read-only copy per version, stored under its MD5, the first two hex
characters naming the subfolder. Arrows say which command moves what:
``dvc add`` hashes the file, copies it into the cache and writes the
pointer; ``dvc checkout`` reads the pointer and copies the version it
names back into the workspace. A dashed box on the far right is a remote,
shared storage that ``dvc push`` and ``dvc pull`` synchronise (not used in
the chapter).
"""

from matplotlib.patches import FancyBboxPatch

from _style import PALETTE, arrow, box, diagram

MONO = {"family": "DejaVu Sans Mono"}


def draw():
    fig, ax = diagram(height=2.6, xlim=(0, 12), ylim=(0, 5.2))

    # The workspace: the data and its pointer file.
    ax.text(1.9, 5.0, "workspace (what code reads)", ha="center",
            va="top", fontsize=8, fontweight="bold")
    box(ax, (1.9, 3.7), 3.2, 1.0, "train.csv\n426 rows, 31 columns",
        "sky", fontsize=7.5)
    box(ax, (1.9, 1.55), 3.2, 1.9, "", "orange")
    ax.text(1.9, 2.4, "train.csv.dvc\n(a few lines; kept in Git)",
            ha="center", va="top", fontsize=6.5, **MONO)
    ax.text(0.75, 1.75, "outs:\n- md5: 198c...\n  size: 91036\n"
            "  hash: md5\n  path: train.csv", ha="left", va="top",
            fontsize=6.5, linespacing=1.1, **MONO)

    # The cache: one object per version, named by its hash.
    ax.text(7.0, 5.0, "cache: .dvc/cache/files/md5/", ha="center",
            va="top", fontsize=8, fontweight="bold", **MONO)
    box(ax, (7.0, 3.7), 3.6, 1.0, "19/8c...  version 1\n(read-only copy)",
        "green", fontsize=7, **MONO)
    box(ax, (7.0, 2.3), 3.6, 1.0, "12/93...  version 2\n(read-only copy)",
        "green", fontsize=7, **MONO)
    ax.text(7.0, 1.25, "a new version adds a whole file;\n"
            "an unchanged file is stored once", ha="center", va="top",
            fontsize=6.5, color=PALETTE["grey"])

    # dvc add: workspace file -> cache, and the pointer is written.
    arrow(ax, (3.55, 3.85), (5.15, 3.85))
    ax.text(4.35, 3.95, "dvc add", ha="center", va="bottom", fontsize=7,
            **MONO)
    arrow(ax, (1.9, 3.15), (1.9, 2.55))
    ax.text(2.0, 2.85, "writes the hash", ha="left", va="center",
            fontsize=6.5)
    # dvc checkout: pointer names a version, copied back to the workspace.
    arrow(ax, (3.55, 1.6), (5.9, 3.15), color=PALETTE["vermillion"],
          linestyle=(0, (4, 2)))
    arrow(ax, (5.15, 3.5), (3.55, 3.5), color=PALETTE["vermillion"],
          linestyle=(0, (4, 2)))
    ax.text(4.35, 3.4, "dvc checkout", ha="center", va="top", fontsize=7,
            color=PALETTE["vermillion"], **MONO)
    ax.text(4.0, 2.5, "names the\nversion", ha="center", va="center",
            fontsize=6.5, color=PALETTE["vermillion"])

    # A remote: shared storage (not used in the chapter).
    ax.add_patch(FancyBboxPatch((10.2, 2.2), 1.6, 1.9,
                                boxstyle="round,pad=0,rounding_size=0.12",
                                facecolor="none", edgecolor=PALETTE["grey"],
                                linestyle=(0, (4, 2)), linewidth=0.8))
    ax.text(11.0, 3.15, "remote\nstorage\n(S3, a share,\n...)",
            ha="center", va="center", fontsize=6.5)
    arrow(ax, (8.85, 3.35), (10.15, 3.35), arrowstyle="<|-|>",
          color=PALETTE["grey"])
    ax.text(9.5, 3.45, "dvc push\ndvc pull", ha="center", va="bottom",
            fontsize=6.5, color=PALETTE["grey"], **MONO)
    return fig
