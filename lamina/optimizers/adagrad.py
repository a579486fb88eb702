"""Adagrad: per-parameter learning rates from the sum of squared gradients."""

from __future__ import annotations

import torch

from lamina.optimizers.optimizer import (
    Optimizer,
    _check_number,
    _scaled_addcdiv_,
    _take,
)


class Adagrad(Optimizer):
    """Adagrad with Keras's formula: ``w -= lr * g / sqrt(acc + epsilon)``.

    ``acc`` starts at ``initial_accumulator_value`` and adds ``g**2`` each step.

    Example:
        >>> opt = Adagrad(learning_rate=0.01)

    Args:
        {arguments}
    """

    _jit_update = True  # its update traces: jit_compile compiles it
    _config_arguments = ("initial_accumulator_value", "epsilon")

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = _check_number(
            "initial_accumulator_value", initial_accumulator_value, low=0.0
        )
        self.epsilon = _check_number("epsilon", epsilon, low=0.0)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=float(self.initial_accumulator_value)
        )

    def _update(self, params, grads, idx, lr) -> None:
        accs = _take(self._accumulators, idx)
        torch._foreach_addcmul_(accs, grads, grads)
        denominators = torch._foreach_add(accs, self.epsilon)
        torch._foreach_sqrt_(denominators)
        _scaled_addcdiv_(params, grads, denominators, -lr)
