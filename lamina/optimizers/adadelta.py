"""Adadelta: step sizes from running averages of gradients and of updates."""

from __future__ import annotations

import torch

from lamina.optimizers.optimizer import Optimizer, _check_number, _scaled_add_, _take


class Adadelta(Optimizer):
    """Adadelta with Keras's formula.

    ``G = rho * G + (1 - rho) * g**2``,
    ``d = -sqrt(D + eps) / sqrt(G + eps) * g``, ``D = rho * D + (1 - rho) * d**2``
    and ``w += lr * d``.

    Example:
        >>> opt = Adadelta(learning_rate=1.0)

    Args:
        rho: float in [0, 1), the decay rate of the running averages.
        {arguments}
    """

    _jit_update = True  # its update traces: jit_compile compiles it
    _config_arguments = ("rho", "epsilon")

    def __init__(
        self,
        learning_rate=0.001,
        rho: float = 0.95,
        epsilon: float = 1e-7,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = _check_number("rho", rho, 0.0, 1.0, high_open=True)
        self.epsilon = _check_number("epsilon", epsilon, low=0.0)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = (
            self.add_optimizer_variables(
                var_list, ["accumulated_grad", "accumulated_delta_var"]
            )
        )

    def _update(self, params, grads, idx, lr) -> None:
        rho, eps = self.rho, self.epsilon
        acc_grads = _take(self._accumulated_grads, idx)
        acc_deltas = _take(self._accumulated_delta_vars, idx)
        torch._foreach_mul_(acc_grads, rho)
        torch._foreach_addcmul_(acc_grads, grads, grads, value=1 - rho)
        # `deltas` holds -d: the sign goes into the final scaled add.
        deltas = torch._foreach_add(acc_deltas, eps)
        torch._foreach_sqrt_(deltas)
        torch._foreach_mul_(deltas, grads)
        grad_rms = torch._foreach_add(acc_grads, eps)
        torch._foreach_sqrt_(grad_rms)
        torch._foreach_div_(deltas, grad_rms)
        torch._foreach_mul_(acc_deltas, rho)
        torch._foreach_addcmul_(acc_deltas, deltas, deltas, value=1 - rho)
        _scaled_add_(params, deltas, -lr)
