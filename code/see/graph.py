"""The step ``--explain`` prints, drawn as a graph: ``python demo.py --explain --layers-dim 1 2 1``.

One node for each input, each unit's z and a, each output and the loss; one edge for each weight.
A node shows its forward value (blue) over its gradient (red), one number per sample; a weight's edge
shows W over dW; an activation's edge shows its local derivative.  One path is marked (green): the
gradient of one weight as the product of the local derivatives along it.  Every number is one
``--explain`` prints, rounded to 4 significant digits; each text artist's gid names the array and
entry it shows (a test reads them back).

Arrays, for a net of layers_dim [d0, ..., dK] on m samples:
    x (d0, m); caches["z"][i], caches["a"][i] (d_i, m); grads["dz{i}"] (d_{i+1}, m),
    grads["dw{i}"] (d_{i+1}, d_i), grads["db{i}"] (d_{i+1}, 1); output (dK, m); y (1 or dK, m).
"""

import os

import numpy as np
from matplotlib.figure import Figure

from code.config.validate import ConfigError
from code.run import paths
from code.see import output as out

FORWARD, BACKWARD, PATH = "tab:blue", "tab:red", "tab:green"
MAX_UNITS, MAX_HIDDEN_LAYERS, MAX_SAMPLES = 3, 2, 4        # above these the graph would not be readable
MAX_WEIGHTS = 6                                              # edges between two layers: 3 x 3 crowd their labels
NAME = "step.png"                                            # beside the checkpoint
SPACING = 1.6                                                # between the nodes of a column


def graph_path(cfg) -> str:
    """Where the graph goes: step.png in the checkpoint's folder."""
    return os.path.join(os.path.dirname(cfg.ckpt_path) or ".", NAME)


def check_graph_path(cfg) -> None:
    """ConfigError when step.png would be a file the run writes or reads (it must overwrite nothing)."""
    target = os.path.realpath(graph_path(cfg))
    taken = dict(paths.outputs(cfg), data_path=cfg.data_path and os.path.realpath(cfg.data_path))
    for key, path in taken.items():
        if path == target:
            raise ConfigError(f"--explain draws its step to {graph_path(cfg)}, which is {key}; "
                              f"give {key} another name")


def why_not(dims: list, samples: int) -> str:
    """"" when the graph can be drawn, else why not (one clause)."""
    if len(dims) < 3:
        return "the graph needs a hidden layer"
    weights = max(a * b for a, b in zip(dims, dims[1:]))
    if len(dims) - 2 > MAX_HIDDEN_LAYERS or max(dims) > MAX_UNITS or weights > MAX_WEIGHTS or samples > MAX_SAMPLES:
        return (f"the graph draws at most {MAX_HIDDEN_LAYERS} hidden layers of at most {MAX_UNITS} units and "
                f"{MAX_WEIGHTS} weights a layer, on at most {MAX_SAMPLES} points (here {dims} on {samples})")
    return ""


def number(value: float) -> str:
    """One number as the graph writes it: 4 significant digits."""
    return f"{value:.4g}"


def row(values: np.ndarray) -> str:
    """One unit's values over the samples, (m,): "[0.5 0.5014 0.5027]"."""
    return "[" + " ".join(number(v) for v in values) + "]"


def columns(dims: list) -> list:
    """The graph's columns, left to right: (kind, array index, units); kind is x, z, a or loss."""
    cols = [("x", 0, dims[0])]
    for i in range(1, len(dims)):
        cols.append(("z", i, dims[i]))
        if i < len(dims) - 1:
            cols.append(("a", i, dims[i]))
    return cols + [("loss", 0, 1)]


def place(cols: list) -> dict:
    """{(kind, index, unit): (x, y)} for every node: columns 1 apart, centred on y = 0."""
    return {(kind, i, j): (c, (j - (n - 1) / 2) * -SPACING)
            for c, (kind, i, n) in enumerate(cols) for j in range(n)}


