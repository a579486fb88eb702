"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

import torch

from lamina.optimizers.adaptive_moments import AdaptiveMoments
from lamina.optimizers.optimizer import _f32, _scaled_addcdiv_, _take


class Adamax(AdaptiveMoments):
    """Adamax with Keras's formula.

    ``m = beta_1 * m + (1 - beta_1) * g``, ``u = max(beta_2 * u, |g|)`` and
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``.

    Example:
        >>> opt = Adamax(learning_rate=0.002)

    Args:
        beta_2: float in [0, 1), the decay rate of the infinity norm ``u``.
        {arguments}
    """

    _second_moment = "norm"

    def _update(self, params, grads, idx, lr) -> None:
        beta_1_power = _f32(self._beta_1_f32 ** self._local_step())
        ms = _take(self._momentums, idx)
        us = _take(self._velocities, idx)
        torch._foreach_lerp_(ms, grads, 1 - self.beta_1)
        torch._foreach_mul_(us, self.beta_2)
        torch._foreach_maximum_(us, torch._foreach_abs(grads))
        denominators = torch._foreach_add(us, self.epsilon)
        _scaled_addcdiv_(params, ms, denominators, -lr / (1 - beta_1_power))
