"""The losses a network can learn with, named like torch.nn's: each with forward and backward."""

from .MSELoss import MSELoss

__all__ = ["MSELoss"]
