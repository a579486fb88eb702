"""Nadam: Adam with Nesterov momentum."""

from __future__ import annotations

import math

import torch

from lamina.optimizers.adaptive_moments import AdaptiveMoments
from lamina.optimizers.optimizer import _f32, _scaled_addcdiv_, _take

_DECAY_F32 = _f32(0.96)


class Nadam(AdaptiveMoments):
    """Nadam with Keras's formula (momentum schedule ``beta_1 * (1 - 0.5 * 0.96**t)``).

    Besides its two slots per parameter it keeps Keras's running product of the
    momentum schedule as a last state variable.

    Example:
        >>> opt = Nadam(learning_rate=0.002)

    Args:
        {arguments}
    """

    def build(self, var_list) -> None:
        if self.built:
            return
        dtype = var_list[0].dtype if var_list else torch.float32
        super().build(var_list)
        self._u_product = torch.ones((), dtype=dtype)
        self._u_product.path = f"{self.name}/variable"  # Keras leaves it unnamed
        self._u_product_value = 1.0
        self._extra_variables.append(self._u_product)

    def _state_loaded(self) -> None:
        self._u_product_value = float(self._u_product)

    def _momentum_at(self, step: int) -> float:
        return _f32(self._beta_1_f32 * (1.0 - 0.5 * _f32(_DECAY_F32**step)))

    def _update(self, params, grads, idx, lr) -> None:
        t = self._local_step()
        u_t = self._momentum_at(t)
        u_t_1 = self._momentum_at(t + 1)
        u_product_t = _f32(self._u_product_value * u_t)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = _f32(self._beta_2_f32**t)
        self._u_product_value = u_product_t
        self._u_product.fill_(u_product_t)

        ms = _take(self._momentums, idx)
        vs = _take(self._velocities, idx)
        torch._foreach_lerp_(ms, grads, 1 - self.beta_1)
        torch._foreach_mul_(vs, self.beta_2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - self.beta_2)
        m_hats = torch._foreach_mul(ms, u_t_1 / (1 - u_product_t_1))
        torch._foreach_add_(m_hats, grads, alpha=(1 - u_t) / (1 - u_product_t))
        # sqrt(v / (1 - beta_2**t)) == sqrt(v) / sqrt(1 - beta_2**t)
        denominators = torch._foreach_sqrt(vs)
        torch._foreach_mul_(denominators, 1 / math.sqrt(1 - beta_2_power))
        torch._foreach_add_(denominators, self.epsilon)
        _scaled_addcdiv_(params, m_hats, denominators, -lr)
