"""The optimizer base class: Keras 3's API over fused multi-tensor torch updates.

Every optimizer keeps Keras's state (``iterations``, ``learning_rate``, one slot
tensor per parameter per kind, in Keras's order and names) so that its state can
be saved and loaded in Keras's file format. The per-step path never reads a value
back from the accelerator: the step count and the learning rate live as Python
numbers mirrored into small CPU tensors, and the updates are ``torch._foreach_*``
calls over all parameters at once.
"""

from __future__ import annotations

import functools
import inspect
import math
import operator
import os
import re
import struct
import sys
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from lamina import serialization, signatures
from lamina.backend.naming import auto_name
from lamina.errors import ArgumentError
from lamina.optimizers import optimizer_arguments
from lamina.optimizers.schedules import learning_rate_schedule as _schedules

_is_not_none = functools.partial(operator.is_not, None)
_warned: set[str] = set()
_LAMINA_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        # Point at the user's line: the first frame outside lamina (an optimizer's
        # constructor runs through a varying number of lamina frames).
        frame, level = sys._getframe(1), 2
        while frame is not None and frame.f_code.co_filename.startswith(_LAMINA_DIR):
            frame, level = frame.f_back, level + 1
        warnings.warn(message, DeprecationWarning, stacklevel=level)


def _f32(x: float) -> float:
    """Round a Python float to float32, as Keras's float32 scalar ops do."""
    return struct.unpack("f", struct.pack("f", x))[0]


