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

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        initial_accumulator_value: float >= 0. Defaults to 0.1.
        epsilon: float. Defaults to 1e-7.
        **kwargs: the base arguments of `Optimizer`.

    Example:
        >>> opt = Adagrad(learning_rate=0.01)
    """

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value: float = 0.1,
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

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon,
            }
        )
        return config
