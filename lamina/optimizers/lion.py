"""Lion: the sign of an interpolated momentum."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import Optimizer, _check_number, _scaled_add_, _take


class Lion(Optimizer):
    """Lion with Keras's formula.

    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``, then
    ``m = beta_2 * m + (1 - beta_2) * g``.

    Example:
        >>> opt = Lion(learning_rate=1e-4)

    Args:
        beta_1: float in (0, 1], the interpolation giving the update's sign.
        beta_2: float in [0, 1), the decay rate of the momentum.
        {arguments}
    """

    _jit_update = True  # its update traces: jit_compile compiles it
    _config_arguments = ("beta_1", "beta_2")

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
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
