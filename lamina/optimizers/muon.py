"""Muon: momentum steps orthogonalised by Newton-Schulz iterations, AdamW elsewhere."""

from __future__ import annotations

import math
import re

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import (
    Optimizer,
    _check_number,
    _f32,
    _scaled_addcdiv_,
    _take,
)


class Muon(Optimizer):
    """Muon (Jordan et al., 2024; Liu et al., 2025) with Keras's formula and choices.

    Each rank-2 variable takes the Muon step: ``m = momentum * m + g``, then
    the direction ``d = g + momentum * m`` (``m`` without ``nesterov``) is
    orthogonalised by ``ns_steps`` quintic Newton-Schulz iterations
    (``X = a X + (b A + c A A) X`` with ``A = X X^T``, ``X`` first divided by
    its Frobenius norm, the longer side kept last) and
    ``w -= lr * sqrt(max(rows, cols)) * rms_rate * d`` (without the scale when
    ``rms_rate`` is None).

    Every other variable takes an AdamW step with ``lr * adam_lr_ratio``: those
    not of rank 2 (biases, scalars, convolution kernels), those whose path
    contains "embedding" (with ``exclude_embeddings``) and those whose path
    matches a regular expression of ``exclude_layers`` (the output layer, as
    the Muon authors advise). Weight decay multiplies the variables by
    ``1 - weight_decay * lr`` (Muon's) or ``1 - adam_weight_decay * lr``
    (AdamW's) before the step.

    Example:
        >>> opt = Muon(learning_rate=0.02, exclude_layers=["output"])

    Args:
        adam_beta_1: float in [0, 1), the decay rate of AdamW's first moment.
        adam_beta_2: float in [0, 1), the decay rate of AdamW's second moment.
        adam_weight_decay: float or None, the weight decay of the AdamW
            variables.
        epsilon: float, added to ``sqrt(v)`` in AdamW's step.
        weight_decay: float or None, the weight decay of the Muon variables.
        exclude_layers: list of regular expressions; a variable whose path
            matches one takes the AdamW step.
        exclude_embeddings: bool; variables whose path contains "embedding"
            take the AdamW step.
        muon_a: float, the coefficient ``a`` of the Newton-Schulz iteration.
        muon_b: float, the coefficient ``b`` of the Newton-Schulz iteration.
        muon_c: float, the coefficient ``c`` of the Newton-Schulz iteration.
        adam_lr_ratio: float, AdamW's learning rate relative to Muon's.
        momentum: float, the momentum of the Muon step.
        ns_steps: int, the number of Newton-Schulz iterations.
        nesterov: bool, use Nesterov momentum in the Muon step.
        rms_rate: float or None; scales the Muon step by
            ``sqrt(max(rows, cols)) * rms_rate`` so that it matches AdamW's
            size (Liu et al., 2025).
        {arguments}
    """

    _config_arguments = (
        "adam_beta_1",
        "adam_beta_2",
        "epsilon",
        "exclude_layers",
        "muon_a",
        "muon_b",
        "muon_c",
        "adam_lr_ratio",
        "momentum",
        "ns_steps",
        "nesterov",
        "exclude_embeddings",
        "adam_weight_decay",
        "rms_rate",
    )

    def __init__(
        self,
        learning_rate=0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float | None = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float | None = 0.004,
        *,
        exclude_layers: list[str] | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.7750,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, **kwargs
        )
        self.adam_beta_1 = _check_number(
            "adam_beta_1", adam_beta_1, 0.0, 1.0, high_open=True
        )
        self.adam_beta_2 = _check_number(
            "adam_beta_2", adam_beta_2, 0.0, 1.0, high_open=True
        )
        self.adam_weight_decay = _check_number(
            "adam_weight_decay", adam_weight_decay, low=0.0, allow_none=True
        )
        self.epsilon = _check_number("epsilon", epsilon, low=0.0)
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = exclude_embeddings
        self.muon_a = _check_number("muon_a", muon_a)
        self.muon_b = _check_number("muon_b", muon_b)
        self.muon_c = _check_number("muon_c", muon_c)
        self.adam_lr_ratio = _check_number("adam_lr_ratio", adam_lr_ratio, low=0.0)
        self.momentum = _check_number("momentum", momentum, 0.0, 1.0)
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, int) or ns_steps < 0:
            raise ArgumentError(
                f"Argument `ns_steps` must be an integer >= 0. Received: "
                f"ns_steps={ns_steps!r}"
            )
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.rms_rate = _check_number("rms_rate", rms_rate, low=0.0, allow_none=True)
        # Keras raises the float32 betas to the step in float32; so do we.
        self._adam_beta_1_f32 = _f32(adam_beta_1)
        self._adam_beta_2_f32 = _f32(adam_beta_2)

    def _uses_adamw(self, variable: torch.Tensor, position: int) -> bool:
        """Whether ``variable`` takes the AdamW step (Keras's rules)."""
        if variable.dim() != 2:
            return True
        path = getattr(variable, "path", None)
        if not isinstance(path, str):
            path = self._ref_names[position]
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._adamw = [self._uses_adamw(v, i) for i, v in enumerate(var_list)]
        # Keras's order: each variable's momentum, then its velocity if AdamW's.
        self._momentums, self._velocities = [], []
        for v, adamw in zip(var_list, self._adamw):
            self._momentums.append(self.add_variable_from_reference(v, "momentum"))
            if adamw:
                self._velocities.append(self.add_variable_from_reference(v, "velocity"))
            else:
                self._velocities.append(None)
        self._decays = [
            self.adam_weight_decay if adamw else self.weight_decay
            for adamw in self._adamw
        ]
        self._step_scales = [
            1.0
            if adamw or self.rms_rate is None
            else math.sqrt(max(v.shape)) * self.rms_rate
            for v, adamw in zip(var_list, self._adamw)
        ]

    def _apply_weight_decay(self, params, idx, lr) -> None:
        # Two rates: Muon's for the Muon variables, AdamW's for the others.
        positions = range(len(params)) if idx is None else idx
        by_rate: dict[float, list] = {}
        for p, i in zip(params, positions):
            if self._decayed[i] and self._decays[i] is not None:
                by_rate.setdefault(self._decays[i], []).append(p)
        for rate, decayed in by_rate.items():
            torch._foreach_mul_(decayed, 1.0 - rate * lr)

    def _update(self, params, grads, idx, lr) -> None:
        positions = range(len(params)) if idx is None else idx
        adamw = [k for k, i in enumerate(positions) if self._adamw[i]]
        muon = [k for k, i in enumerate(positions) if not self._adamw[i]]
        ms = _take(self._momentums, idx)
        if adamw:
            self._adamw_step(
                [params[k] for k in adamw],
                [grads[k] for k in adamw],
                [ms[k] for k in adamw],
                [_take(self._velocities, idx)[k] for k in adamw],
                lr * self.adam_lr_ratio,
            )
        if muon:
            self._muon_step(
                [params[k] for k in muon],
                [grads[k] for k in muon],
                [ms[k] for k in muon],
                [self._step_scales[positions[k]] for k in muon],
                lr,
            )

    def _adamw_step(self, params, grads, ms, vs, lr) -> None:
        t = self._local_step()
        beta_1_power = _f32(self._adam_beta_1_f32**t)
        beta_2_power = _f32(self._adam_beta_2_f32**t)
        alpha = lr * (math.sqrt(1 - beta_2_power) / (1 - beta_1_power))
        torch._foreach_lerp_(ms, grads, 1 - self.adam_beta_1)
        torch._foreach_mul_(vs, self.adam_beta_2)
        torch._foreach_addcmul_(vs, grads, grads, value=1 - self.adam_beta_2)
        denominators = torch._foreach_sqrt(vs)
        torch._foreach_add_(denominators, self.epsilon)
        _scaled_addcdiv_(params, ms, denominators, -alpha)

    def _muon_step(self, params, grads, ms, step_scales, lr) -> None:
        torch._foreach_mul_(ms, self.momentum)
        torch._foreach_add_(ms, grads)
        if self.nesterov:
            directions = torch._foreach_add(grads, ms, alpha=self.momentum)
        else:
            directions = ms
        steps = self._orthogonalize_by_shape(directions)
        scales = [-lr * s if isinstance(lr, float) else lr * -s for s in step_scales]
        torch._foreach_mul_(steps, scales)
        torch._foreach_add_(params, steps)

    def _orthogonalize_by_shape(self, directions: list) -> list:
        """`orthogonalize` each direction, those of one shape as one batch.

        A model's matrices come in few shapes (a transformer's layers repeat
        them), so this runs ``3 * ns_steps`` batched products per shape instead
        of per variable.
        """
        groups: dict[tuple, list[int]] = {}
        for k, d in enumerate(directions):
            groups.setdefault((d.shape, d.dtype, d.device), []).append(k)
        steps = [None] * len(directions)
        for members in groups.values():
            if len(members) == 1:
                steps[members[0]] = self.orthogonalize(directions[members[0]])
                continue
            batch = self.orthogonalize(torch.stack([directions[k] for k in members]))
            for k, step in zip(members, batch.unbind()):
                steps[k] = step
        return steps

    def orthogonalize(self, x: torch.Tensor) -> torch.Tensor:
        """The quintic Newton-Schulz approximation of ``U V^T`` (``x = U S V^T``).

        ``x`` is a matrix or a batch of matrices (its last two axes).
        """
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.mT
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(self.ns_steps):
            gram = x @ x.mT
            # Keras's association: (c * A) @ A, then b * A added.
            x = a * x + (b * gram + (c * gram) @ gram) @ x
        return x.mT if tall else x
