"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

import torch

from lamina.optimizers.optimizer import (
    Optimizer,
    _check_number,
    _f32,
    _scaled_addcdiv_,
    _take,
)


class Adamax(Optimizer):
    """Adamax with Keras's formula.

    ``m = beta_1 * m + (1 - beta_1) * g``, ``u = max(beta_2 * u, |g|)`` and
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float in [0, 1). Defaults to 0.9.
        beta_2: float in [0, 1). Defaults to 0.999.
        epsilon: float. Defaults to 1e-7.
        **kwargs: the base arguments of `Optimizer`.

    Example:
        >>> opt = Adamax(learning_rate=0.002)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
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
        self.beta_1 = _check_number("beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_number("beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_number("epsilon", epsilon, low=0.0)
        self._beta_1_f32 = _f32(beta_1)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _update(self, params, grads, idx, lr) -> None:
        beta_1_power = _f32(self._beta_1_f32 ** self._local_step())
        ms = _take(self._m, idx)
        us = _take(self._u, idx)
        torch._foreach_lerp_(ms, grads, 1 - self.beta_1)
        torch._foreach_mul_(us, self.beta_2)
        torch._foreach_maximum_(us, torch._foreach_abs(grads))
        denominators = torch._foreach_add(us, self.epsilon)
        _scaled_addcdiv_(params, ms, denominators, -lr / (1 - beta_1_power))

    def get_config(self):
        config = super().get_config()
        config.update(
            {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        )
        return config
