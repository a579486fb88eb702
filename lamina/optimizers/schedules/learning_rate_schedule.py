"""Learning rate schedules: the learning rate as a function of the step count.

Each built-in schedule writes its formula once, against a tiny math namespace:
called as ``schedule(step)`` it runs on float32 torch tensors and returns a
tensor, as Keras does; the optimizer instead evaluates it with Python floats on
its Python step counter, so a scheduled step costs no tensor op and no sync.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import torch

from lamina import serialization
from lamina.errors import ArgumentError


class _PyMath:
    """Scalar math on Python floats (the optimizer's per-step path)."""

    floor = staticmethod(math.floor)
    ceil = staticmethod(math.ceil)
    cos = staticmethod(math.cos)
    log = staticmethod(math.log)

    @staticmethod
    def minimum(a, b):
        return min(a, b)

    @staticmethod
    def cond(pred, true_fn, false_fn):
        return true_fn() if pred else false_fn()


class _TorchMath:
    """The same functions on float32 tensors (``schedule(step)`` called directly)."""

    floor = staticmethod(torch.floor)
    ceil = staticmethod(torch.ceil)
    cos = staticmethod(torch.cos)
    log = staticmethod(torch.log)

    @staticmethod
    def minimum(a, b):
        return (
            torch.clamp(a, max=b)
            if not isinstance(b, torch.Tensor)
            else torch.minimum(a, b)
        )

    @staticmethod
    def cond(pred, true_fn, false_fn):
        return torch.where(pred, true_fn(), false_fn())


def _check_positive(name: str, value) -> None:
    if value <= 0:
        raise ArgumentError(f"Argument `{name}` must be > 0. Received: {name}={value}")


class LearningRateSchedule:
    """Base class of learning rate schedules: override `__call__` and `get_config`.

    Example:
        >>> class Halving(LearningRateSchedule):
        ...     def __init__(self, lr):
        ...         self.lr = lr
        ...     def __call__(self, step):
        ...         return self.lr * 0.5 ** (step // 100)
        ...     def get_config(self):
        ...         return {"lr": self.lr}
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`__call__(self, step)`."
        )

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Learning rate schedule '{type(self).__name__}' must override "
            "`get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config: dict[str, Any]):
        return cls(**config)


class _FormulaSchedule(LearningRateSchedule):
    """A built-in schedule: `_formula(step, m)` with ``m`` a math namespace."""

    def __call__(self, step):
        if isinstance(step, torch.Tensor):
            step = step.detach().to(torch.float32)
        else:
            step = torch.tensor(float(step), dtype=torch.float32)
        out = self._formula(step, _TorchMath)
        return torch.as_tensor(out, dtype=torch.float32, device=step.device)

    def _value(self, step: int) -> float:
        """The learning rate at ``step`` as a Python float (the optimizer's path)."""
        return float(self._formula(float(step), _PyMath))

    def _formula(self, step, m):
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, each kept in the attribute of its name."""
        parameters = list(inspect.signature(type(self).__init__).parameters)[1:]
        return {name: getattr(self, name) for name in parameters}


class _RateDecay(_FormulaSchedule):
    """A schedule applying `decay_rate` over ``step / decay_steps`` (floored with
    `staircase`): what `ExponentialDecay` and `InverseTimeDecay` share."""

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool,
        name: str,
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_positive("decay_steps", decay_steps)

    def _formula(self, step, m):
        p = step / self.decay_steps
        if self.staircase:
            p = m.floor(p)
        return self._decayed(p)

    def _decayed(self, p):
        """The learning rate after ``p`` decay periods."""
        raise NotImplementedError


class ExponentialDecay(_RateDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    Example:
        >>> s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
        >>> round(float(s(20)), 6)
        0.025

    Args:
        initial_learning_rate: float, the learning rate at step 0.
        decay_steps: int > 0.
        decay_rate: float, the factor per ``decay_steps`` steps.
        staircase: bool; if True, ``step / decay_steps`` is floored.
        name: str.
    """

    def _decayed(self, p):
        return self.initial_learning_rate * self.decay_rate**p

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "ExponentialDecay",
    ):
        super().__init__(
            initial_learning_rate, decay_steps, decay_rate, staircase, name
        )


class PiecewiseConstantDecay(_FormulaSchedule):
    """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

    Example:
        >>> s = PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
        >>> float(s(150))
        0.5

    Args:
        boundaries: increasing list of step numbers.
        values: list with one more entry than ``boundaries``.
        name: str.
    """

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ArgumentError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def _formula(self, step, m):
        if m is _PyMath:
            for boundary, value in zip(self.boundaries, self.values):
                if step <= boundary:
                    return float(value)
            return float(self.values[-1])
        # Tensors: a sum of range masks times values, as Keras computes it.
        bounds = [float(b) for b in self.boundaries]
        result = (step <= bounds[0]).float() * self.values[0]
        result = result + (step > bounds[-1]).float() * self.values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], self.values[1:-1]):
            result = result + ((step > low) & (step <= high)).float() * value
        return result


