"""The whole net, drawn (net.png), as TensorFlow Playground draws it: layers as columns, each weight
an edge coloured by its sign and as wide as its size, and each unit drawn with what it computes.

- one input: each unit's activation a_j(x) as a curve over x; the output's fit over the target last
  (a classifier's: each class's probability over x);
- two inputs: each unit's activation as a map over the plane; the output's map last (a classifier's:
  each class's probability, tinted by the class's colour, as in the decision map);
- more inputs: the units as plain boxes, the edges alone.

Drawn for nets of up to MAX_UNITS units a layer; larger ones get a line saying why.
"""

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from code.see.maps import class_colours, class_probabilities, map_grid
from code.see.output import figure, sorted_sample

MAX_UNITS = 100                      # units a layer the figure draws at most
CURVE_POINTS = 100                   # points of each unit's curve (one input)
MAP_POINTS = 40                      # each unit's map: MAP_POINTS x MAP_POINTS (two inputs)
BOX = 0.36                           # a unit's picture: this share of the distance between columns


def too_large(layers_dim: list) -> str:
    """Why the net is too large to draw, or "" when it is not."""
    widest = max(layers_dim)
    return f"it draws up to {MAX_UNITS} units a layer; this net has {widest}" if widest > MAX_UNITS else ""


def places(layers_dim: list) -> list:
    """Each column's units' centres: [(x (n,), y (n,))], columns at x = 0, 1, ..., units top to bottom."""
    return [(np.full(n, float(c)), 1 - (np.arange(n) + 0.5) / n) for c, n in enumerate(layers_dim)]


def box_sizes(dims: list, width: float, height: float) -> list:
    """Each column's picture size (w, h) in the axes' units (columns 1 apart, the axes 1 high) on an
    axes of width x height inches: as tall as the column has room for, 1.6 times as wide, at most
    BOX of the way to the next column."""
    spacing = width / len(dims)                                         # inches from column to column
    sizes = []
    for n in dims:
        inches = min(1.6 * min(0.8 / n, 0.22) * height, BOX * spacing)  # the box's width
        sizes.append((inches / spacing, inches / 1.6 / height))
    return sizes


def draw_edges(ax, net, centres: list, sizes: list) -> None:
    """One line per weight W_i[k, j] from unit j of column i to unit k of column i + 1, box side to
    box side: red when positive, blue when negative, width up to 3 points for the layer's largest |W|."""
    for i, linear in enumerate(net.linear_list):
        (x0, y0), (x1, y1) = centres[i], centres[i + 1]
        x0, x1 = x0 + sizes[i][0] / 2, x1 - sizes[i + 1][0] / 2
        w = linear.weight                                              # (out, in)
        k, j = np.meshgrid(np.arange(w.shape[0]), np.arange(w.shape[1]), indexing="ij")
        segments = np.stack([np.column_stack([x0[j.ravel()], y0[j.ravel()]]),
                             np.column_stack([x1[k.ravel()], y1[k.ravel()]])], axis=1)   # (out * in, 2, 2)
        size = np.abs(w.ravel()) / max(float(np.abs(w).max()), 1e-12)
        colours = np.where(w.ravel()[:, None] > 0, [0.8, 0.1, 0.1, 1.0], [0.1, 0.3, 0.8, 1.0])
        colours[:, 3] = 0.15 + 0.6 * size
        ax.add_collection(LineCollection(segments, colors=colours, linewidths=0.2 + 2.8 * size, zorder=1))


def column_values(net, inputs: np.ndarray, classify: bool) -> list:
    """What each column's units compute over ``inputs`` (in, n): [(units, n)], the inputs first,
    each hidden layer's a, and the output (a classifier's: each class's probability)."""
    with np.errstate(over="ignore", invalid="ignore"):
        caches, output = net.forward(inputs)
    last = class_probabilities(output)[-output.shape[0]:] if classify else output    # one logit: p(class 1)
    return [*caches["a"][:-1], last]


def draw_curves(ax, xs: np.ndarray, values: np.ndarray, centre: tuple, width: float, height: float,
                low: float, high: float) -> LineCollection:
    """Each unit's curve, values (units, n) over xs (n,) in [0, 1], inside its box; low..high fills it."""
    span = max(high - low, 1e-12)
    segments = [np.column_stack([cx - width / 2 + width * xs, cy - height / 2 + height * (v - low) / span])
                for cx, cy, v in zip(*centre, values)]
    return ax.add_collection(LineCollection(segments, colors="k", linewidths=0.8, zorder=3))


