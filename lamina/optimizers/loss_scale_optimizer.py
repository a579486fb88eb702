"""LossScaleOptimizer: dynamic loss scaling around another optimizer."""

from __future__ import annotations

from typing import Any

import torch

from lamina import serialization
from lamina.errors import ArgumentError
from lamina.optimizers import lookup
from lamina.optimizers.optimizer import Optimizer, _check_number

# Base arguments Keras still accepts in old configs, at their defaults only.
_BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer, inherit_arguments=False):
    """Dynamic loss scaling around ``inner_optimizer``, as Keras 3 does it.

    The loss is multiplied by a scale (`scale_loss`; lamina's `fit` does it
    through `loss_scale_factor`, which is the live scale tensor) so that small
    float16 gradients do not underflow; the gradients are divided by the same
    scale before the inner optimizer uses them. On a step with any non-finite
    gradient the update is skipped and the scale halved; after
    ``dynamic_growth_steps`` finite steps in a row the scale is doubled.

    Each step reads one boolean from the device (are all gradients finite?),
    like `torch.amp.GradScaler.step`: skipping the inner update, and with it
    the step count that drives Adam's bias correction or a schedule, has to be
    decided on the host for the state to stay exactly Keras's. The scale and
    its counter are updated on the device.

    Args:
        inner_optimizer: the `Optimizer` to wrap; its own `loss_scale_factor`
            is switched off, or the gradients would be unscaled twice.
        initial_scale: float > 0, the loss scale to start with. Defaults to
            ``2**15``.
        dynamic_growth_steps: int >= 1, how many finite steps in a row double
            the scale. Defaults to 2000.
        name: the name prefixing the state variables.

    Example:
        >>> import torch, lamina
        >>> opt = lamina.optimizers.LossScaleOptimizer(
        ...     lamina.optimizers.SGD(learning_rate=0.1), initial_scale=1024.0
        ... )
        >>> float(opt.scale_loss(torch.tensor(0.5)))
        512.0
    """

    def __init__(
        self,
        inner_optimizer: Optimizer,
        initial_scale: float = 2.0**15,
        dynamic_growth_steps: int = 2000,
        name: str | None = None,
        **kwargs,
    ):
        if not kwargs.pop("dynamic", True):
            raise ArgumentError(
                "LossScaleOptimizer no longer supports `dynamic=False`. Instead, "
                "simply set `loss_scale_factor` directly on the `inner_optimizer`."
            )
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ArgumentError(
                    f"LossScaleOptimizer does not support `{arg}`. Instead, set "
                    f"`{arg}` on the `inner_optimizer`."
                )
        if kwargs:
            raise ArgumentError(
                "LossScaleOptimizer does not support arguments: "
                f"`{'`, `'.join(kwargs)}`."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise ArgumentError(
                "Argument `inner_optimizer` must be an optimizer instance. "
                f"Received: inner_optimizer={inner_optimizer!r}"
            )
        _check_number("initial_scale", initial_scale, low=0.0)
        if initial_scale == 0:
            raise ArgumentError(
                "Argument `initial_scale` must be > 0. Received: initial_scale=0"
            )
        if (
            not isinstance(dynamic_growth_steps, int)
            or isinstance(dynamic_growth_steps, bool)
            or dynamic_growth_steps < 1
        ):
            raise ArgumentError(
                "Argument `dynamic_growth_steps` must be an integer >= 1. "
                f"Received: dynamic_growth_steps={dynamic_growth_steps!r}"
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        inner_optimizer.loss_scale_factor = None
        # Keras creates these two in `build`; they exist from the start here so
        # that `loss_scale_factor` is one tensor a training loop can hold on to.
        self.step_counter = torch.zeros((), dtype=torch.int32)
        self.step_counter.path = f"{self.name}/step_counter"
        self.dynamic_scale = torch.tensor(float(initial_scale), dtype=torch.float32)
        self.dynamic_scale.path = f"{self.name}/dynamic_scale"

    @property
    def loss_scale_factor(self) -> torch.Tensor | None:
        """The current loss scale: the live 0-dim tensor that `fit` multiplies by."""
        return getattr(self, "dynamic_scale", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value) -> None:
        # The base constructor stores None here; any other value is a mistake.
        if value is not None:
            raise ArgumentError(
                "LossScaleOptimizer does not support `loss_scale_factor`. Instead, "
                "set `loss_scale_factor` on the `inner_optimizer`."
            )

    def build(self, var_list) -> None:
        if self.built:
            return
        var_list = list(var_list)
        if not self.inner_optimizer.built:
            # Keras builds the inner optimizer with automatic tracking off, which
            # leaves Adafactor's rank < 2 placeholders out of its variables.
            self.inner_optimizer._tracks_placeholders = False
            self.inner_optimizer.build(var_list)
        super().build(var_list)
        if var_list:
            # Assigning `.data` moves the tensors and keeps their identity, so a
            # loop that already holds `loss_scale_factor` sees the device copy.
            device = var_list[0].device
            self.step_counter.data = self.step_counter.data.to(device)
            self.dynamic_scale.data = self.dynamic_scale.data.to(device)
        self._extra_variables += [self.step_counter, self.dynamic_scale]

    @property
    def variables(self) -> list[torch.Tensor]:
        """Own state (Keras's order) followed by the inner optimizer's."""
        return super().variables + self.inner_optimizer.variables

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate (settable)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> torch.Tensor:
        """The inner optimizer's update count (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    def scale_loss(self, loss):
        """Multiply ``loss`` by the current loss scale."""
        return loss * self.dynamic_scale

    def _apply(self, grads: list, params: list) -> None:
        present = [g for g in grads if g is not None]
        if not present:
            raise ArgumentError("No gradients provided for any variable.")
        # The 1-norm is NaN or inf when an element is (or when finite values
        # sum past float32's largest, which no trainable gradient does). Not
        # the infinity norm: it has no value for an empty tensor, such as a
        # sharded variable's part on some process under ModelParallel.
        norms = torch._foreach_norm(present, ord=1)
        finite = torch.stack(norms).isfinite().all()
        scale, counter = self.dynamic_scale, self.step_counter
        if finite:  # the one host read per step (see the class docstring)
            unscaled = iter(torch._foreach_div(present, scale))
            self.inner_optimizer._apply(
                [None if g is None else next(unscaled) for g in grads], params
            )
            counter.add_(1)
            grow = counter == self.dynamic_growth_steps
            scale.mul_(torch.where(grow, 2.0, 1.0))
            counter.masked_fill_(grow, 0)
        else:
            counter.zero_()
            scale.mul_(0.5)

    def _state_loaded(self) -> None:
        self.inner_optimizer._sync_mirrors()
        self.inner_optimizer._state_loaded()

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self) -> dict[str, Any]:
        # Only these keys, as Keras: the base arguments belong to the inner one.
        return {
            "name": self.name,
            "inner_optimizer": serialization.serialize_keras_object(
                self.inner_optimizer
            ),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None):
        """Rebuild from `get_config`'s output, the inner optimizer included."""
        config = dict(config)
        inner = lookup.deserialize(
            config.pop("inner_optimizer"),
            custom_objects,
            lookup.by_name((*lookup.OPTIMIZERS, LossScaleOptimizer)),
        )
        return cls(inner, **config)
