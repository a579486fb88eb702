"""MultiOptimizer and OptimizerMap: a different optimizer per group of variables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

import torch

from lamina import serialization
from lamina.errors import ArgumentError
from lamina.optimizers import lookup
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer
from lamina.optimizers.optimizer import Optimizer


def _check_inner(optimizer: Any, what: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise ArgumentError(
            f"{what} must be a Keras Optimizer instance. Received: {optimizer!r}"
        )
    if isinstance(optimizer, LossScaleOptimizer):
        raise ArgumentError(f"{what} cannot be a LossScaleOptimizer.")
    if isinstance(optimizer, MultiOptimizer):
        raise ArgumentError(f"{what} cannot be a MultiOptimizer.")


class OptimizerMap(MutableMapping):
    """Variable paths (or regular expressions over them) mapped to optimizers.

    A path found as a key gets that key's optimizer; otherwise the one key
    that matches the whole path as a regular expression (``"encoder/.*"``);
    otherwise ``default_optimizer``. A path matching several keys is an
    error.

    Example:
        >>> from lamina import optimizers
        >>> adam = optimizers.Adam()
        >>> m = OptimizerMap(optimizers.SGD(name="sgd"), {"encoder/.*": adam})
        >>> m["decoder/dense/kernel"].name
        'sgd'

    Args:
        default_optimizer: the `Optimizer` of the variables no key matches.
        optimizer_map: dict of path or regular expression to `Optimizer`.
    """

    def __init__(
        self,
        default_optimizer: Optimizer,
        optimizer_map: dict[str, Optimizer] | None = None,
    ):
        # TypeErrors, as Keras raises here.
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                "default_optimizer must be a Keras Optimizer instance. "
                f"Received: {default_optimizer!r}"
            )
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(
                f"optimizer_map must be a dictionary. Received: {optimizer_map!r}"
            )
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [k for k in self._optimizer_map if re.fullmatch(k, key)]
        if len(matches) > 1:
            raise ArgumentError(
                f"Multiple optimizers assigned to variable {key}: keys {matches}."
            )
        return self._optimizer_map[matches[0]] if matches else self.default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if key in self._optimizer_map:
            raise ArgumentError(
                f"'{key}' already exists in the OptimizerMap with value "
                f"{self._optimizer_map[key]}. Please make sure to not use "
                "duplicated keys."
            )
        if not isinstance(key, str):
            raise ArgumentError(f"key must be a string. Received: {key!r}")
        _check_inner(optimizer, "optimizer")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._optimizer_map)

    def __call__(self, variable: torch.Tensor) -> Optimizer:
        """The optimizer of ``variable``, found by its ``path``."""
        return self[variable.path]

    def get_config(self) -> dict[str, Any]:
        return {
            "default_optimizer": serialization.serialize_keras_object(
                self._default_optimizer
            ),
            "optimizer_map": serialization.serialize_keras_object(self._optimizer_map),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None):
        table = lookup.by_name(lookup.OPTIMIZERS)

        def rebuild(spec):
            return lookup.deserialize(spec, custom_objects, table)

        mapping = config.get("optimizer_map") or {}
        return cls(
            rebuild(config["default_optimizer"]),
            {key: rebuild(spec) for key, spec in mapping.items()},
        )


class MultiOptimizer(Optimizer, inherit_arguments=False):
    """Updates each variable with the optimizer ``optimizer_map`` assigns it.

    Each inner optimizer keeps its own learning rate, arguments and state; a
    step updates every group of variables with its optimizer, once. The inner
    optimizers' `loss_scale_factor` is this one's (set on each of them).

    Example:
        >>> from lamina import optimizers
        >>> opt = MultiOptimizer(
        ...     OptimizerMap(optimizers.SGD(), {"encoder/.*": optimizers.Adam()})
        ... )

    Args:
        optimizer_map: an `OptimizerMap`, or a callable returning the optimizer
            of a variable.
        loss_scale_factor: float or None, given to every inner optimizer.
        name: the name prefixing the state variables.
    """

    def __init__(
        self,
        optimizer_map: OptimizerMap | Callable[[torch.Tensor], Optimizer],
        loss_scale_factor: float | None = None,
        name: str | None = None,
    ):
        super().__init__(
            learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name
        )
        self._optimizer_map = optimizer_map
        self._inner_optimizers: list[Optimizer] = []
        mapped = list(getattr(optimizer_map, "values", list)())
        default = getattr(optimizer_map, "default_optimizer", None)
        for opt in [*mapped, *([default] if default is not None else [])]:
            self._adopt(opt)

    def _adopt(self, optimizer: Optimizer) -> int:
        """The position of ``optimizer`` among the inner ones (added if new)."""
        for k, known in enumerate(self._inner_optimizers):
            if known is optimizer:
                return k
        optimizer.loss_scale_factor = self.loss_scale_factor
        self._inner_optimizers.append(optimizer)
        return len(self._inner_optimizers) - 1

    @property
    def optimizers(self) -> list[Optimizer]:
        """The inner optimizers, in the order of their state in `variables`."""
        return self._inner_optimizers

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value) -> None:
        self._loss_scale_factor = value
        for opt in getattr(self, "_inner_optimizers", ()):
            opt.loss_scale_factor = value

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the "
            "learning rate on the individual sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set the learning "
            "rate on the individual sub-optimizers instead."
        )

    @property
    def variables(self) -> list[torch.Tensor]:
        """Own state (``iteration``, ``learning_rate``), then each inner one's."""
        own = super().variables
        return own + [v for opt in self._inner_optimizers for v in opt.variables]

    def build(self, var_list) -> None:
        if self.built:
            return
        var_list = list(var_list)
        assigned = []
        for v in var_list:
            opt = self._optimizer_map(v)
            _check_inner(opt, f"The optimizer of variable {getattr(v, 'path', '')}")
            assigned.append(self._adopt(opt))
        self._assigned = assigned
        for k, opt in enumerate(self._inner_optimizers):
            group = [v for v, a in zip(var_list, assigned) if a == k]
            if group:
                opt.build(group)
        super().build(var_list)

    def _apply(self, grads: list, params: list) -> None:
        groups: list[tuple[list, list]] = [([], []) for _ in self._inner_optimizers]
        for g, p in zip(grads, params):
            i = self._index.get(id(p))
            if i is None:
                raise ArgumentError(
                    f"Unknown variable {getattr(p, 'path', tuple(p.shape))}: this "
                    "optimizer can only be called for the variables it was "
                    "originally built with. For new variables, create a new "
                    "optimizer."
                )
            group = groups[self._assigned[i]]
            group[0].append(g)
            group[1].append(p)
        if all(g is None for g in grads):
            raise ArgumentError("No gradients provided for any variable.")
        for opt, (group_grads, group_params) in zip(self._inner_optimizers, groups):
            if any(g is not None for g in group_grads):
                opt._apply(group_grads, group_params)
        self._sync_mirrors()
        self._iterations.add_(1)
        self._iterations_version = self._iterations._version
        self._step_count += 1

    def _state_loaded(self) -> None:
        for opt in self._inner_optimizers:
            opt._sync_mirrors()
            opt._state_loaded()

    def finalize_variable_values(self, var_list) -> None:
        """Let each inner optimizer finalize its own variables (EMA)."""
        var_list = list(var_list)
        for k, opt in enumerate(self._inner_optimizers):
            group = [v for v in var_list if self._assigned[self._index[id(v)]] == k]
            if group:
                opt.finalize_variable_values(group)

    def get_config(self) -> dict[str, Any]:
        return {
            "optimizer_map": serialization.serialize_keras_object(self._optimizer_map),
            "loss_scale_factor": self.loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None):
        config = dict(config)
        optimizer_map = config.pop("optimizer_map")
        if isinstance(optimizer_map, dict) and (
            optimizer_map.get("class_name") == "OptimizerMap"
        ):
            optimizer_map = OptimizerMap.from_config(
                optimizer_map.get("config", {}), custom_objects
            )
        else:
            optimizer_map = serialization.deserialize_keras_object(
                optimizer_map, custom_objects, printable_module_name="optimizer_map"
            )
        return cls(optimizer_map, **config)
