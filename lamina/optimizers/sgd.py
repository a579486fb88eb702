"""Stochastic gradient descent, with optional (Nesterov) momentum."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import Optimizer, _scaled_add_, _take


class SGD(Optimizer):
    """Gradient descent with momentum, using Keras's formulation.

    With ``momentum > 0``: ``m = momentum * m - lr * g``, then ``w += m``
    (``w += momentum * m - lr * g`` with Nesterov). Without: ``w -= lr * g``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.01.
        momentum: float in [0, 1]. Defaults to 0.0.
        nesterov: bool, use Nesterov momentum. Defaults to False.
        **kwargs: the base arguments of `Optimizer` (``weight_decay``,
            ``clipnorm``, ``clipvalue``, ``global_clipnorm``, ``use_ema``, ...).

    Example:
        >>> opt = SGD(learning_rate=0.1, momentum=0.9)
    """

    def __init__(
        self,
        learning_rate=0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
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

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
