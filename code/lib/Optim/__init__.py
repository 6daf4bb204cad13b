"""Optimizers named and written like torch.optim: SGD (the article's step, and momentum) and Adam."""

from .Adam import Adam
from .SGD import SGD

OPTIMIZERS = ("sgd", "adam")


def make_optimizer(cfg, params: dict):
    """SGD(params, lr, momentum) or Adam(params, lr, betas, eps), from the config keys."""
    if cfg.optimizer == "adam":
        return Adam(params, cfg.learning_rate, betas=tuple(cfg.betas), eps=cfg.eps, weight_decay=cfg.weight_decay)
    return SGD(params, cfg.learning_rate, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
