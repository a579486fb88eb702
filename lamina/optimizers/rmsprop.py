"""RMSprop: divide the gradient by a running root mean square of its history."""

from __future__ import annotations

import torch

from lamina.optimizers.optimizer import (
    Optimizer,
    _check_number,
    _scaled_addcdiv_,
    _take,
)


class RMSprop(Optimizer):
    """RMSprop with Keras's formula: ``w -= lr * g / sqrt(v + epsilon)``.

    ``v = rho * v + (1 - rho) * g**2``; with ``centered`` the running mean of
    ``g`` is tracked too and ``v - mean**2`` is used; with ``momentum`` the
    increments accumulate in a momentum slot.

    Example:
        >>> opt = RMSprop(learning_rate=0.01, centered=True)

    Args:
        rho: float in [0, 1), the discount of old squared gradients.
        epsilon: float, added inside the square root.
        centered: bool, divide by the centered second moment.
        {arguments}
    """

    _jit_update = True  # its update traces: jit_compile compiles it
    _config_arguments = ("rho", "momentum", "epsilon", "centered")

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = _check_number("rho", rho, 0.0, 1.0, high_open=True)
        self.momentum = _check_number("momentum", momentum, 0.0, 1.0)
        self.epsilon = _check_number("epsilon", epsilon, low=0.0)
        self.centered = centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(
                var_list, "average_gradient"
            )

    def _update(self, params, grads, idx, lr) -> None:
        rho = self.rho
        vs = _take(self._velocities, idx)
        torch._foreach_mul_(vs, rho)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - rho)
        if self.centered:
            avgs = _take(self._average_gradients, idx)
            torch._foreach_mul_(avgs, rho)
            torch._foreach_add_(avgs, grads, alpha=1 - rho)
            denominators = torch._foreach_addcmul(vs, avgs, avgs, value=-1)
            torch._foreach_add_(denominators, self.epsilon)
        else:
            denominators = torch._foreach_add(vs, self.epsilon)
        torch._foreach_sqrt_(denominators)
        if self.momentum > 0:
            ms = _take(self._momentums, idx)
            torch._foreach_mul_(ms, self.momentum)
            _scaled_addcdiv_(ms, grads, denominators, lr)
            torch._foreach_sub_(params, ms)
        else:
            _scaled_addcdiv_(params, grads, denominators, -lr)