def _check_number(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    high_open: bool = False,
    allow_none: bool = False,
) -> Any:
    """Validate a numeric hyperparameter at the door; return it unchanged."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ArgumentError(
            f"Argument `{name}` must be a float. Received: {name}={value!r}"
        )
    bad = (
        (low is not None and value < low)
        or (high is not None and (value >= high if high_open else value > high))
        or math.isnan(value)
    )
    if bad:
        hi = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        rng = f"[{lo}, {'inf' if high is None else high}{hi}"
        raise ArgumentError(
            f"Argument `{name}` must be in {rng}. Received: {name}={value}"
        )
    return value


def _scaled_add_(dst: list, src: list, scale) -> None:
    """``dst += scale * src`` for a float or 0-dim tensor scale (one pass if float)."""
    if isinstance(scale, torch.Tensor):
        torch._foreach_add_(dst, torch._foreach_mul(src, scale))
    else:
        torch._foreach_add_(dst, src, alpha=scale)


def _scaled_addcdiv_(dst: list, num: list, den: list, scale) -> None:
    """``dst += scale * num / den`` for a float or a 0-dim tensor scale."""
    if isinstance(scale, torch.Tensor):
        torch._foreach_add_(
            dst, torch._foreach_mul(torch._foreach_div(num, den), scale)
        )
    else:
        torch._foreach_addcdiv_(dst, num, den, value=scale)


def _as_scalar(value):
    """A learning rate as a Python float, or a 0-dim tensor where reading it would
    wait for the accelerator."""
    if isinstance(value, torch.Tensor):
        if value.device.type == "cpu":
            return float(value)
        return value.detach().reshape(())
    return float(value)


def _take(values: list, idx: list[int] | None) -> list:
    return values if idx is None or not values else [values[i] for i in idx]


class Optimizer:
    """Base class of all optimizers, with Keras 3's arguments and methods.

    Subclasses create their slots in `build` and update parameters in
    `_update(params, grads, idx, lr)` with multi-tensor ops; a custom optimizer
    written Keras's way (overriding `update_step(gradient, variable,
    learning_rate)`) also works, one parameter at a time.

    A subclass's ``__init__`` names its own arguments and passes the others
    on as ``**kwargs``; its signature still shows every argument, as Keras's
    does, and so does its docstring's ``Args:`` section where it ends with the
    line ``{arguments}`` (see `optimizer_arguments`). Its `get_config` adds
    the arguments it names in ``_config_arguments``.

    Args:
        {arguments}

    Example:
        >>> import torch, lamina
        >>> w = torch.nn.Parameter(torch.ones(3))
        >>> opt = lamina.optimizers.SGD(learning_rate=0.1)
        >>> (w * 2.0).sum().backward()
        >>> opt.step([w])
        >>> w.detach().tolist()
        [0.800000011920929, 0.800000011920929, 0.800000011920929]
    """

    # The subclass's own constructor arguments that `get_config` writes, each
    # read from the attribute of its name.
    _config_arguments: tuple[str, ...] = ()

    # Whether `compile(jit_compile=True)` compiles `_update` (it traces with
    # the learning rate as a tensor and no Python step count), and the hook the
    # compiled step installs to run it: ``hook(optimizer, params, grads, lr)``.
    _jit_update = False
    _update_hook = None

    def __init_subclass__(cls, inherit_arguments: bool = True, **kwargs):
        """Show the arguments a subclass passes on in ``**kwargs`` as Keras does.

        ``class C(Optimizer, inherit_arguments=False)`` keeps C's own signature
        (for a ``**kwargs`` that does not reach this class).
        """
        super().__init_subclass__(**kwargs)
        if inherit_arguments:
            signatures.inherit_arguments(cls)
            cls.__doc__ = optimizer_arguments.fill_docstring(
                cls.__doc__, inspect.signature(cls.__init__)
            )

    def __init__(
        self,
        learning_rate: Any,
        weight_decay: float | None = None,
        clipnorm: float | None = None,
        clipvalue: float | None = None,
        global_clipnorm: float | None = None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency: int | None = None,
        loss_scale_factor: float | None = None,
        gradient_accumulation_steps: int | None = None,
        name: str | None = None,
        **kwargs,
    ):
        # Keras 2 spellings, mapped here once for every optimizer.
        if "lr" in kwargs:
            _warn_once(
                "lr", "The `lr` argument is deprecated, use `learning_rate` instead."
            )
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        self._decay = float(
            _check_number("decay", decay, low=0.0, allow_none=True) or 0.0
        )
        # Keras 2.11+ configs carry XLA flags that mean nothing on torch.
        kwargs.pop("jit_compile", None)
        kwargs.pop("is_legacy_optimizer", None)
        if kwargs:
            raise ArgumentError(f"Argument(s) not recognized: {kwargs}")

        self.name = name if name is not None else auto_name(type(self).__name__)
        self.weight_decay = _check_number(
            "weight_decay", weight_decay, low=0.0, allow_none=True
        )
        self.clipnorm = _check_number("clipnorm", clipnorm, low=0.0, allow_none=True)
        self.clipvalue = _check_number("clipvalue", clipvalue, low=0.0, allow_none=True)
        self.global_clipnorm = _check_number(
            "global_clipnorm", global_clipnorm, low=0.0, allow_none=True
        )
        given = [a is not None for a in (clipnorm, clipvalue, global_clipnorm)]
        if sum(given) > 1:
            raise ArgumentError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.use_ema = bool(use_ema)
        if use_ema:
            _check_number("ema_momentum", ema_momentum, 0.0, 1.0)
            if ema_overwrite_frequency is not None and (
                not isinstance(ema_overwrite_frequency, int)
                or isinstance(ema_overwrite_frequency, bool)
                or ema_overwrite_frequency < 1
            ):
                raise ArgumentError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                    f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if loss_scale_factor is not None:
            _check_number("loss_scale_factor", loss_scale_factor)
            if loss_scale_factor == 0:
                raise ArgumentError(
                    "Argument `loss_scale_factor` must be nonzero. "
                    "Received: loss_scale_factor=0"
                )
        self.loss_scale_factor = loss_scale_factor
        if gradient_accumulation_steps is not None and (
            not isinstance(gradient_accumulation_steps, int)
            or isinstance(gradient_accumulation_steps, bool)
            or gradient_accumulation_steps < 2
        ):
            raise ArgumentError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        self.gradient_accumulation_steps = gradient_accumulation_steps

        # The step count: a CPU tensor for users and files, a Python int for the
        # hot path. `_version` tells when someone wrote into the tensor.
        self._iterations = torch.zeros((), dtype=torch.int32)
        self._iterations.path = f"{self.name}/iteration"
        self._step_count = 0
        self._iterations_version = self._iterations._version
        self._lr_tensor: torch.Tensor | None = None
        self._learning_rate: Any = None
        self._set_learning_rate(learning_rate)

        self.built = False
        self._params: list[torch.Tensor] = []
        self._param_ids: tuple[int, ...] = ()
        self._index: dict[int, int] = {}
        self._slot_variables: list[torch.Tensor] = []
        self._extra_variables: list[torch.Tensor] = []
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern | None = None

    # ----------------------------------------------------------------- state
    @property
    def iterations(self) -> torch.Tensor:
        """The number of optimizer updates done, as an int32 tensor."""
        self._sync_mirrors()
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @property
    def variables(self) -> list[torch.Tensor]:
        """The state tensors, in Keras's order (each has a Keras ``.path``)."""
        head = [self._iterations]
        if self._lr_tensor is not None:
            head.append(self._lr_tensor)
        return head + self._slot_variables + self._extra_variables

    @property
    def learning_rate(self):
        """The current learning rate (a tensor); settable with a float or a schedule."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations)
        if lr is None:
            self._sync_mirrors()
            return self._lr_tensor
        return lr()

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        is_rate = not isinstance(value, _schedules.LearningRateSchedule) and not (
            callable(value)
        )
        if is_rate and isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as "
                "its `learning_rate` constructor argument, hence its learning rate "
                "is not settable. If you need the learning rate to be settable, you "
                "should instantiate the optimizer with a float `learning_rate` "
                "argument."
            )
        self._set_learning_rate(value)

    @property
    def lr(self):
        """Keras 2's name of `learning_rate`."""
        _warn_once(
            "lr_attr", "`optimizer.lr` is deprecated, use `optimizer.learning_rate`."
        )
        return self.learning_rate

    @lr.setter
    def lr(self, value) -> None:
        _warn_once(
            "lr_attr", "`optimizer.lr` is deprecated, use `optimizer.learning_rate`."
        )
        self.learning_rate = value

    def _set_learning_rate(self, value) -> None:
        if isinstance(value, _schedules.LearningRateSchedule) or (
            callable(value) and not isinstance(value, torch.Tensor)
        ):
            self._learning_rate = value
            self._lr_tensor = None
            return
        if isinstance(value, torch.Tensor) and value.numel() == 1:
            value = float(value)
        _check_number("learning_rate", value, low=0.0)
        value = _f32(float(value))
        self._learning_rate = None
        if self._lr_tensor is None:
            self._lr_tensor = torch.tensor(value, dtype=torch.float32)
            self._lr_tensor.path = f"{self.name}/learning_rate"
        else:
            self._lr_tensor.fill_(value)
        self._lr_value = value
        self._lr_version = self._lr_tensor._version

    def _sync_mirrors(self) -> None:
        """Pick up values written straight into the state tensors (CPU reads only)."""
        if self._iterations._version != self._iterations_version:
            self._step_count = int(self._iterations)
            self._iterations_version = self._iterations._version
        if self._lr_tensor is not None and self._lr_tensor._version != self._lr_version:
            self._lr_value = float(self._lr_tensor)
            self._lr_version = self._lr_tensor._version

    def _current_lr(self):
        """The learning rate for this step: a float, or a 0-dim device tensor."""
        lr = self._learning_rate
        if lr is None:
            lr = self._lr_value
        elif isinstance(lr, _schedules.LearningRateSchedule):
            if type(lr).__call__ is _schedules._FormulaSchedule.__call__:
                lr = lr._value(self._step_count)  # Python math: no tensor ops at all
            else:
                lr = _as_scalar(lr(self._iterations))
        else:
            lr = _as_scalar(lr())
        if self._decay:
            # Keras 2's `decay`: inverse-time decay over the update count.
            lr = lr / (1.0 + self._decay * self._step_count)
        return lr

    def _local_step(self) -> int:
        """Keras's ``iterations + 1``: the 1-based number of this update."""
        if self.gradient_accumulation_steps:
            return self._step_count // self.gradient_accumulation_steps + 1
        return self._step_count + 1

    # ------------------------------------------------------------------ build
    def build(self, variables: Sequence[torch.Tensor]) -> None:
        """Create the optimizer's state for these parameters (once)."""
        if self.built:
            return
        variables = list(variables)
        for v in variables:
            if not isinstance(v, torch.Tensor):
                raise ArgumentError(
                    f"Optimizer variables must be torch tensors or parameters, "
                    f"received {type(v).__name__}."
                )
        self._params = variables
        self._param_ids = tuple(map(id, variables))
        self._index = {id(v): i for i, v in enumerate(variables)}
        self._ref_names = [self._reference_name(v, i) for i, v in enumerate(variables)]
        if self.use_ema:
            self._averages = self.add_optimizer_variables(variables, "average")
            for avg, v in zip(self._averages, variables):
                avg.copy_(v.detach())
        if self.gradient_accumulation_steps:
            self._gradient_accumulators = self.add_optimizer_variables(
                variables, "gradient_accumulator"
            )
        self._decayed = [self._use_weight_decay(v) for v in variables]
        self._decayed_params = [v for v, d in zip(variables, self._decayed) if d]
        self._constrained = [
            (i, v, v.constraint)
            for i, v in enumerate(variables)
            if getattr(v, "constraint", None) is not None
        ]
        self.built = True

    def _reference_name(self, variable: torch.Tensor, position: int) -> str:
        path = getattr(variable, "path", None)
        if isinstance(path, str):
            return path.replace("/", "_")
        name = getattr(variable, "name", None)
        if isinstance(name, str):
            return name.replace("/", "_").replace(":", "_")
        return f"variable_{position}"

    def add_variable_from_reference(
        self,
        reference_variable: torch.Tensor,
        name: str | None = None,
        initializer: Any = "zeros",
    ) -> torch.Tensor:
        """A state tensor shaped like ``reference_variable``, named Keras's way."""
        position = self._index.get(id(reference_variable), len(self._slot_variables))
        ref = (
            self._ref_names[position]
            if position < len(getattr(self, "_ref_names", []))
            else self._reference_name(reference_variable, position)
        )
        like = reference_variable
        if getattr(like, "_sharded_away", False):
            # ModelParallel: the state is made as a shard of the variable.
            like = like._sharding.part_of(like)
        with torch.no_grad():
            slot = torch.zeros_like(like.detach(), memory_format=torch.preserve_format)
            if initializer not in ("zeros", 0, 0.0):
                if initializer == "ones":
                    slot.fill_(1.0)
                elif isinstance(initializer, (int, float)):
                    slot.fill_(float(initializer))
                elif callable(initializer):
                    slot.copy_(
                        torch.as_tensor(
                            initializer(tuple(slot.shape), dtype=slot.dtype)
                        )
                    )
                else:
                    raise ArgumentError(f"Unknown slot initializer: {initializer!r}")
        slot.path = f"{self.name}/{ref}_{name or 'var'}"
        slot._reference_position = position  # the variable it is shaped like
        self._slot_variables.append(slot)
        return slot

    def add_optimizer_variables(
        self,
        trainable_variables: Sequence[torch.Tensor],
        name: str | Sequence[str],
        initializer: Any = "zeros",
    ):
        """One slot per variable per name, interleaved per variable as Keras does.

        Returns one list for a single name, else a tuple of lists.
        """
        names = [name] if isinstance(name, str) else list(name)
        inits = (
            initializer
            if isinstance(initializer, (list, tuple))
            else [initializer] * len(names)
        )
        out = tuple([] for _ in names)
        for v in trainable_variables:
            for k, (n, init) in enumerate(zip(names, inits)):
                out[k].append(self.add_variable_from_reference(v, n, init))
        return out[0] if isinstance(name, str) else out

    def _get_variable_index(self, variable: torch.Tensor) -> int:
        return self._index[id(variable)]

    def _replace_tensors(self, replacements: dict[int, torch.Tensor]) -> None:
        """Swap parameters and state tensors for others, by ``id`` of the old
        ones, wherever this optimizer keeps them (not in the optimizers it
        wraps: each has its own call): a ModelParallel epoch trains on sharded
        copies and hands back whole ones. New state tensors take the old
        ones' Keras ``path``.
        """

        def swap(value):
            if isinstance(value, torch.Tensor):
                new = replacements.get(id(value))
                if new is None:
                    return value
                for attribute in ("path", "_reference_position"):
                    if hasattr(value, attribute) and not hasattr(new, attribute):
                        setattr(new, attribute, getattr(value, attribute))
                return new
            if type(value) in (list, tuple):
                return type(value)(swap(v) for v in value)
            return value

        for key, value in list(vars(self).items()):
            if type(value) in (list, tuple):
                setattr(self, key, swap(value))
        self._param_ids = tuple(map(id, self._params))
        self._index = {id(v): i for i, v in enumerate(self._params)}

    # ----------------------------------------------------------- weight decay
    def exclude_from_weight_decay(
        self, var_list: Iterable | None = None, var_names: Iterable[str] | None = None
    ) -> None:
        """Exclude variables (or names matching any of ``var_names``) from weight decay.

        Must be called before the optimizer is built.
        """
        if self.built:
            raise ArgumentError(
                "`exclude_from_weight_decay()` can only be configured before the "
                "optimizer is built."
            )
        self._exclude_ids = {id(v) for v in var_list or ()}
        names = set(var_names or ())
        self._exclude_pattern = re.compile("|".join(names)) if names else None

    def _use_weight_decay(self, variable: torch.Tensor) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        if self._exclude_pattern is not None:
            name = getattr(variable, "name", None)
            if not isinstance(name, str):
                name = str(getattr(variable, "path", "")).split("/")[-1]
            if self._exclude_pattern.search(name):
                return False
        return True

    def _apply_weight_decay(self, params: list, idx: list[int] | None, lr) -> None:
        if self.weight_decay is None:
            return
        if idx is None:
            decayed = self._decayed_params
        else:
            decayed = [p for p, i in zip(params, idx) if self._decayed[i]]
        if decayed:
            torch._foreach_mul_(decayed, 1.0 - self.weight_decay * lr)

    # ------------------------------------------------------------------ apply
    def step(self, params: Sequence[torch.Tensor] | None = None) -> None:
        """Update ``params`` in place from their ``.grad`` (after ``loss.backward()``).

        Parameters whose ``.grad`` is None are skipped. Builds the optimizer on
        the first call. This is the training loop's fast path; `apply_gradients`
        runs the same update code.
        """
        if params is None:
            if not self.built:
                raise ArgumentError(
                    "`step()` without parameters needs a built optimizer."
                )
            params = self._params
        elif not isinstance(params, list):
            params = list(params)
        if not self.built:
            self.build(params)
        with torch.no_grad():
            self._apply([p.grad for p in params], params)

    def apply_gradients(self, grads_and_vars: Iterable) -> torch.Tensor:
        """Apply ``(gradient, variable)`` pairs; returns `iterations` as tf.keras."""
        pairs = list(grads_and_vars)
        if pairs:
            grads, variables = zip(*pairs)
            self.apply(list(grads), list(variables))
        return self._iterations

    def apply(
        self, grads: Sequence, trainable_variables: Sequence | None = None
    ) -> None:
        """Update ``trainable_variables`` with ``grads`` (one gradient per variable).

        Without ``trainable_variables`` the optimizer must be built; ``grads``
        then match the variables it was built with.
        """
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ArgumentError(
                    "When passing `grads` without `variables`, the optimizer must "
                    "already be built on a list of variables. Call "
                    "`optimizer.build(trainable_variables)` first."
                )
            variables = self._params
        else:
            variables = list(trainable_variables)
            if not self.built:
                self.build(variables)
        if len(grads) != len(variables):
            raise ArgumentError(
                f"Expected one gradient per variable: received {len(grads)} gradients "
                f"for {len(variables)} variables."
            )
        grads = [
            g if g is None else self._as_gradient(g, v)
            for g, v in zip(grads, variables)
        ]
        with torch.no_grad():
            self._apply(grads, variables)

    @staticmethod
    def _as_gradient(g, v: torch.Tensor) -> torch.Tensor:
        if not isinstance(g, torch.Tensor):
            g = torch.as_tensor(np.asarray(g))
        if g.dtype != v.dtype or g.device != v.device:
            g = g.to(device=v.device, dtype=v.dtype)
        if g.shape != v.shape:
            raise ArgumentError(
                f"Gradient shape {tuple(g.shape)} does not match variable shape "
                f"{tuple(v.shape)} ({getattr(v, 'path', 'unnamed variable')})."
            )
        return g.detach()

    def _select(self, grads: list, params: list):
        """Drop None gradients; map the parameters to their build positions."""
        if tuple(map(id, params)) == self._param_ids and all(map(_is_not_none, grads)):
            return grads, params, None
        idx, kept_g, kept_p = [], [], []
        for g, p in zip(grads, params):
            if g is None:
                continue
            i = self._index.get(id(p))
            if i is None:
                raise ArgumentError(
                    f"Unknown variable {getattr(p, 'path', tuple(p.shape))}: this "
                    "optimizer can only be called for the variables it was originally "
                    "built with. For new variables, create a new optimizer."
                )
            idx.append(i)
            kept_g.append(g)
            kept_p.append(p)
        if not kept_g:
            raise ArgumentError("No gradients provided for any variable.")
        return kept_g, kept_p, idx

    def _apply(self, grads: list, params: list) -> None:
        self._sync_mirrors()
        grads, params, idx = self._select(grads, params)
        if self.loss_scale_factor is not None:
            grads = torch._foreach_div(grads, float(self.loss_scale_factor))
        steps = self.gradient_accumulation_steps
        if steps:
            accs = _take(self._gradient_accumulators, idx)
            if (self._step_count + 1) % steps == 0:
                grads = torch._foreach_add(grads, accs)
                torch._foreach_div_(grads, float(steps))
                self._update_with_lr(params, grads, idx)
                torch._foreach_zero_(accs)
            else:
                torch._foreach_add_(accs, grads)
        else:
            self._update_with_lr(params, grads, idx)
        if self.use_ema:
            self._update_moving_average()
        for _, p, constraint in self._constrained:
            if idx is None or self._index[id(p)] in idx:
                p.copy_(constraint(p))
        self._iterations.add_(1)
        self._iterations_version = self._iterations._version
        self._step_count += 1

    def _update_with_lr(self, params: list, grads: list, idx) -> None:
        grads = self._clip_gradients(grads)
        lr = self._current_lr()
        self._apply_weight_decay(params, idx, lr)
        if self._update_hook is None or idx is not None:
            self._update(params, grads, idx, lr)
        else:
            self._update_hook(self, params, grads, lr)

    def _clip_gradients(self, grads: list) -> list:
        if self.clipnorm:
            # Each gradient scaled by clipnorm / max(norm, clipnorm), as Keras.
            factors = torch._foreach_norm(grads)
            # (Not in place: a sharded variable's norm is a pending sum.)
            factors = torch._foreach_clamp_min(factors, float(self.clipnorm))
            torch._foreach_reciprocal_(factors)
            torch._foreach_mul_(factors, float(self.clipnorm))
            return [g * f for g, f in zip(grads, factors)]
        if self.global_clipnorm:
            norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
            clip = float(self.global_clipnorm)
            scale = clip * torch.clamp(1.0 / norm, max=1.0 / clip)
            scale = scale + (norm - norm)  # inf or nan norms give nan, as in Keras
            return torch._foreach_mul(grads, scale)
        if self.clipvalue:
            clipped = torch._foreach_clamp_max(grads, float(self.clipvalue))
            torch._foreach_clamp_min_(clipped, -float(self.clipvalue))
            return clipped
        return grads

    def _update(self, params: list, grads: list, idx: list[int] | None, lr) -> None:
        """Update ``params`` in place; the default runs Keras-style `update_step`."""
        for g, p in zip(grads, params):
            self.update_step(g, p, lr)

    def update_step(
        self, gradient: torch.Tensor, variable: torch.Tensor, learning_rate
    ) -> None:
        """Update one variable (for optimizers written Keras's way)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override `update_step()` or `_update()`."
        )

    def assign(self, variable: torch.Tensor, value) -> None:
        with torch.no_grad():
            variable.copy_(torch.as_tensor(value, dtype=variable.dtype))

    def assign_add(self, variable: torch.Tensor, value) -> None:
        with torch.no_grad():
            variable.add_(value)

    def assign_sub(self, variable: torch.Tensor, value) -> None:
        with torch.no_grad():
            variable.sub_(value)

    def scale_loss(self, loss):
        """Multiply the loss by `loss_scale_factor` when one is set."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    # -------------------------------------------------------------------- EMA
    def _update_moving_average(self) -> None:
        step = self._local_step() - 1  # Keras's `iterations` before the increment
        momentum = self.ema_momentum if step != 0 else 0.0
        # average = momentum * average + (1 - momentum) * param, in one pass.
        torch._foreach_lerp_(self._averages, self._params, 1.0 - momentum)
        freq = self.ema_overwrite_frequency
        if freq and (step + 1) % freq == 0:
            torch._foreach_copy_(self._params, self._averages)

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        """With ``use_ema``, overwrite the variables with their moving averages."""
        if not self.use_ema:
            return
        var_list = list(var_list)
        if len(var_list) != len(self._averages):
            raise ArgumentError(
                f"The length of model variables ({len(var_list)}) to override does not "
                f"match the number stored in the optimizer ({len(self._averages)})."
            )
        with torch.no_grad():
            for v, avg in zip(var_list, self._averages):
                v.copy_(avg)

    # ----------------------------------------------------------- state as numpy
    def get_weights(self) -> list[np.ndarray]:
        """The state tensors as numpy arrays, in `variables` order (Keras's)."""
        return [v.detach().cpu().numpy().copy() for v in self.variables]

    def set_weights(self, weights: Sequence) -> None:
        """Set the state from numpy arrays in `variables` order."""
        if not self.built:
            raise ArgumentError(
                "You are calling `set_weights()` on an optimizer that has not yet been "
                "built. Please call `optimizer.build(trainable_variables)` to create "
                "the optimizer weights before calling `set_weights()`."
            )
        variables = self.variables
        weights = list(weights)
        if len(weights) != len(variables):
            raise ArgumentError(
                f"Optimizer {self.name!r} has {len(variables)} variables, received "
                f"{len(weights)} weights."
            )
        for v, w in zip(variables, weights):
            w = np.asarray(w)
            if tuple(v.shape) != tuple(w.shape):
                raise ArgumentError(
                    f"Optimizer variable {getattr(v, 'path', '')} has shape "
                    f"{tuple(v.shape)} not compatible with provided weight shape "
                    f"{tuple(w.shape)}."
                )
        with torch.no_grad():
            for v, w in zip(variables, weights):
                v.copy_(torch.as_tensor(np.asarray(w)).to(dtype=v.dtype))
        self._sync_mirrors()
        self._state_loaded()

    def _state_loaded(self) -> None:
        """Hook: refresh Python mirrors of extra state after `set_weights`."""

    def save_own_variables(self, store) -> None:
        """Write the state into ``store`` as ``"0"``, ``"1"``, ... (Keras's format)."""
        for i, w in enumerate(self.get_weights()):
            store[str(i)] = w

    def load_own_variables(self, store) -> None:
        """Read the state written by `save_own_variables` (or by Keras)."""
        variables = self.variables
        if len(store.keys()) != len(variables):
            msg = (
                f"Skipping variable loading for optimizer '{self.name}', because it "
                f"has {len(variables)} variables whereas the saved optimizer has "
                f"{len(store.keys())} variables. "
            )
            if not self.built:
                msg += (
                    "This is likely because the optimizer has not been called/built "
                    "yet."
                )
            warnings.warn(msg, stacklevel=2)
            return
        self.set_weights([np.asarray(store[str(i)]) for i in range(len(variables))])

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with Keras's keys."""
        lr = self._learning_rate
        if lr is None:
            self._sync_mirrors()
            learning_rate = self._lr_value
        elif isinstance(lr, _schedules.LearningRateSchedule):
            learning_rate = _schedules.serialize(lr)
        else:
            learning_rate = serialization.serialize_keras_object(lr)
        config = {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self._decay:
            config["decay"] = self._decay  # Keras 2's argument, only when used
        config.update({name: getattr(self, name) for name in self._config_arguments})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None):
        """Rebuild an optimizer from `get_config`'s output (Keras's or lamina's)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


Optimizer.__doc__ = optimizer_arguments.fill_docstring(
    Optimizer.__doc__, inspect.signature(Optimizer)
)
