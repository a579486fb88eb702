"""Lamb: Adam's step scaled per variable by the ratio of weight and step norms."""

from __future__ import annotations

import torch

from lamina.optimizers.adaptive_moments import AdaptiveMoments
from lamina.optimizers.optimizer import _f32, _take


class Lamb(AdaptiveMoments):
    """Lamb (You et al., 2019) with Keras's formula.

    Adam's bias-corrected step ``u = m_hat / (sqrt(v_hat) + epsilon)`` is
    scaled, for each variable, by the trust ratio ``||w|| / ||u||`` (1 where
    either norm is 0): ``w -= lr * ||w|| / ||u|| * u``. Large batches train
    with one learning rate for layers of very different scales.

    Example:
        >>> opt = Lamb(learning_rate=1e-3)

    Args:
        epsilon: float, added to ``sqrt(v_hat)``.
        {arguments}
    """

    def _update(self, params, grads, idx, lr) -> None:
        t = self._local_step()
        ms = _take(self._momentums, idx)
        vs = _take(self._velocities, idx)
        torch._foreach_lerp_(ms, grads, 1 - self.beta_1)
        torch._foreach_mul_(vs, self.beta_2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - self.beta_2)
        # Keras raises the float32 betas to the step in float32.
        steps = torch._foreach_div(ms, 1 - _f32(self._beta_1_f32**t))
        denominators = torch._foreach_div(vs, 1 - _f32(self._beta_2_f32**t))
        torch._foreach_sqrt_(denominators)
        torch._foreach_add_(denominators, self.epsilon)
        torch._foreach_div_(steps, denominators)
        # The trust ratios, one 0-dim tensor per variable, without a host read.
        weight_norms = torch.stack(torch._foreach_norm(params))
        step_norms = torch.stack(torch._foreach_norm(steps))
        usable = (weight_norms > 0) & (step_norms > 0)
        ratios = torch.where(usable, weight_norms / step_norms, 1.0) * -lr
        torch._foreach_mul_(steps, ratios.unbind())
        torch._foreach_add_(params, steps)