class PolynomialDecay(_FormulaSchedule):
    """Polynomial decay from ``initial_learning_rate`` to ``end_learning_rate``.

    Example:
        >>> s = PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)
        >>> round(float(s(5)), 6)
        0.05

    Args:
        initial_learning_rate: float.
        decay_steps: int > 0.
        end_learning_rate: float, reached at ``decay_steps``.
        power: float, the polynomial's power.
        cycle: bool; restart the decay past ``decay_steps``.
        name: str.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        end_learning_rate: float = 0.0001,
        power: float = 1.0,
        cycle: bool = False,
        name: str = "PolynomialDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_positive("decay_steps", decay_steps)

    def _formula(self, step, m):
        decay_steps = self.decay_steps
        if self.cycle:
            # The first multiple of decay_steps above step (1 at step 0).
            multiplier = m.cond(
                step == 0, lambda: 1.0 + 0 * step, lambda: m.ceil(step / decay_steps)
            )
            decay_steps = decay_steps * multiplier
        else:
            step = m.minimum(step, decay_steps)
        p = step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * (
            1 - p
        ) ** self.power + self.end_learning_rate


class CosineDecay(_FormulaSchedule):
    """Cosine decay, with an optional linear warmup first (as in Keras 3).

    Without ``warmup_target`` the rate decays from ``initial_learning_rate``;
    with it, the rate first rises linearly to ``warmup_target`` over
    ``warmup_steps`` steps, then decays from there over ``decay_steps``.

    Example:
        >>> s = CosineDecay(0.1, decay_steps=100)
        >>> round(float(s(50)), 6)
        0.05

    Args:
        initial_learning_rate: float.
        decay_steps: int > 0, the length of the decay.
        alpha: float, the final rate as a fraction of the rate decayed from.
        name: str.
        warmup_target: float or None.
        warmup_steps: int.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "CosineDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_positive("decay_steps", decay_steps)

    def _decay(self, step, decay_from, m):
        cosine = 0.5 * (1.0 + m.cos(math.pi * (step / self.decay_steps)))
        return decay_from * ((1 - self.alpha) * cosine + self.alpha)

    def _formula(self, step, m):
        if self.warmup_target is None:
            return self._decay(
                m.minimum(step, self.decay_steps), self.initial_learning_rate, m
            )
        warmup_steps = self.warmup_steps
        step = m.minimum(step, self.decay_steps + warmup_steps)
        initial, target = self.initial_learning_rate, self.warmup_target
        return m.cond(
            step < warmup_steps,
            lambda: (target - initial) * (step / warmup_steps) + initial,
            lambda: self._decay(step - warmup_steps, target, m),
        )


class CosineDecayRestarts(_FormulaSchedule):
    """Cosine decay with warm restarts (SGDR).

    Example:
        >>> s = CosineDecayRestarts(0.1, first_decay_steps=10)
        >>> round(float(s(10)), 6)
        0.1

    Args:
        initial_learning_rate: float.
        first_decay_steps: int > 0, the length of the first period.
        t_mul: float, each period is this many times longer than the last.
        m_mul: float, each restart's rate is this many times the last one's.
        alpha: float, the final rate as a fraction of the initial rate.
        name: str.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        first_decay_steps: int,
        t_mul: float = 2.0,
        m_mul: float = 1.0,
        alpha: float = 0.0,
        name: str = "SGDRDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_positive("first_decay_steps", first_decay_steps)

    def _formula(self, step, m):
        fraction = step / self.first_decay_steps
        t_mul = self._t_mul
        if t_mul == 1.0:
            i_restart = m.floor(fraction)
            fraction = fraction - i_restart
        else:
            # Which period the step is in: the geometric series of lengths.
            i_restart = m.floor(m.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
            sum_r = (1.0 - t_mul**i_restart) / (1.0 - t_mul)
            fraction = (fraction - sum_r) / t_mul**i_restart
        m_fac = self._m_mul**i_restart
        cosine = 0.5 * m_fac * (1.0 + m.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cosine + self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


class InverseTimeDecay(_RateDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    Example:
        >>> s = InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)
        >>> round(float(s(2)), 6)
        0.05

    Args:
        initial_learning_rate: float.
        decay_steps: int > 0.
        decay_rate: float.
        staircase: bool; if True, ``step / decay_steps`` is floored.
        name: str.
    """

    def _decayed(self, p):
        return self.initial_learning_rate / (1 + self.decay_rate * p)

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        decay_rate: float,
        staircase: bool = False,
        name: str = "InverseTimeDecay",
    ):
        super().__init__(
            initial_learning_rate, decay_steps, decay_rate, staircase, name
        )


ALL_OBJECTS = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as Keras's ``{"module", "class_name", "config", ...}`` dict.

    Example:
        >>> serialize(ExponentialDecay(0.1, 10, 0.9))["class_name"]
        'ExponentialDecay'
    """
    return serialization.serialize_keras_object(learning_rate_schedule)


def deserialize(config: dict[str, Any], custom_objects: dict | None = None):
    """Rebuild a schedule from `serialize`'s output (Keras's or lamina's).

    Example:
        >>> deserialize(serialize(CosineDecay(0.1, 100))).decay_steps
        100
    """
    return serialization.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS,
        custom_objects=custom_objects,
        printable_module_name="decay",
    )
