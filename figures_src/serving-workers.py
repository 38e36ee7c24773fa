"""What ``uvicorn app:app --workers 4`` starts (module 04).

A supervisor process opens the listening socket and starts four worker
processes. Each worker is a separate Python interpreter that imports the app,
runs its lifespan and so loads its own copy of the model; connections on the
shared socket go to whichever worker accepts them. Nothing in one worker's
memory is visible to another.
"""


from _style import PALETTE, arrow, box, diagram

WORKER_Y = [3.25, 2.3, 1.35, 0.4]
WORKER_X, WORKER_W, WORKER_H = 7.15, 5.0, 0.8
SOCKET_X, SOCKET_Y = 2.85, 1.825
SUPERVISOR_Y = 4.3


def _box(ax, centre, width, height, label, colour, fontsize=8.5, **text):
    box(ax, centre, width, height, label, colour, fontsize=fontsize, rounding=0.1, **text)


def _arrow(ax, start, end, **style):
    arrow(ax, start, end, **{"mutation_scale": 10, "linewidth": 0.9, "shrinkA": 1, "shrinkB": 1, **style})


def draw():
    fig, ax = diagram(height=3.0, xlim=(0, 10.1), ylim=(-0.45, 4.7))

    # Clients and the one listening socket.
    _box(ax, (0.6, SOCKET_Y), 1.0, 3.65, "clients", "purple")
    _box(ax, (SOCKET_X, SOCKET_Y), 1.7, 0.95, "socket\nport 8000", "grey")
    _arrow(ax, (1.1, SOCKET_Y), (SOCKET_X - 0.85, SOCKET_Y))

    # The supervisor starts the workers but serves no request itself.
    _box(ax, (WORKER_X, SUPERVISOR_Y), WORKER_W, 0.55,
         "supervisor process: starts and restarts workers",
         "grey", fontsize=8)
    bus_x = WORKER_X + WORKER_W / 2 + 0.3
    dashed = {"color": PALETTE["grey"], "linewidth": 0.8,
              "linestyle": (0, (2, 2))}
    ax.plot([WORKER_X + WORKER_W / 2, bus_x, bus_x],
            [SUPERVISOR_Y, SUPERVISOR_Y, WORKER_Y[-1]], **dashed)

    left = WORKER_X - WORKER_W / 2
    for k, y in enumerate(WORKER_Y, start=1):
        _box(ax, (WORKER_X, y), WORKER_W, WORKER_H, "", "sky")
        ax.text(left + 0.12, y + 0.17, f"worker {k}", ha="left",
                va="center", fontsize=8.5, fontweight="bold")
        ax.text(left + 0.12, y - 0.17, "own interpreter and GIL",
                ha="left", va="center", fontsize=7.5)
        _box(ax, (WORKER_X + 1.45, y), 1.85, 0.55,
             "app + model copy", "green", fontsize=7.5)
        # Each worker accepts connections from the shared socket.
        _arrow(ax, (SOCKET_X + 0.85, SOCKET_Y), (left, y))
        # ...and was started by the supervisor.
        ax.plot([bus_x, WORKER_X + WORKER_W / 2], [y, y], **dashed)

    ax.text(WORKER_X, -0.2,
            "Nothing is shared: each worker loads its own model and keeps"
            " its own state.",
            ha="center", va="center", fontsize=8, fontstyle="italic")
    return fig