class StepGraph:
    """Draws one step: the net's arrays in, one matplotlib Figure out."""

    def __init__(self, net, x: np.ndarray, y: np.ndarray, caches: dict, output: np.ndarray, grads: dict):
        self.net, self.x, self.y, self.caches, self.output, self.grads = net, x, y, caches, output, grads
        self.dims = list(net.layers_dim)
        self.last = len(self.dims) - 1                       # z[last] is the output
        self.at = place(columns(self.dims))
        width = max(15.0, 2.6 * len(columns(self.dims)))           # room for a node's 3 or 4 numbers
        self.fig = out.figure(width, 2.4 + 1.9 * max(self.dims), left=0.01, right=0.99, bottom=0.01, top=0.93)
        self.ax = self.fig.add_subplot()
        self.ax.set_axis_off()

    def label(self, xy: tuple, text: str, gid: str, color: str, **style) -> None:
        """One text artist, its gid naming what it shows."""
        artist = self.ax.text(*xy, text, color=color, ha="center", **{"fontsize": 7.5, **style})
        artist.set_gid(gid)

    def node(self, key: tuple, name: str, forward: tuple, backward: tuple | None) -> None:
        """A node: its name, (gid, text) of its forward value above, of its gradient below."""
        x, y = self.at[key]
        self.ax.plot([x], [y], "o", ms=30, mfc="white", mec="0.3", zorder=3)
        self.ax.text(x, y, name, ha="center", va="center", fontsize=8, zorder=4)
        self.label((x, y + 0.24), forward[1], forward[0], FORWARD, va="bottom")
        if backward:
            self.label((x, y - 0.24), backward[1], backward[0], BACKWARD, va="top")

    def edge(self, start: tuple, end: tuple, marked: bool) -> None:
        """A forward arrow from node start to node end (green and wide when on the marked path)."""
        (x0, y0), (x1, y1) = self.at[start], self.at[end]
        if marked:
            self.ax.plot([x0, x1], [y0, y1], color=PATH, lw=7, alpha=0.35, zorder=1, solid_capstyle="round")
        self.ax.annotate("", (x1 - 0.08, y1), (x0 + 0.08, y0), zorder=2,
                         arrowprops={"arrowstyle": "-|>", "color": FORWARD, "lw": 1})

    def edge_text(self, start: tuple, end: tuple, lines: list, t: float = 0.5) -> None:
        """Texts on an edge, a fraction t of the way along it: [(gid, text, colour), ...] top down."""
        (x0, y0), (x1, y1) = self.at[start], self.at[end]
        x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        for k, (gid, text, color) in enumerate(lines):
            self.label((x, y + 0.05 - 0.2 * k), text, gid, color, va="bottom",
                       bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})

    def units(self) -> None:
        """The nodes of the inputs, of each unit's z and a, with the biases beside their z."""
        for j in range(self.dims[0]):
            self.node(("x", 0, j), f"x{sub(j)}", (f"a[0][{j}]", row(self.x[j])), None)
        for i in range(1, self.last + 1):
            for j in range(self.dims[i]):
                key, name = ("z", i, j), ("out" if i == self.last else f"z[{i}]") + sub(j)
                self.node(key, name, (f"z[{i}][{j}]", row(self.caches["z"][i][j])),
                          (f"dz{i - 1}[{j}]", f"dz{i - 1} = " + row(self.grads[f"dz{i - 1}"][j])))
                self.bias(key, i - 1, j)
                if i < self.last:
                    self.node(("a", i, j), f"a[{i}]{sub(j)}", (f"a[{i}][{j}]", row(self.caches["a"][i][j])),
                              (f"da[{i}][{j}]", f"da[{i}] = " + row(self.weight(i).T.dot(self.grads[f"dz{i}"])[j])))

    def weight(self, i: int) -> np.ndarray:
        """W_i (d_{i+1}, d_i), as the step found it."""
        return self.net.linear_list[i].weight

    def bias(self, key: tuple, i: int, j: int) -> None:
        """b_i[j] and db_i[j] under the node of z[i+1][j] (nothing when the net has no bias)."""
        layer = self.net.linear_list[i]
        if layer.bias is None:
            return
        x, y = self.at[key]
        self.label((x, y - 0.5), f"b{i} = {number(layer.bias[j, 0])}", f"b{i}[{j}]", FORWARD, va="top")
        self.label((x, y - 0.68), f"db{i} = {number(self.grads[f'db{i}'][j, 0])}", f"db{i}[{j}]", BACKWARD, va="top")

    def source(self, i: int, j: int) -> tuple:
        """The node layer i reads unit j from: an input, or a of the layer below."""
        return ("x", 0, j) if i == 0 else ("a", i, j)

    def weights(self, marked: set) -> None:
        """An edge per weight W_i[k, j], from a[i][j] to z[i+1][k], with W over dW."""
        for i in range(self.last):
            for k in range(self.dims[i + 1]):
                for j in range(self.dims[i]):
                    start, end = self.source(i, j), ("z", i + 1, k)
                    self.edge(start, end, (start, end) in marked)
                    self.edge_text(start, end, [
                        (f"W{i}[{k},{j}]", f"W{i} = {number(self.weight(i)[k, j])}", FORWARD),
                        (f"dw{i}[{k},{j}]", f"dW{i} = {number(self.grads[f'dw{i}'][k, j])}", BACKWARD)],
                        t=self.along(i, k, j))

    def along(self, i: int, k: int, j: int) -> float:
        """Where on the edge of W_i[k, j] its label goes: crossing edges get theirs apart."""
        if min(self.dims[i], self.dims[i + 1]) == 1:                 # a fan: the edges part by themselves
            return 0.5
        return min(0.75, max(0.25, 0.5 + 0.17 * (k - j)))

    def activations(self, marked: set) -> None:
        """An edge z[i][j] -> a[i][j] per hidden unit, with its local derivative sigma'(z)."""
        name = self.net.activation
        for i in range(1, self.last):
            slope = self.net.act.backward(np.ones_like(self.caches["a"][i]), self.caches["a"][i])
            for j in range(self.dims[i]):
                start, end = ("z", i, j), ("a", i, j)
                self.edge(start, end, (start, end) in marked)
                self.edge_text(start, end, [(f"{name}'(z[{i}])[{j}]", f"{name}' = {row(slope[j])}", BACKWARD)])

    def loss(self, marked: set) -> None:
        """The loss node, J and its targets, an edge from each output."""
        cross_entropy = type(self.net.loss).__name__ == "CrossEntropyLoss"
        self.node(("loss", 0, 0), "J", ("J", f"J = {number(self.net.loss.forward(self.output, self.y))}"),
                  ("dJ", "dJ/dJ = 1"))
        x, y = self.at[("loss", 0, 0)]
        for k, target in enumerate(self.y):
            self.label((x, y - 0.5 - 0.2 * k), f"{'labels' if cross_entropy else 'y'} = {row(target)}", f"y[{k}]",
                       "0.2", va="top")
        for k in range(self.dims[-1]):
            start = ("z", self.last, k)
            self.edge(start, ("loss", 0, 0), (start, ("loss", 0, 0)) in marked)
            self.edge_text(start, ("loss", 0, 0), [("", self.first(cross_entropy), BACKWARD)], t=0.4)

    def first(self, cross_entropy: bool) -> str:
        """The formula of the output's dz."""
        if not cross_entropy:
            return "dz = output - y"
        return "dz = p - y, p = sigmoid(output)" if self.dims[-1] == 1 else "dz = p - onehot(y), p = softmax"

    def path(self) -> set:
        """The marked path's edges: from W_{h-1}[0, 0] into the last hidden layer h, to the loss."""
        h = self.last - 1
        edges = {(self.source(h - 1, 0), ("z", h, 0)), (("z", h, 0), ("a", h, 0))}
        for k in range(self.dims[-1]):
            edges |= {(("a", h, 0), ("z", self.last, k)), (("z", self.last, k), ("loss", 0, 0))}
        return edges

    def factors(self) -> tuple:
        """(names, values (F, m)) of the local derivatives along the marked path, loss end first."""
        h, m = self.last - 1, self.x.shape[1]
        src = "x" if h == 1 else f"a[{h - 1}]{sub(0)}"
        below = self.caches["a"][h - 1][0]
        slope = self.net.act.backward(np.ones_like(self.caches["a"][h]), self.caches["a"][h])[0]
        if self.dims[-1] == 1:                               # one output: a single path, W_h[0, 0] on it
            names = [f"dz{h}", f"W{h}[0,0]", f"{self.net.activation}'(z[{h}]{sub(0)})", src]
            values = [self.grads[f"dz{h}"][0], np.full(m, self.weight(h)[0, 0]), slope, below]
        else:                                                # one path per output, summed in da
            names = [f"da[{h}]{sub(0)}", f"{self.net.activation}'(z[{h}]{sub(0)})", src]
            values = [self.weight(h).T.dot(self.grads[f"dz{h}"])[0], slope, below]
        return names, np.array(values)

    def product(self) -> None:
        """The marked weight's gradient, written as the mean over the samples of the path's product."""
        h, m = self.last - 1, self.x.shape[1]
        names, values = self.factors()
        summed = "" if self.dims[-1] == 1 else f"  (da[{h}]{sub(0)} = W{h}^T dz{h}: the {self.dims[-1]} outputs' paths summed)"
        formula = f"marked path:  dW{h - 1}[0,0] = (1/{m}) Σₙ " + " · ".join(name if name.startswith("W") else f"{name}ₙ" for name in names) + summed
        terms = " + ".join("(" + ")(".join(number(v) for v in column) + ")" for column in values.T)
        self.label((0.5, 0.075), formula, "path formula", PATH, transform=self.ax.transAxes, fontsize=9)
        self.label((0.5, 0.015), f"= (1/{m}) [{terms}] = {number(self.grads[f'dw{h - 1}'][0, 0])}",
                   "path terms", PATH, transform=self.ax.transAxes, fontsize=9)

    def draw(self) -> Figure:
        """The whole figure."""
        marked = self.path()
        self.units()
        self.weights(marked)
        self.activations(marked)
        self.loss(marked)
        self.product()
        self.fig.suptitle(f"one step of {self.dims} ({self.net.activation}) on the first {self.x.shape[1]} points, "
                          "one number per point: forward values in blue, gradients in red "
                          "(dz and da are m · dJ/dz, m · dJ/da, as --explain prints them); one path in green",
                          fontsize=9.5)
        bottom = min(y for _, y in self.at.values())
        self.ax.set_xlim(-0.6, len(columns(self.dims)) - 0.4)
        self.ax.set_ylim(bottom - 1.6, -bottom + 0.8)
        return self.fig


def sub(j: int) -> str:
    """j as subscript digits: z[1]₀."""
    return str(j).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def draw_step(cfg, net, x: np.ndarray, y: np.ndarray, caches: dict, output: np.ndarray, grads: dict) -> None:
    """Save (and show, where it can be seen) the graph of the step, or say in one line why not."""
    reason = why_not(list(net.layers_dim), x.shape[1])
    if reason:
        print(f"step graph: not drawn: {reason}")
        return
    fig = StepGraph(net, x, y, caches, output, grads).draw()
    written = out.save_figure(fig, graph_path(cfg))
    print(f"step graph saved: {written}")
    if out.display_kind():
        out.show([fig], [written])
