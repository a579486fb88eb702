"""ScheduleFreeAdamW: AdamW steps on a sequence averaged on the fly, no schedule."""

from __future__ import annotations

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.adaptive_moments import AdaptiveMoments
from lamina.optimizers.optimizer import _f32, _take


class ScheduleFreeAdamW(AdaptiveMoments):
    """Schedule-Free AdamW (Defazio et al., 2024) with Keras's formula.

    The optimizer keeps a sequence ``z`` (its ``momentum`` slot, starting at the
    variable) that takes RMSprop-like steps, and the variable ``y`` is the
    interpolation ``y = (1 - beta_1) * z + beta_1 * x`` with ``x`` the running
    average of the ``z``s. At step ``t``, with ``lr`` warmed up linearly over
    ``warmup_steps``: ``v = beta_2 * v + (1 - beta_2) * g**2``,
    ``z -= lr * g / (sqrt(v / (1 - beta_2**t)) + epsilon)``,
    ``x = (1 - 1/t) * x + z / t`` (``x`` itself recovered from ``y`` and the
    previous ``z``), then ``y`` as above. It matches a tuned decay schedule
    without knowing the training length.

    This is the algorithm as Keras runs it on jax and TensorFlow; Keras on
    torch recovers ``x`` from the new ``z`` instead (its ``momentum.value``
    aliases the tensor it then updates in place), so its numbers differ.

    Example:
        >>> opt = ScheduleFreeAdamW(learning_rate=0.0025, warmup_steps=100)

    Args:
        beta_1: float in [0, 1), the interpolation between ``z`` and ``x``.
        epsilon: float, added to the denominator.
        warmup_steps: int, the steps over which the learning rate rises from 0.
        {arguments}
    """

    _config_arguments = (*AdaptiveMoments._config_arguments, "warmup_steps")

    def __init__(
        self,
        learning_rate=0.0025,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        warmup_steps: int = 0,
        **kwargs,
    ):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        if (
            isinstance(warmup_steps, bool)
            or not isinstance(warmup_steps, int)
            or warmup_steps < 0
        ):
            raise ArgumentError(
                "Argument `warmup_steps` must be an integer >= 0. Received: "
                f"warmup_steps={warmup_steps!r}"
            )
        self.warmup_steps = warmup_steps

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        torch._foreach_copy_(self._momentums, [v.detach() for v in var_list])

    def _update(self, params, grads, idx, lr) -> None:
        t = self._local_step()
        if self.warmup_steps > 0:
            lr = lr * min(_f32(t / self.warmup_steps), 1.0)
        beta_1, weight = self.beta_1, _f32(1.0 / t)
        zs = _take(self._momentums, idx)
        vs = _take(self._velocities, idx)
        torch._foreach_mul_(vs, self.beta_2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - self.beta_2)
        denominators = torch._foreach_div(vs, 1 - _f32(self._beta_2_f32**t))
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        # x_old = (y - (1 - beta_1) * z_old) / beta_1, before z moves.
        xs = torch._foreach_add(params, zs, alpha=-(1 - beta_1))
        torch._foreach_div_(xs, beta_1)
        steps = torch._foreach_div(grads, denominators)
        torch._foreach_mul_(steps, lr)
        torch._foreach_sub_(zs, steps)
        # x = (1 - weight) * x_old + weight * z; y = (1 - beta_1) * z + beta_1 * x.
        torch._foreach_lerp_(xs, zs, weight)
        torch._foreach_mul_(xs, beta_1)
        torch._foreach_add_(xs, zs, alpha=1 - beta_1)
        torch._foreach_copy_(params, xs)
