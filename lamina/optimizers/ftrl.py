"""FTRL-Proximal ("Follow The Regularized Leader")."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import Optimizer, _take


class Ftrl(Optimizer):
    """FTRL-Proximal with Keras's formula, for large sparse linear models.

    Example:
        >>> opt = Ftrl(learning_rate=0.1, l1_regularization_strength=0.01)

    Args:
        learning_rate_power: float <= 0, how the step size falls as the
            accumulated squared gradients grow.
        l1_regularization_strength: float >= 0.
        l2_regularization_strength: float >= 0.
        l2_shrinkage_regularization_strength: float >= 0, an L2 penalty applied
            to the gradient (not to the objective, as ``l2`` is).
        beta: float, added to the L2 strength as ``beta / (2 * lr)``.
        {arguments}
    """

    _jit_update = True  # its update traces: jit_compile compiles it
    _config_arguments = (
        "learning_rate_power",
        "initial_accumulator_value",
        "l1_regularization_strength",
        "l2_regularization_strength",
        "l2_shrinkage_regularization_strength",
        "beta",
    )

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        checks = (
            (
                "initial_accumulator_value",
                initial_accumulator_value,
                "positive or zero",
            ),
            ("learning_rate_power", -learning_rate_power, "negative or zero"),
            (
                "l1_regularization_strength",
                l1_regularization_strength,
                "positive or zero",
            ),
            (
                "l2_regularization_strength",
                l2_regularization_strength,
                "positive or zero",
            ),
            (
                "l2_shrinkage_regularization_strength",
                l2_shrinkage_regularization_strength,
                "positive or zero",
            ),
        )
        for arg, value, expected in checks:
            if value < 0.0:
                shown = -value if arg == "learning_rate_power" else value
                raise ArgumentError(
                    f"`{arg}` needs to be {expected}. Received: {arg}={shown}."
                )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list,
            ["accumulator", "linear"],
            initializer=[float(self.initial_accumulator_value), "zeros"],
        )

    def _update(self, params, grads, idx, lr) -> None:
        accs = _take(self._accumulators, idx)
        linears = _take(self._linears, idx)
        power = -self.learning_rate_power
        l1 = float(self.l1_regularization_strength)
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrink = self.l2_shrinkage_regularization_strength
        grads_to_use = (
            torch._foreach_add(grads, params, alpha=2 * shrink) if shrink else grads
        )
        new_accs = torch._foreach_addcmul(accs, grads, grads)
        new_powers = torch._foreach_pow(new_accs, power)
        sigmas = torch._foreach_sub(new_powers, torch._foreach_pow(accs, power))
        torch._foreach_div_(sigmas, lr)
        torch._foreach_mul_(sigmas, params)
        torch._foreach_add_(linears, grads_to_use)
        torch._foreach_sub_(linears, sigmas)
        quadratics = torch._foreach_div(new_powers, lr)
        torch._foreach_add_(quadratics, 2 * l2)
        clipped = torch._foreach_clamp_max(linears, l1)
        torch._foreach_clamp_min_(clipped, -l1)
        torch._foreach_sub_(clipped, linears)
        torch._foreach_div_(clipped, quadratics)
        torch._foreach_copy_(params, clipped)
        torch._foreach_copy_(accs, new_accs)
