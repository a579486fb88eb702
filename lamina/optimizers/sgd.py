"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import Optimizer, _scaled_add_, _take


class SGD(Optimizer):
    """Gradient descent with momentum, using Keras's formulation.

    With ``momentum > 0``: ``m = momentum * m - lr * g``, then ``w += m``
    (``w += momentum * m - lr * g`` with Nesterov). Without: ``w -= lr * g``.

    Example:
        >>> opt = SGD(learning_rate=0.1, momentum=0.9)

    Args:
        nesterov: bool, use Nesterov momentum.
        {arguments}
    """

    _jit_update = True  # its update traces: jit_compile compiles it
    _config_arguments = ("momentum", "nesterov")

    def __init__(
        self,
        learning_rate=0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if (
            isinstance(momentum, bool)
            or not isinstance(momentum, (int, float))
            or not (0 <= momentum <= 1)
        ):
            raise ArgumentError(
                "`momentum` must be a float between [0, 1]. "
                f"Received: momentum={momentum}"
            )
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _update(self, params, grads, idx, lr) -> None:
        if self.momentum == 0:
            _scaled_add_(params, grads, -lr)
            return
        ms = _take(self.momentums, idx)
        torch._foreach_mul_(ms, self.momentum)
        _scaled_add_(ms, grads, -lr)
        if self.nesterov:
            torch._foreach_add_(params, ms, alpha=self.momentum)
            _scaled_add_(params, grads, -lr)
        else:
            torch._foreach_add_(params, ms)
