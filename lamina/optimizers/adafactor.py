"""Adafactor: Adam-like steps with factored second moments (Shazeer & Stern, 2018)."""

from __future__ import annotations

import math

import torch

from lamina.errors import ArgumentError
from lamina.optimizers.optimizer import Optimizer, _check_number, _f32, _take


class Adafactor(Optimizer):
    """Adafactor with Keras's formula.

    At step ``t``, with ``g2 = g**2 + epsilon_1`` and
    ``beta = 1 - t**beta_2_decay``, a variable of rank >= 2 keeps only a row
    and a column average of ``g2`` over its last two axes
    (``r = beta * r + (1 - beta) * mean(g2, -1)``, likewise ``c`` over axis -2)
    and rebuilds ``v = (r / mean(r, -1))[..., None] * c[..., None, :]``; a
    variable of rank < 2 keeps ``v = beta * v + (1 - beta) * g2`` in full. Then
    ``u = g / sqrt(v)``, ``u /= max(1, rms(u) / clip_threshold)`` and
    ``w -= max(epsilon_2, rms(w)) * min(lr, 1 / sqrt(t)) * u``.

    Example:
        >>> opt = Adafactor(learning_rate=0.01)

    Args:
        beta_2_decay: float, the exponent of the second moment's decay.
        epsilon_1: float, added to the squared gradients.
        epsilon_2: float, the least scale of a step relative to the
            variable's RMS.
        clip_threshold: float > 0, the largest RMS of an update before it is
            scaled down.
        relative_step: bool, kept for Keras compatibility (Keras 3 caps the
            step size at ``1 / sqrt(t)`` whatever its value, so it changes
            nothing).
        {arguments}
    """

    _config_arguments = (
        "beta_2_decay",
        "epsilon_1",
        "epsilon_2",
        "clip_threshold",
        "relative_step",
    )

    # False while a LossScaleOptimizer builds this one: Keras then builds with
    # automatic tracking off, so the rank < 2 placeholders are not `variables`.
    _tracks_placeholders = True

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = _check_number("beta_2_decay", beta_2_decay)
        self.epsilon_1 = _check_number("epsilon_1", epsilon_1, low=0.0)
        self.epsilon_2 = _check_number("epsilon_2", epsilon_2, low=0.0)
        self.clip_threshold = _check_number("clip_threshold", clip_threshold, low=0.0)
        if clip_threshold == 0:
            raise ArgumentError(
                "Argument `clip_threshold` must be > 0. Received: clip_threshold=0"
            )
        self.relative_step = relative_step
        # Keras raises the float32 step to the float32 decay; so do we.
        self._beta_2_decay_f32 = _f32(beta_2_decay)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._rows: list[torch.Tensor | None] = []
        self._cols: list[torch.Tensor | None] = []
        self._velocities = []
        for i, var in enumerate(var_list):
            name = self._slot_base_name(var, i)
            if var.dim() < 2:
                self._rows.append(None)
                self._cols.append(None)
                if self._tracks_placeholders:
                    # Keras stores two int32 scalars here, unused, in its files.
                    for _ in range(2):
                        placeholder = torch.zeros((), dtype=torch.int32)
                        placeholder.path = f"{self.name}/{name}"
                        self._slot_variables.append(placeholder)
            else:
                full = tuple(var.shape)
                for shape, slots in (
                    (full[:-1], self._rows),
                    (full[:-2] + full[-1:], self._cols),
                ):
                    slot = torch.zeros(shape, dtype=var.dtype, device=var.device)
                    slot.path = f"{self.name}/{name}"
                    self._slot_variables.append(slot)
                    slots.append(slot)
            self._velocities.append(self.add_variable_from_reference(var, "velocity"))
        self._factored = [var.dim() >= 2 for var in var_list]
        self._flat_positions = [i for i, f in enumerate(self._factored) if not f]
        self._factored_positions = [i for i, f in enumerate(self._factored) if f]
        self._root_sizes = [math.sqrt(var.numel()) for var in var_list]

    @staticmethod
    def _slot_base_name(var: torch.Tensor, position: int) -> str:
        """Keras names the factored slots after the variable's own name."""
        name = getattr(var, "name", None)
        if not isinstance(name, str):
            path = getattr(var, "path", None)
            name = path.split("/")[-1] if isinstance(path, str) else None
        return name or f"variable_{position}"

    def _positions(self, idx):
        if idx is None:
            return self._flat_positions, self._factored_positions
        flat = [k for k, i in enumerate(idx) if not self._factored[i]]
        factored = [k for k, i in enumerate(idx) if self._factored[i]]
        return flat, factored

    def _rms(self, tensors: list, root_sizes: list) -> list:
        """``sqrt(mean(x**2))`` of each tensor, as 0-dim tensors, in one pass each."""
        norms = torch._foreach_norm(tensors)
        torch._foreach_div_(norms, root_sizes)
        return norms

    def _update(self, params, grads, idx, lr) -> None:
        t = self._local_step()
        # Keras's step size min(lr, 1/sqrt(t)), in float32 like its ops.
        cap = _f32(1.0 / _f32(math.sqrt(t)))
        rho = torch.clamp(lr, max=cap) if isinstance(lr, torch.Tensor) else min(lr, cap)
        beta = _f32(1.0 - _f32(_f32(float(t)) ** self._beta_2_decay_f32))
        root_sizes = _take(self._root_sizes, idx)

        # alpha = max(epsilon_2, rms(w)) * rho, one 0-dim tensor per variable.
        alphas = self._rms(params, root_sizes)
        torch._foreach_clamp_min_(alphas, self.epsilon_2)
        torch._foreach_mul_(alphas, rho)

        squares = torch._foreach_mul(grads, grads)
        torch._foreach_add_(squares, self.epsilon_1)
        vs = _take(self._velocities, idx)
        flat, factored = self._positions(idx)
        if flat:
            flat_vs = [vs[k] for k in flat]
            torch._foreach_mul_(flat_vs, beta)
            torch._foreach_add_(flat_vs, [squares[k] for k in flat], alpha=1 - beta)
        if factored:
            positions = factored if idx is None else [idx[k] for k in factored]
            rows = [self._rows[i] for i in positions]
            cols = [self._cols[i] for i in positions]
            # The reductions and outer products differ in shape per variable:
            # these loops run once per factored variable, the rest is fused.
            torch._foreach_mul_(rows, beta)
            torch._foreach_add_(
                rows, [squares[k].mean(-1) for k in factored], alpha=1 - beta
            )
            torch._foreach_mul_(cols, beta)
            torch._foreach_add_(
                cols, [squares[k].mean(-2) for k in factored], alpha=1 - beta
            )
            for k, r, c in zip(factored, rows, cols):
                normalized = (r / r.mean(-1, keepdim=True)).unsqueeze(-1)
                torch.mul(normalized, c.unsqueeze(-2), out=vs[k])

        updates = torch._foreach_div(grads, torch._foreach_sqrt(vs))
        clip = self._rms(updates, root_sizes)
        torch._foreach_div_(clip, self.clip_threshold)
        torch._foreach_clamp_min_(clip, 1.0)
        torch._foreach_div_(updates, clip)
        torch._foreach_mul_(updates, alphas)
        torch._foreach_sub_(params, updates)
