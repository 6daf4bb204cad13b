"""One training step, every number printed: ``python demo.py --explain``.

Forward, loss, backward and update in the order of the README's math table, on
the first few points of the data, for the net as it stands (the checkpoint's
weights when resuming, else the initial ones); then every dw and db entry
checked against central finite differences.  It trains nothing; the one file it writes is the step
drawn as a graph (code/see/graph.py), step.png beside the checkpoint, for a net of a few units.
"""

import copy

import numpy as np

from code.lib.gradcheck import gradient_check
from code.lib.Loss.CrossEntropyLoss import CrossEntropyLoss, probabilities
from code.lib.Optim import Adam
from code.see.graph import check_graph_path, draw_step

WHOLE = 100                                            # arrays up to this many entries (10 x 10) print whole


def hidden_shares(net, x: np.ndarray) -> tuple:
    """The last hidden layer's units a_j(x) and their weighted shares W[0, j] a_j(x) of the first
    output.  x: (in, N).  Returns (units (H, N), shares (H, N), bias b[0], output (out, N)):
    output[0] = sum of the shares + bias (hidden.png and the animation draw both)."""
    with np.errstate(over="ignore"):
        caches, output = net.forward(x)
    units = caches["a"][-2]                                       # a of the last hidden layer, (H, N)
    last = net.linear_list[-1]
    shares = last.weight[0][:, None] * units                      # W[0, j] * a_j(x), (H, N)
    return units, shares, float(last.bias[0, 0]) if last.bias is not None else 0.0, output


def show(name: str, formula: str, value: np.ndarray) -> None:
    """One line per array: name = formula, its shape, then its values (or a summary if large)."""
    value = np.asarray(value)
    print(f"  {name} = {formula}    shape {value.shape}" if formula else f"  {name}    shape {value.shape}")
    if value.size <= WHOLE:
        text = np.array2string(value, precision=6, suppress_small=False, max_line_width=100)
    else:
        text = f"norm {np.linalg.norm(value):.6g}; first entries {np.array2string(value.ravel()[:5], precision=6)}"
    print("      " + text.replace("\n", "\n      "))


def explain_forward(net, x: np.ndarray) -> tuple:
    caches, output = net.forward(x)
    last = len(net.linear_list) - 1
    print(f"forward (a[0] = x, {x.shape[1]} samples as columns)")
    show("a[0]", "x", x)
    for i in range(last + 1):
        show(f"z[{i + 1}]", f"W{i} . a[{i}] + b{i}", caches["z"][i + 1])
        if i < last:
            show(f"a[{i + 1}]", f"{net.activation}(z[{i + 1}])", caches["a"][i + 1])
    print(f"  output = z[{last + 1}] (the last layer has no activation)")
    return caches, output


def explain_loss(net, output: np.ndarray, y: np.ndarray) -> str:
    """Print the loss of the step; returns the formula of the last layer's dz."""
    m = y.shape[1]
    if isinstance(net.loss, CrossEntropyLoss):
        binary = output.shape[0] == 1
        show("p", "sigmoid(output): P(label 1)" if binary else "softmax(output), column by column", probabilities(output))
        show("y", "labels", y)
        print(f"loss: J = mean of -log p_label = {net.loss.forward(output, y):.10g}")
        return "p - y" if binary else "p - onehot(y)"
    print(f"loss: J = (1 / 2m) sum((output - y)^2) = {np.sum((output - y) ** 2) / (2 * m):.10g}"
          f"    (the article's log prints mean((output - y)^2) = {np.mean((output - y) ** 2):.10g})")
    show("y", "target", y)
    return "output - y"


