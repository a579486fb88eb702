"""Adam: adaptive moment estimation."""

from __future__ import annotations

import math

import torch

from lamina.optimizers.adaptive_moments import AdaptiveMoments
from lamina.optimizers.optimizer import _f32, _scaled_addcdiv_, _take

_FUSED_DTYPES = (torch.float32, torch.float64, torch.float16, torch.bfloat16)


class Adam(AdaptiveMoments):
    """Adam with Keras's formula.

    ``m = beta_1 * m + (1 - beta_1) * g``, ``v = beta_2 * v + (1 - beta_2) * g**2``,
    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` and
    ``w -= alpha * m / (sqrt(v) + epsilon)`` (with ``amsgrad``, the running
    maximum of ``v`` replaces ``v``).

    Example:
        >>> opt = Adam(learning_rate=1e-3, amsgrad=True)

    Args:
        epsilon: float, added to ``sqrt(v)``.
        amsgrad: bool, use the AMSGrad variant.
        {arguments}
    """

    _config_arguments = (*AdaptiveMoments._config_arguments, "amsgrad")
    # Tests switch this off to check the fused kernel against the foreach path.
    _use_fused = True

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            **kwargs,
        )
        self.amsgrad = amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocity_hats = []
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")
        self._fused_strides = self._fused_layout(var_list)
        # torch's fused kernel divides by ``1 - beta**step``; an infinite step makes
        # that 1, so passing Keras's `alpha` as its learning rate gives Keras's
        # update in one pass over memory instead of seven.
        self._fused_steps = None
        if self._fused_strides is not None:
            self._fused_steps = torch.full(
                (), math.inf, dtype=torch.float32, device=var_list[0].device
            )

    @staticmethod
    def _fused_layout(var_list):
        """The parameters' strides where torch's fused Adam kernel can run, else None.

        The kernel walks parameter, gradient and slots as flat arrays, so each
        must be dense and all four must share one layout; slots copy their
        parameter's layout, and each step checks the gradients' and parameters'.
        """
        if not var_list or not hasattr(torch, "_fused_adam_"):
            return None
        device, dtype = var_list[0].device, var_list[0].dtype
        if device.type not in ("cpu", "cuda") or dtype not in _FUSED_DTYPES:
            return None
        for v in var_list:
            if v.device != device or v.dtype != dtype or v.layout != torch.strided:
                return None
            dense = (
                v.is_contiguous()
                or (v.dim() == 4 and v.is_contiguous(memory_format=torch.channels_last))
                or (
                    v.dim() == 5
                    and v.is_contiguous(memory_format=torch.channels_last_3d)
                )
            )
            if not dense:
                return None
        return [v.stride() for v in var_list]

    def _same_layout(self, params, grads, idx) -> bool:
        strides = _take(self._fused_strides, idx)
        stride = torch.Tensor.stride
        return (
            list(map(stride, grads)) == strides and list(map(stride, params)) == strides
        )

    def _alpha(self, lr):
        t = self._local_step()
        beta_1_power = _f32(self._beta_1_f32**t)
        beta_2_power = _f32(self._beta_2_f32**t)
        return lr * (math.sqrt(1 - beta_2_power) / (1 - beta_1_power))

    def _update_with_lr(self, params, grads, idx) -> None:
        grads = self._clip_gradients(grads)
        lr = self._current_lr()
        alpha = self._alpha(lr)
        if (
            self._use_fused
            and self._fused_steps is not None
            and not isinstance(alpha, torch.Tensor)
            and self._same_layout(params, grads, idx)
        ):
            self._fused_update(params, grads, idx, lr, alpha)
        else:
            self._apply_weight_decay(params, idx, lr)
            self._update(params, grads, idx, lr)

    def _fused_update(self, params, grads, idx, lr: float, alpha: float) -> None:
        decay = 0.0
        if self.weight_decay is not None:
            every = idx is None and len(self._decayed_params) == len(self._params)
            if every and alpha != 0:
                # The AdamW kernel scales by 1 - alpha * decay first: fold Keras's
                # 1 - weight_decay * lr into it, saving a pass over the weights.
                decay = self.weight_decay * lr / alpha
            else:
                self._apply_weight_decay(params, idx, lr)
        kernel = torch._fused_adamw_ if decay else torch._fused_adam_
        kernel(
            params,
            grads,
            _take(self._momentums, idx),
            _take(self._velocities, idx),
            _take(self._velocity_hats, idx),
            [self._fused_steps] * len(params),
            lr=alpha,
            beta1=self.beta_1,
            beta2=self.beta_2,
            weight_decay=decay,
            eps=self.epsilon,
            amsgrad=bool(self.amsgrad),
            maximize=False,
        )

    def _update(self, params, grads, idx, lr) -> None:
        alpha = self._alpha(lr)
        ms = _take(self._momentums, idx)
        vs = _take(self._velocities, idx)
        vhats = _take(self._velocity_hats, idx)
        torch._foreach_lerp_(ms, grads, 1 - self.beta_1)
        torch._foreach_mul_(vs, self.beta_2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - self.beta_2)
        if self.amsgrad:
            torch._foreach_maximum_(vhats, vs)
            vs = vhats
        denominators = torch._foreach_sqrt(vs)
        torch._foreach_add_(denominators, self.epsilon)
        _scaled_addcdiv_(params, ms, denominators, -alpha)
