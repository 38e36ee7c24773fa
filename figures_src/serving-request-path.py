"""The path of one prediction request through a FastAPI service (module 04).

The request runs left to right along the top row, from the client through
the uvicorn worker's HTTP server, FastAPI's routing and pydantic's
validation to the endpoint function. The answer runs right to left along the
bottom row: the model (loaded once, at startup), the response model and the
JSON body sent back by uvicorn. A dashed branch shows an invalid request
leaving validation as a 422 response without reaching the model.
"""

from matplotlib.patches import Rectangle

from _style import PALETTE, arrow, box, diagram

BOX_W, BOX_H = 1.6, 0.95
COLUMN_X = [3.2, 5.3, 7.4, 9.5]
CLIENT_X, CLIENT_W = 0.55, 1.0
TOP_Y, BOTTOM_Y = 3.0, 1.0

# name: (label, centre, colour)
STEPS = {
    "server": ("uvicorn\nHTTP server", (COLUMN_X[0], TOP_Y), "grey"),
    "route": ("FastAPI\nrouting", (COLUMN_X[1], TOP_Y), "sky"),
    "validate": ("pydantic\nvalidation", (COLUMN_X[2], TOP_Y), "sky"),
    "endpoint": ("endpoint\nfunction", (COLUMN_X[3], TOP_Y), "orange"),
    "model": ("model\n(loaded at\nstartup)", (COLUMN_X[3], BOTTOM_Y), "green"),
    "response": ("response\nmodel", (COLUMN_X[2], BOTTOM_Y), "sky"),
    "json": ("JSON\nencoding", (COLUMN_X[1], BOTTOM_Y), "sky"),
    "send": ("uvicorn\nsends reply", (COLUMN_X[0], BOTTOM_Y), "grey"),
}


def _box(ax, centre, label, colour, width=BOX_W, height=BOX_H):
    box(ax, centre, width, height, label, colour, rounding=0.1)


def _arrow(ax, start, end, **style):
    arrow(ax, start, end, **{"mutation_scale": 11, "shrinkA": 1, "shrinkB": 1, **style})


def _side(name, towards):
    """The middle of the side of box ``name`` that faces box ``towards``."""
    (x, y), (xt, yt) = STEPS[name][1], STEPS[towards][1]
    if y == yt:
        return (x + (BOX_W / 2 if xt > x else -BOX_W / 2), y)
    return (x, y + (BOX_H / 2 if yt > y else -BOX_H / 2))


def draw():
    fig, ax = diagram(height=2.75, xlim=(0, 10.55), ylim=(0.1, 4.3))

    # One worker process holds the server, the app and the model.
    left, right = COLUMN_X[0] - BOX_W / 2 - 0.15, COLUMN_X[3] + BOX_W / 2 + 0.15
    ax.add_patch(Rectangle((left, 0.3), right - left, 3.55, facecolor="none",
                           edgecolor=PALETTE["grey"], linewidth=1.0,
                           linestyle=(0, (4, 2))))
    ax.text(left + 0.1, 3.72, "one uvicorn worker process", ha="left",
            va="center", fontsize=8, color=PALETTE["grey"],
            fontstyle="italic")

    _box(ax, (CLIENT_X, (TOP_Y + BOTTOM_Y) / 2), "client", "purple",
         width=CLIENT_W, height=TOP_Y - BOTTOM_Y + BOX_H)
    client_edge = CLIENT_X + CLIENT_W / 2
    gap_middle = (client_edge + left) / 2
    for label, centre, colour in STEPS.values():
        _box(ax, centre, label, colour)

    # The request (top row) and the answer (bottom row).
    _arrow(ax, (client_edge, TOP_Y), (COLUMN_X[0] - BOX_W / 2, TOP_Y))
    ax.text(gap_middle, TOP_Y + 0.1, "POST\n/predict", ha="center",
            va="bottom", fontsize=7.5)
    path = ["server", "route", "validate", "endpoint", "model", "response",
            "json", "send"]
    for a, b in zip(path, path[1:]):
        _arrow(ax, _side(a, b), _side(b, a))
    _arrow(ax, (COLUMN_X[0] - BOX_W / 2, BOTTOM_Y), (client_edge, BOTTOM_Y))
    ax.text(gap_middle, BOTTOM_Y + 0.1, "200 or\n422", ha="center",
            va="bottom", fontsize=7.5)

    # An invalid request never reaches the model.
    x_v = COLUMN_X[2] - 0.35
    _arrow(ax, (x_v, TOP_Y - BOX_H / 2),
           (COLUMN_X[1] + 0.35, BOTTOM_Y + BOX_H / 2),
           color=PALETTE["vermillion"], linewidth=1.4,
           linestyle=(0, (4, 2)))
    ax.text(COLUMN_X[2] - 0.55, (TOP_Y + BOTTOM_Y) / 2 - 0.05,
            "invalid:\n422 + detail", ha="left", va="center", fontsize=8,
            color=PALETTE["vermillion"], fontweight="bold")

    return fig