def explain_backward(net, caches: dict, output: np.ndarray, y: np.ndarray) -> dict:
    last = len(net.linear_list) - 1
    first = explain_loss(net, output, y)
    grads = net.backward(caches, output, y)
    print("backward (dz{i} is m * dJ/dz[i+1]; dw{i}, db{i} are dJ/dW_i, dJ/db_i)")
    for i in range(last, -1, -1):
        if i == last:
            show(f"dz{i}", first, grads[f"dz{i}"])
        else:
            a = caches["a"][i + 1]
            show(f"da[{i + 1}]", f"W{i + 1}^T . dz{i + 1}", net.linear_list[i + 1].weight.T.dot(grads[f"dz{i + 1}"]))
            show(f"{net.activation}'(z[{i + 1}])", f"derivative at z[{i + 1}], from a[{i + 1}]",
                 net.act.backward(np.ones_like(a), a))
            show(f"dz{i}", f"W{i + 1}^T . dz{i + 1} * {net.activation}'(z[{i + 1}])", grads[f"dz{i}"])
        show(f"dw{i}", f"dz{i} . a[{i}]^T / m", grads[f"dw{i}"])
        show(f"db{i}", f"sum of dz{i}'s columns / m", grads[f"db{i}"])
    print("gradient norms, layer by layer: " +
          ", ".join(f"||dW{i}|| = {np.linalg.norm(grads[f'dw{i}']):.4g}" for i in range(last + 1)))
    return grads


def describe_optimizer(optimizer) -> tuple:
    """(title, {state key prefix: its formula}, the new value's formula) of SGD, momentum or Adam;
    in the formulas W stands for a parameter and g for its gradient."""
    if isinstance(optimizer, Adam):
        beta1, beta2 = optimizer.betas
        title = (f"Adam, lr = {optimizer.lr}, betas = ({beta1}, {beta2}), eps = {optimizer.eps}, "
                 f"step t = {int(optimizer.state['step']) + 1}")
        return (title, {"exp_avg": "m = beta1 m + (1 - beta1) g", "exp_avg_sq": "v = beta2 v + (1 - beta2) g^2"},
                "W - lr * m_hat / (sqrt(v_hat) + eps), m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)")
    if optimizer.momentum:
        return (f"SGD with momentum mu = {optimizer.momentum}, lr = {optimizer.lr}",
                {"momentum_buffer": "b = mu * b + g (b = g at the first step)"}, "W - lr * b")
    return f"the article's gradient descent, learning rate lr = {optimizer.lr}", {}, "W - lr * g"


def explain_update(net, grads: dict, optimizer) -> None:
    """The optimizer's step on copies of the parameters and of its state: nothing live changes."""
    title, state_formulas, formula = describe_optimizer(optimizer)
    print(f"update ({title})")
    trial = copy.deepcopy(optimizer)                      # its own copies of the parameters and state
    trial.step(grads)
    for name, before in net.parameters().items():         # w0, b0, w1, ...
        shown, grad = name.replace("w", "W"), "d" + name  # W0 and dw0, as the backward pass names them
        show(f"{shown} before", "", before)
        for key, state_formula in state_formulas.items():
            show(f"{key}_{name}", state_formula.replace(" g", " " + grad), trial.state[f"{key}_{name}"])
        show(f"{shown} after", formula.replace("W", shown, 1).replace(" g", " " + grad), trial.params[name])


def explain(trainer, samples: int) -> int:
    """Print one step on the first ``samples`` points; exit status 0, or 1 if the gradient check fails."""
    net, x, y = trainer.net, trainer.x[:, :samples], trainer.y[:, :samples]
    check_graph_path(trainer.cfg)                          # before anything: step.png overwrites no file
    print(f"one step of {net.layers_dim} ({net.activation}) at epoch {trainer.epoch}, on the first "
          f"{x.shape[1]} points; nothing is trained, nothing written but the step's graph")
    with np.errstate(over="ignore"):
        caches, output = explain_forward(net, x)
        grads = explain_backward(net, caches, output, y)
        explain_update(net, grads, trainer.optimizer)
        error = max(gradient_check(net, x, y, entrywise=True).values())   # every dw, db entry
    print(f"gradient check: max relative error {error:.1e}")
    with np.errstate(over="ignore"):
        draw_step(trainer.cfg, net, x, y, caches, output, grads)
    return 0 if error < 1e-6 else 1