def draw_maps(ax, values: np.ndarray, centre: tuple, width: float, height: float, colours=None) -> None:
    """Each unit's map, values (units, MAP_POINTS ** 2), inside its box: viridis from the unit's
    lowest to its highest value, or white to ``colours[k]`` (a class's) by a probability."""
    for k, (cx, cy, v) in enumerate(zip(*centre, values)):
        grid = v.reshape(MAP_POINTS, MAP_POINTS)
        if colours is None:
            low, high = float(np.nanmin(grid)), float(np.nanmax(grid))
            image = colormaps["viridis"]((grid - low) / max(high - low, 1e-12))
        else:
            image = 1 - grid[..., None] * (1 - colours[k % len(colours)])
        ax.imshow(image, origin="lower", interpolation="bilinear", aspect="auto", zorder=3,
                  extent=(cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2))


def plot_net(net, x: np.ndarray, y: np.ndarray, classify: bool) -> Figure:
    """The whole net: edges for the weights and, for one or two inputs, each unit's picture.
    x: (in, N) the data's inputs, y: (out, N) its targets (drawn under a one-input fit)."""
    dims = net.layers_dim
    width, height = 1.0 + 2.2 * len(dims), float(np.clip(0.3 * max(dims) + 1.2, 4, 16))
    fig = figure(width, height, left=0.01, right=0.99, bottom=0.7 / height, top=1 - 0.4 / height)   # room for 3 lines
    ax = fig.add_subplot()
    ax.set(xlim=(-0.5, len(dims) - 0.5), ylim=(0, 1))
    ax.set_axis_off()
    centres, sizes = places(dims), box_sizes(dims, 0.98 * width, height - 1.1)
    draw_edges(ax, net, centres, sizes)
    for centre, size in zip(centres, sizes):
        ax.add_collection(_boxes(*centre, *size))
    if x.shape[0] == 1:
        _draw_one_input(ax, net, x, y, classify, centres, sizes)
    elif x.shape[0] == 2:
        _draw_two_inputs(ax, net, x, classify, centres, sizes)
    _label_columns(ax, dims, x.shape[0])
    return fig


def _boxes(cx: np.ndarray, cy: np.ndarray, width: float, height: float) -> PatchCollection:
    """A white box with a grey frame at each unit, under its picture."""
    patches = [Rectangle((a - width / 2, b - height / 2), width, height) for a, b in zip(cx, cy)]
    return PatchCollection(patches, facecolor="white", edgecolor="0.4", linewidth=0.6, zorder=2)


def _draw_one_input(ax, net, x, y, classify, centres, sizes) -> None:
    """Curves over x: the input itself, each hidden unit's a_j(x), the output (with the target)."""
    shown = sorted_sample(x[0], CURVE_POINTS)
    xs = (x[0, shown] - x[0, shown].min()) / max(float(np.ptp(x[0, shown])), 1e-12)          # (n,) in [0, 1]
    values = column_values(net, x[:, shown], classify)
    for c, (v, (box_w, box_h)) in enumerate(zip(values, sizes)):
        low, high = float(np.nanmin(v)), float(np.nanmax(v))
        if c == len(values) - 1 and classify:
            low, high = 0.0, 1.0                                                        # probabilities
        elif c == len(values) - 1:
            low, high = min(low, float(y.min())), max(high, float(y.max()))
            ty = centres[c][1][0] - box_h / 2 + box_h * (y[0, shown] - low) / max(high - low, 1e-12)
            ax.scatter(centres[c][0][0] - box_w / 2 + box_w * xs, ty, s=1, color="0.6", zorder=3)
        draw_curves(ax, xs, v, centres[c], box_w, box_h, low, high)


def _draw_two_inputs(ax, net, x, classify, centres, sizes) -> None:
    """Maps over the plane: each input, each hidden unit, the output (a classifier's classes tinted)."""
    grid, _ = map_grid(x, MAP_POINTS)
    values = column_values(net, grid, classify)
    for c, (v, size) in enumerate(zip(values, sizes)):
        last = c == len(values) - 1
        colours = class_colours(net)[-v.shape[0]:] if last and classify else None        # one logit: class 1's
        draw_maps(ax, v, centres[c], *size, colours)


def _label_columns(ax, dims: list, inputs: int) -> None:
    """Each column's name and size above it; what the pictures and the edges mean below."""
    for c, n in enumerate(dims):
        name = "input" if c == 0 else "output" if c == len(dims) - 1 else f"hidden layer {c}"
        ax.text(c, 1.01, f"{name}: {n}", ha="center", va="bottom", fontsize="medium")
    pictures = {1: "Each box: the unit's value over x, from the column's lowest to its highest.\n",
                2: "Each box: the unit's value over the plane (x0 across, x1 up), viridis from its lowest (dark)\n"
                   "to its highest (yellow); a classifier's output: each class's probability in its colour.\n"}.get(inputs, "")
    ax.text(0.5, -0.01, pictures + "Edges: red W > 0, blue W < 0, the wider the larger |W| (in each layer).",
            transform=ax.transAxes, ha="center", va="top", fontsize="small")
