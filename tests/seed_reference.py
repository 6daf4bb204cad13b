"""A plain restatement of the article's program, in its own shape, for tests and the benchmark.

Nothing here comes from the package: tests train this and the package side by
side and compare the numbers.  It keeps the article's costs too: batches are
collated in Python from per-sample dicts, and backward recomputes the sigmoid.
"""

import numpy as np


def seed_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def seed_sigmoid_derivative(x):
    return seed_sigmoid(x) * (1 - seed_sigmoid(x))


class SeedLinear:
    def __init__(self, in_features, out_features):
        self.weight = np.random.random((out_features, in_features))
        self.bias = np.zeros((out_features, 1))

    def forward(self, input):
        return self.weight.dot(input) + self.bias


class SeedNetwork:
    def __init__(self, layers_dim):
        self.layers_dim = layers_dim
        self.linear_list = [SeedLinear(layers_dim[i - 1], layers_dim[i]) for i in range(1, len(layers_dim))]

    def forward(self, x):
        caches = {"z": [x], "a": [x]}
        for i, linear in enumerate(self.linear_list):
            z = linear.forward(caches["a"][-1])
            caches["z"].append(z)
            caches["a"].append(z if i == len(self.linear_list) - 1 else seed_sigmoid(z))
        return caches, caches["a"][-1]

    def backward(self, caches, output, y):
        grads, m, last = {}, y.shape[1], len(self.linear_list) - 1
        grads["dz" + str(last)] = output - y
        for i in range(last, -1, -1):
            if i < last:
                grads["dz" + str(i)] = (self.linear_list[i + 1].weight.T.dot(grads["dz" + str(i + 1)])
                                        * seed_sigmoid_derivative(caches["z"][i + 1]))
            grads["dw" + str(i)] = grads["dz" + str(i)].dot(caches["a"][i].T) / m
            grads["db" + str(i)] = np.sum(grads["dz" + str(i)], axis=1, keepdims=True) / m
        return grads

    def update_grads(self, grads, learning_rate):
        for i, linear in enumerate(self.linear_list):
            linear.weight -= learning_rate * grads["dw" + str(i)]
            linear.bias -= learning_rate * grads["db" + str(i)]


class SeedDataset:
    def __init__(self, step=0.01):
        self.x = np.arange(0.0, 2.0, step)
        self.y = 20 * np.sin(2 * np.pi * self.x)
        self.samples = [{"x": xi, "y": yi} for xi, yi in zip(self.x, self.y)]

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


class SeedDataLoader:
    """The article's loader: iterating returns the loader itself; each batch is collated sample by sample."""

    def __init__(self, dataset, batch_size):
        self.dataset, self.batch_size, self.index = dataset, batch_size, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.index >= len(self.dataset):
            self.index = 0
            raise StopIteration
        items = [self.dataset[i] for i in range(self.index, min(self.index + self.batch_size, len(self.dataset)))]
        self.index += self.batch_size
        return {"x": np.array([item["x"] for item in items]).reshape(1, -1),
                "y": np.array([item["y"] for item in items]).reshape(1, -1)}


def seed_train(net, loader, epochs, learning_rate=0.03, log_every=1):
    """The article's training loop, silent; returns the loss of each batch of every
    ``log_every``-th epoch (the article prints them every 100), before its update."""
    losses = []
    for epoch in range(epochs):
        for batch in loader:
            caches, output = net.forward(batch["x"])
            if epoch % log_every == 0:
                losses.append(np.mean((output - batch["y"]) ** 2))
            net.update_grads(net.backward(caches, output, batch["y"]), learning_rate)
    return losses


def seed_net_like(weights, biases):
    """A SeedNetwork holding copies of the given weights and biases (lists of arrays)."""
    net = SeedNetwork([weights[0].shape[1]] + [w.shape[0] for w in weights])
    for linear, w, b in zip(net.linear_list, weights, biases):
        linear.weight, linear.bias = w.copy(), b.copy()
    return net
