"""Lion: the sign of an interpolated momentum."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import Optimizer, _check_number, _scaled_add_, _take


class Lion(Optimizer):
    """Lion with Keras's formula.

    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``, then
    ``m = beta_2 * m + (1 - beta_2) * g``.

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        beta_1: float in (0, 1]. Defaults to 0.9.
        beta_2: float in [0, 1). Defaults to 0.99.
        **kwargs: the base arguments of `Optimizer`.

    Example:
        >>> opt = Lion(learning_rate=1e-4)
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
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
        _check_number("beta_1", beta_1)
        if beta_1 <= 0 or beta_1 > 1:
            raise ArgumentError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}."
            )
        self.beta_1 = beta_1
        self.beta_2 = _check_number("beta_2", beta_2, 0.0, 1.0, high_open=True)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def _update(self, params, grads, idx, lr) -> None:
        ms = _take(self._momentums, idx)
        directions = torch._foreach_lerp(ms, grads, 1 - self.beta_1)
        torch._foreach_sign_(directions)
        _scaled_add_(params, directions, -lr)
        torch._foreach_lerp_(ms, grads, 1 - self.beta_2)

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
