"""Two families of model formats and what loading each one needs (module 03).

Top lane: object formats (pickle, joblib, skops) store class names and the
objects' state, so loading rebuilds Python objects and needs the same classes
importable. Bottom lane: a graph format (ONNX) stores a graph of standard
operators with their weights, so any ONNX runtime can load it without Python
or scikit-learn. The note under each lane says what loading may execute.
"""


from _style import arrow, box, diagram

BOX_W, BOX_H = 2.55, 1.05
COLUMN_X = [1.35, 5.05, 8.75]
LANES = {
    # lane: (heading, y of the boxes, colour, box labels, arrow labels, note)
    "object": (
        "Object formats: pickle, joblib, skops",
        3.55,
        "orange",
        [
            "Fitted pipeline\n(Python objects)",
            "File: class names\n+ each object's state",
            "Python that can import\nthe same classes\n(scikit-learn, NumPy)",
        ],
        ["dump", "load"],
        "Loading rebuilds the objects. pickle and joblib may call any importable"
        " function;\nskops rebuilds only types on its trusted list.",
    ),
    "graph": (
        "Graph format: ONNX",
        1.05,
        "blue",
        [
            "Fitted pipeline\n(Python objects)",
            "File: graph of standard\noperators + weights",
            "Any ONNX runtime:\nPython, C++, C#, Java,\nJavaScript",
        ],
        [("convert", "skl2onnx"), "load"],
        "Loading parses the graph. No Python classes and no scikit-learn"
        " are needed;\nthe file can only name operators that the runtime"
        " implements.",
    ),
}


def _box(ax, centre, label, colour):
    box(ax, centre, BOX_W, BOX_H, label, colour, alpha=0.22)


def _arrow(ax, x_from, x_to, y, label):
    """An arrow with a verb above it and, if label is a pair, a tool below."""
    arrow(ax, (x_from, y), (x_to, y))
    verb, tool = label if isinstance(label, tuple) else (label, None)
    middle = (x_from + x_to) / 2
    ax.text(middle, y + 0.1, verb, ha="center", va="bottom", fontsize=8,
            fontstyle="italic")
    if tool:
        ax.text(middle, y - 0.1, tool, ha="center", va="top", fontsize=8,
                fontstyle="italic")


def draw():
    fig, ax = diagram(height=3.6, xlim=(0, 10.1), ylim=(-0.35, 5.0))

    for heading, y, colour, labels, verbs, note in LANES.values():
        ax.text(COLUMN_X[0] - BOX_W / 2, y + BOX_H / 2 + 0.22, heading,
                ha="left", va="bottom", fontsize=9.5, fontweight="bold")
        for x, label in zip(COLUMN_X, labels):
            _box(ax, (x, y), label, colour)
        for (x_a, x_b), verb in zip(zip(COLUMN_X, COLUMN_X[1:]), verbs):
            _arrow(ax, x_a + BOX_W / 2, x_b - BOX_W / 2, y, verb)
        ax.text(COLUMN_X[0] - BOX_W / 2, y - BOX_H / 2 - 0.12, note,
                ha="left", va="top", fontsize=8, color="#333333")
    return fig
