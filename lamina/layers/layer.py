"""The Layer base class: a `torch.nn.Module` with Keras's API and lifecycle."""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from lamina import backend
from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.backend.name_scope import scoped_path
from lamina.backend.naming import auto_name
from lamina.backend.remat import get_current_remat_mode, remat
from lamina.backend.stateless_scope import get_stateless_scope
from lamina.backend.symbolic_scope import run_symbolically
from lamina.backend.variables import Variable, whole_value, write_whole
from lamina.distribution import model_parallel
from lamina.dtype_policies.dtype_policy import DTypePolicy, policy_of
from lamina.errors import ArgumentError, ShapeError, warn_deprecated_once
from lamina.layers.input_spec import InputSpec, check_input_compatibility
from lamina.ops.node import Node

_CALL_CONTEXT = threading.local()


def current_training() -> bool | None:
    """The ``training`` value of the outermost layer call in progress, if any."""
    return getattr(_CALL_CONTEXT, "training", None)


def _in_call() -> bool:
    return getattr(_CALL_CONTEXT, "depth", 0) > 0


class _FrozenWeights(threading.local):
    generation = 0
    active = False


_FROZEN = _FrozenWeights()


@contextlib.contextmanager
def frozen_weights(samples: int | None = None):
    """Declare that no weight changes inside (predict, evaluate).

    Layers may then cache forms of their weights that are faster for inference
    (Dense keeps a transposed kernel), keyed by the generation this opens.

    Args:
        samples: how many samples will run; making such a copy costs about as
            much as a few hundred rows of inference, so for fewer samples than
            that layers are told not to bother. None: unknown (a generator).
    """
    previous = _FROZEN.active
    _FROZEN.generation += 1
    _FROZEN.active = samples is None or samples >= _CACHE_MIN_SAMPLES
    try:
        yield
    finally:
        _FROZEN.active = previous


# Below this many samples a predict/evaluate call does not cache derived weights.
_CACHE_MIN_SAMPLES = 512


def frozen_weights_generation() -> int | None:
    """The current `frozen_weights` generation, or None outside one."""
    return _FROZEN.generation if _FROZEN.active else None


def _all_tensors(items: list, float_dtype: torch.dtype | None = None) -> bool:
    """Whether ``items`` are all tensors (floats already of ``float_dtype``, if given)."""
    for item in items:
        if not isinstance(item, torch.Tensor):
            return False
        if (
            float_dtype is not None
            and item.dtype != float_dtype
            and item.is_floating_point()
        ):
            return False
    return True


# Counts the changes that can alter which variables a mixed-precision call casts
# (a weight added, a layer built or given a new policy), so each layer's list of
# them (`_cast_plan`) is made again only after one.
_STRUCTURE_VERSION = [0]


def _structure_changed() -> None:
    _STRUCTURE_VERSION[0] += 1


@contextlib.contextmanager
def variables_in_compute_dtype(layer: Layer):
    """Inside, ``layer``'s float variables read as copies in its compute dtype.

    Keras's mixed precision: a layer of a ``"mixed_float16"`` policy keeps its
    variables in float32 and, during its call, reads them cast to float16. Here
    the float32 variable's slot (``module._parameters[name]``) holds the
    differentiable cast for the duration of the call, so ``self.kernel`` is
    float16 in ``call`` and the gradient reaches the float32 variable. The
    sublayers of the same compute dtype are cast with it (an RNN reads its
    cell's weights directly); a sublayer of another policy casts its own when
    called. Variables made with ``autocast=False`` (normalization statistics,
    float8 scales) are left as they are.
    """
    layers, slots = _cast_plan(layer)
    dtype = layer._compute_dtype
    for owner, key, variable in slots:
        owner[key] = variable.to(dtype)
    for sublayer in layers:
        sublayer.__dict__["_variables_cast"] = True
    try:
        yield
    finally:
        for owner, key, variable in slots:
            owner[key] = variable
        for sublayer in layers:
            sublayer.__dict__["_variables_cast"] = False


def _cast_plan(layer: Layer) -> tuple[list, list]:
    """The layers `variables_in_compute_dtype` marks and the variable slots
    ``(dict, key, variable)`` it casts; remade after a structure change."""
    key = (_STRUCTURE_VERSION[0], id(layer))
    cached = layer.__dict__.get("_cast_plan_cache")
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    dtype = layer._compute_dtype
    layers, slots, seen = [], [], set()

    def visit(module: torch.nn.Module) -> None:
        if id(module) in seen:
            return
        seen.add(id(module))
        if isinstance(module, Layer):
            if module is not layer and module._compute_dtype != dtype:
                return  # its own policy: its call casts what it reads
            layers.append(module)
            own = {id(w) for w in module._own_weights}
            # `self.w = self.add_weight(name="kernel")` also keeps `w` here.
            slots.extend(
                (module.__dict__, name, value)
                for name, value in module.__dict__.items()
                if id(value) in own and _casts(value, dtype)
            )
        slots.extend(
            (module._parameters, name, value)
            for name, value in module._parameters.items()
            if value is not None and _casts(value, dtype)
        )
        for child in module._modules.values():
            if child is not None:
                visit(child)

    visit(layer)
    layer.__dict__["_cast_plan_cache"] = (key, layers, slots)
    return layers, slots


def _casts(variable: torch.Tensor, dtype: torch.dtype) -> bool:
    return (
        variable.is_floating_point()
        and variable.dtype != dtype
        and getattr(variable, "autocast", True)
    )


def _cast_floats(inputs, dtype: torch.dtype):
    """``inputs`` with its float tensors cast to ``dtype``."""
    return tree.map_structure(
        lambda x: (
            x.to(dtype) if isinstance(x, torch.Tensor) and x.is_floating_point() else x
        ),
        inputs,
    )


def _has_hooks(module: torch.nn.Module) -> bool:
    hooks = torch.nn.modules.module
    return bool(
        module._forward_hooks
        or module._forward_pre_hooks
        or module._backward_hooks
        or module._backward_pre_hooks
        or hooks._global_forward_hooks
        or hooks._global_forward_pre_hooks
        or hooks._global_backward_hooks
        or hooks._global_backward_pre_hooks
    )


def _loss_layers() -> list:
    """Layers that added losses during the current outermost call."""
    if not hasattr(_CALL_CONTEXT, "loss_layers"):
        _CALL_CONTEXT.loss_layers = []
    return _CALL_CONTEXT.loss_layers


def _start_outer_call(training) -> None:
    """A new outermost call: forget the previous call's losses, set ``training``."""
    _CALL_CONTEXT.training = training
    layers = getattr(_CALL_CONTEXT, "loss_layers", None)
    if layers:
        for layer in layers:
            layer._call_losses = []
        layers.clear()


class Layer(torch.nn.Module):
    """Base class of all lamina layers, and a `torch.nn.Module`.

    Subclass it as in Keras: store arguments in ``__init__``, create weights in
    ``build(input_shape)`` with `add_weight`, compute in ``call(inputs)``, and
    return the constructor arguments from ``get_config``. The layer builds itself
    on its first call, from the shape of what it is called on.

    Example:
        >>> class Scale(lamina.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, x):
        ...         return x * self.w

    Args:
        trainable: whether the layer's weights are updated in training.
        name: the layer's name; unique names (``dense``, ``dense_1``) by default.
        dtype: the dtype of the layer's weights and computations (``"float32"``),
            a mixed policy's name (``"mixed_float16"``, ``"mixed_bfloat16"``:
            float32 weights, half-precision computation) or a `DTypePolicy`;
            by default the global policy (`lamina.config.set_dtype_policy`),
            which follows `floatx()`.
        autocast: whether float inputs are cast to the compute dtype (and, for
            a mixed policy, the weights read in it during the call).
        activity_regularizer: a penalty on the layer's output, added to `losses`.
        input_shape / input_dim / batch_input_shape / batch_size: Keras 1/2 ways
            of giving a model's input shape on its first layer.
    """

    # Keras: layers that accept a mask set this; `compute_mask` passes it on.
    supports_masking = False
    # Set from the open RematScope in __init__; None on layers pickled before it.
    _remat_mode = None
    # Whether `_eager_call` goes through `_wrapped_call` (a RematScope, or a
    # mixed policy); the one check a plain float32 call makes for either.
    _wraps_call = False
    # A mixed policy: the call reads the float variables in the compute dtype.
    _casts_variables = False
    # True while an enclosing call of this compute dtype has cast them already.
    _variables_cast = False

    def __init__(
        self,
        *,
        activity_regularizer=None,
        trainable: bool = True,
        dtype=None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__()
        self._init_keras_2_arguments(kwargs)
        if kwargs:
            raise ArgumentError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{kwargs}"
            )
        if name is not None and not isinstance(name, str):
            raise ArgumentError(f"`name` must be a string, received {name!r}.")
        if name is not None and "/" in name:
            raise ArgumentError(f"Layer names cannot contain '/', received {name!r}.")
        self.name = name or auto_name(type(self).__name__)
        # The RematScope open when the layer is made decides its calls (Keras).
        self._remat_mode = get_current_remat_mode()
        self.dtype_policy = dtype
        self.autocast = autocast
        self._trainable = bool(trainable)
        self.built = False
        self._own_weights: list[Variable] = []
        self._call_losses: list[torch.Tensor] = []
        self._extra_losses: list = []
        self._inbound_nodes: list[Node] = []
        self._outbound_nodes: list[Node] = []
        self._build_shapes = None
        self.input_spec: InputSpec | list | None = None
        if activity_regularizer is not None:
            from lamina import regularizers

            activity_regularizer = regularizers.get(activity_regularizer)
        self.activity_regularizer = activity_regularizer
        signature = inspect.signature(self.call)
        self._call_takes_training = "training" in signature.parameters
        self._call_takes_mask = "mask" in signature.parameters
        self._call_is_default_build = type(self).build is Layer.build
        self._computes_own_mask = type(self).compute_mask is not Layer.compute_mask
        self._last_checked_shape = None

    def _init_keras_2_arguments(self, kwargs: dict) -> None:
        """Take Keras 1/2's input-shape arguments out of ``kwargs``."""
        self._batch_input_shape = None
        batch_size = kwargs.pop("batch_size", None)
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs.pop("batch_input_shape"))
        if "batch_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs.pop("batch_shape"))
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        input_length = kwargs.pop("input_length", None)
        if input_dim is not None:
            if input_shape is not None:
                raise ArgumentError(
                    f"{type(self).__name__}: pass `input_shape` or `input_dim`, not both."
                )
            input_shape = (
                (input_dim,) if input_length is None else (input_length, input_dim)
            )
        elif input_length is not None and input_shape is None:
            input_shape = (input_length,)
        if input_shape is not None:
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            self._batch_input_shape = (batch_size, *tuple(input_shape))
        weights = kwargs.pop("weights", None)
        self._initial_weights = weights
        kwargs.pop("input_dtype", None)

    # ------------------------------------------------------------------ attributes
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Variable) and any(v is value for v in self._own_weights):
            # Already registered by add_weight; keep one state_dict entry.
            self.__dict__.pop(name, None)
            if name not in self._parameters:
                object.__setattr__(self, name, value)
                return
        if isinstance(value, (list, tuple, dict)) and not isinstance(
            value, torch.nn.Module
        ):
            super().__setattr__(name, value)
            self._track_container(name, value)
            return
        super().__setattr__(name, value)

    def _track_container(self, name: str, value) -> None:
        """Register the modules inside a list/tuple/dict attribute as children."""
        items = value.values() if isinstance(value, dict) else value
        modules = [
            m for m in tree.flatten(list(items)) if isinstance(m, torch.nn.Module)
        ]
        key = f"_tracked_{name}"
        if modules:
            self._modules[key] = torch.nn.ModuleList(modules)
        elif key in self._modules:
            del self._modules[key]

    def _sync_tracked_containers(self) -> None:
        # Lists of layers may have been appended to after assignment.
        for name, value in list(self.__dict__.items()):
            if isinstance(value, (list, tuple, dict)) and not name.startswith("_"):
                self._track_container(name, value)

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers(include_self=True):
            layer._trainable = value
            for var in layer._own_weights:
                var.requires_grad_(
                    value
                    and var._keras_trainable
                    and not getattr(var, "overwrite_with_gradient", False)
                )

    @property
    def dtype_policy(self) -> DTypePolicy:
        """The layer's `DTypePolicy` (settable, with anything ``dtype=`` takes)."""
        policy = self.__dict__.get("_dtype_policy")
        return DTypePolicy(self._dtype_name) if policy is None else policy

    @dtype_policy.setter
    def dtype_policy(self, value) -> None:
        policy = policy_of(value)
        self._dtype_policy = policy
        self._dtype_name = policy.variable_dtype
        self._compute_dtype = backend.to_torch_dtype(policy.compute_dtype)
        self._casts_variables = policy.compute_dtype != policy.variable_dtype
        self._wraps_call = self._casts_variables or self._remat_mode is not None
        _structure_changed()

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights: an alias of `variable_dtype`."""
        return self._dtype_name

    @dtype.setter
    def dtype(self, value) -> None:
        self.dtype_policy = value

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in (and casts its float inputs to)."""
        return backend.standardize_dtype(self._compute_dtype)

    @property
    def variable_dtype(self) -> str:
        """The dtype the layer creates its weights in."""
        return self._dtype_name

    # ------------------------------------------------------------------ weights
    def add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer=None,
        constraint=None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
        **kwargs,
    ) -> Variable:
        """Create a weight of this layer, in Keras layout.

        Args:
            shape: the weight's shape (Keras layout, e.g. ``(in, out)``).
            initializer: initializer name or object; ``glorot_uniform`` for
                floats by default, ``zeros`` otherwise.
            dtype: defaults to the layer's dtype.
            trainable: whether training updates it.
            regularizer: penalty added to `losses`.
            constraint: projection applied after each optimizer update.
            overwrite_with_gradient: Keras's mark of a variable that training
                overwrites with a new value instead of descending a gradient
                (float8 scales). Its layer writes it in the backward pass: it
                records no gradient and no optimizer sees it.
            name: the weight's name (``kernel``, ``bias``).

        Returns:
            the new `Variable`, registered on this module.
        """
        if isinstance(shape, str):  # Keras 2: add_weight(name, shape, ...)
            shape, name = (
                kwargs.pop(
                    "shape",
                    initializer if isinstance(initializer, (tuple, list)) else None,
                ),
                shape,
            )
        if "getter" in kwargs or "partitioner" in kwargs or "use_resource" in kwargs:
            for key in ("getter", "partitioner", "use_resource", "synchronization"):
                kwargs.pop(key, None)
        if kwargs:
            raise ArgumentError(
                f"{self.name}.add_weight(): unexpected arguments {sorted(kwargs)}."
            )
        from lamina import constraints, initializers, regularizers

        shape = () if shape is None else tuple(int(d) for d in shape)
        if any(d < 0 for d in shape):
            raise ShapeError(
                f"{self.name}: weight {name!r} has a negative size: {shape}."
            )
        dtype = backend.standardize_dtype(dtype or self.dtype)
        if initializer is None:
            initializer = (
                "glorot_uniform" if dtype.startswith(("float", "bfloat")) else "zeros"
            )
        init = initializers.get(initializer)
        with torch.no_grad():
            value = init(shape, dtype=dtype) if callable(init) else init
            value = torch.as_tensor(value, dtype=backend.to_torch_dtype(dtype))
        value = value.to(backend.device())
        name = name or "variable"
        var = Variable(
            value,
            trainable=trainable,
            name=name,
            autocast=autocast,
            path=scoped_path(f"{self.name}/{name}"),
        )
        var.overwrite_with_gradient = overwrite_with_gradient
        if not (self._trainable and trainable) or overwrite_with_gradient:
            var.requires_grad_(False)
        var.regularizer = (
            regularizers.get(regularizer) if regularizer is not None else None
        )
        var.constraint = constraints.get(constraint) if constraint is not None else None
        key = name
        taken = set(self._parameters) | set(self._modules) | set(self.__dict__)
        index = 1
        if self.__dict__.get(key, 0) is None:  # `self.kernel = None` before build
            del self.__dict__[key]
            taken.discard(key)
        while key in taken or hasattr(type(self), key):
            key = f"{name}_{index}"
            index += 1
        self.register_parameter(key, var)
        self._own_weights.append(var)
        _structure_changed()
        # Under ModelParallel (several processes) only this process's part stays.
        model_parallel.shard_new_variable(var)
        return var

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True):
        """This layer's sublayers (depth first, in assignment order)."""
        self._sync_tracked_containers()
        seen: set[int] = set()
        result = []

        def visit(module: torch.nn.Module, top: bool):
            for child in module._modules.values():
                if child is None or id(child) in seen:
                    continue
                if isinstance(child, Layer):
                    seen.add(id(child))
                    result.append(child)
                    if recursive:
                        visit(child, False)
                else:  # ModuleList containers, wrapped torch modules
                    visit(child, top)

        if include_self:
            seen.add(id(self))
            result.append(self)
        visit(self, True)
        return result

    @property
    def _layers(self) -> list[Layer]:
        """Direct sublayers."""
        return self._flatten_layers(include_self=False, recursive=False)

    def _own_trainable(self) -> list[Variable]:
        return [v for v in self._own_weights if v._keras_trainable]

    def _own_non_trainable(self) -> list[Variable]:
        return [v for v in self._own_weights if not v._keras_trainable]

    def _torch_parameters(self) -> list[torch.nn.Parameter]:
        """Parameters of wrapped plain torch modules (not lamina layers)."""
        return []

    @property
    def weights(self) -> list[Variable]:
        """All weights: this layer's trainable, then non-trainable, then sublayers'."""
        return _unique(
            self._own_trainable()
            + self._own_non_trainable()
            + self._torch_parameters()
            + [w for layer in self._layers for w in layer.weights]
        )

    @property
    def variables(self) -> list[Variable]:
        return self.weights

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return _unique(
            self._own_trainable()
            + self._torch_parameters()
            + [w for layer in self._layers for w in layer.trainable_weights]
        )

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        return _unique(
            self._own_non_trainable()
            + [w for layer in self._layers for w in layer.non_trainable_weights]
        )

    non_trainable_variables = non_trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        """The weights as numpy arrays, in Keras layout and order."""
        # A copy: on the CPU .numpy() would share memory with the live weights.
        # (Under ModelParallel every process gathers each weight in turn.)
        return [whole_value(w).detach().cpu().numpy().copy() for w in self.weights]

    def set_weights(self, weights: Iterable) -> None:
        """Set the weights from numpy arrays in Keras layout and order."""
        params = self.weights
        weights = list(weights)
        if len(params) != len(weights):
            raise ShapeError(
                f"Layer '{self.name}' expected {len(params)} weights "
                f"({', '.join(p.path for p in params) or 'none'}), but received "
                f"{len(weights)} arrays."
            )
        arrays = []
        for param, value in zip(params, weights):
            value = np.asarray(
                value.detach().cpu() if isinstance(value, torch.Tensor) else value
            )
            if tuple(value.shape) != tuple(param.shape):
                raise ShapeError(
                    f"Layer '{self.name}': weight '{param.path}' has shape "
                    f"{tuple(param.shape)}, but the array given for it has shape "
                    f"{tuple(value.shape)}."
                )
            arrays.append(value)
        with torch.no_grad():
            for param, value in zip(params, arrays):
                value = torch.as_tensor(value, dtype=param.dtype)
                if not write_whole(param, value):  # ModelParallel: this part
                    param.copy_(value)

    def count_params(self) -> int:
        """The number of scalars in all weights (raises if the layer is not built)."""
        if not self.built:
            raise ArgumentError(
                f"You tried to call `count_params` on layer '{self.name}', but the "
                "layer isn't built. You can build it manually via: "
                f"`{self.name}.build(input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # ------------------------------------------------------------------ losses
    def add_loss(self, loss) -> None:
        """Add a scalar loss (a tensor, or a zero-argument callable) to `losses`."""
        scope = get_stateless_scope()
        if scope is not None and scope.collect_losses:
            scope.add_loss(loss)
        if callable(loss) and not isinstance(loss, torch.Tensor):
            self._extra_losses.append(loss)
        elif _in_call() or isinstance(loss, torch.Tensor):
            if not self._call_losses:
                _loss_layers().append(self)
            self._call_losses.append(loss)
        else:
            self._extra_losses.append(lambda value=loss: value)

    @property
    def losses(self) -> list[torch.Tensor]:
        """Losses added in the last call, plus the weight regularization penalties."""
        result = []
        for layer in self._flatten_layers(include_self=True):
            result.extend(layer._call_losses)
            result.extend(fn() for fn in layer._extra_losses)
            for var in layer._own_weights:
                if var.regularizer is not None:
                    result.append(var.regularizer(var))
        return result

    # ------------------------------------------------------------------ building
    def build(self, input_shape) -> None:
        """Create the layer's weights; the base version only records the shape."""
        self.built = True

    def _maybe_build(self, input_shapes, args=(), kwargs=None) -> None:
        if self.built:
            return
        self._check_input_spec_shapes(input_shapes)
        params = [
            p
            for p in inspect.signature(self.build).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        if len(params) <= 1 or self._call_is_default_build:
            self.build(input_shapes)
        else:
            # build(self, query_shape, value_shape, ...): as Keras, each tensor
            # argument `x` of call gives `x_shape`.
            shapes = self._shapes_by_call_argument(args, kwargs or {})
            required = [p.name for p in params if p.default is inspect.Parameter.empty]
            if shapes and all(name in shapes for name in required):
                self.build(
                    **{p.name: shapes[p.name] for p in params if p.name in shapes}
                )
            elif isinstance(input_shapes, list):
                self.build(*input_shapes)
            else:
                self.build(input_shapes)
        self.built = True
        self._build_shapes = input_shapes
        _structure_changed()
        # Built inside an enclosing mixed call, whose cast did not see these
        # weights yet: this layer's own call casts them.
        self.__dict__["_variables_cast"] = False
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _shapes_by_call_argument(self, args, kwargs) -> dict:
        try:
            bound = inspect.signature(self.call).bind_partial(*args, **kwargs)
        except TypeError:
            return {}
        return {
            f"{name}_shape": _shapes_of(value)
            for name, value in bound.arguments.items()
            if isinstance(value, (torch.Tensor, KerasTensor, np.ndarray))
        }

    def _check_input_spec_shapes(self, input_shapes) -> None:
        if self.input_spec is None:
            return
        check_input_compatibility(self, input_shapes)

    def build_from_config(self, config: dict) -> None:
        shape = config.get("input_shape")
        if shape is not None and not self.built:
            self._maybe_build(_to_shape_tuples(shape))

    def get_build_config(self) -> dict | None:
        if self._build_shapes is None:
            return None
        return {"input_shape": _shapes_to_lists(self._build_shapes)}

    # ------------------------------------------------------------------ calling
    def call(self, inputs, *args, **kwargs):
        """The layer's computation; the base layer returns its inputs."""
        return inputs

    def forward(self, *args, **kwargs):
        # torch's entry point: Module.__call__ -> forward -> call
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        # Fast path: one tensor (or a list of tensors, for merging layers) and plain
        # keyword values (training=..., mask=...).
        if len(args) == 1 and (
            isinstance(args[0], torch.Tensor)
            or (type(args[0]) is list and _all_tensors(args[0]))
        ):
            for value in kwargs.values():
                if not isinstance(value, (bool, type(None), torch.Tensor)):
                    break
            else:
                return self._eager_call(args, kwargs)
        flat = tree.flatten((args, kwargs))
        if any(isinstance(x, KerasTensor) for x in flat):
            return self._symbolic_call(args, kwargs)
        return self._eager_call(args, kwargs)

    def _eager_call(self, args, kwargs):
        """Run ``call`` on real tensors. This is the per-layer hot path of training:
        every check below is a few attribute reads unless something is unusual."""
        if not args:
            raise ArgumentError(f"Layer '{self.name}' was called without inputs.")
        inputs = args[0]
        if not isinstance(inputs, torch.Tensor):
            if not (type(inputs) is list and _all_tensors(inputs, self._compute_dtype)):
                inputs = self._convert_inputs(inputs)
                args = (inputs, *args[1:])
        elif (
            self.autocast
            and inputs.dtype != self._compute_dtype
            and inputs.is_floating_point()
        ):
            inputs = inputs.to(self._compute_dtype)
            args = (inputs, *args[1:])
        if not self.built:
            # Built by its first call on data, which needs the whole values
            # now: ModelParallel shards them when the model first runs.
            with model_parallel.kept_whole():
                self._maybe_build(_shapes_of(inputs), args, kwargs)
        elif self.input_spec is not None:
            self._check_input_spec(inputs)

        depth = getattr(_CALL_CONTEXT, "depth", 0)
        if self._call_takes_training:
            # Keras's order: the explicit argument, then the outer call's value,
            # then the default in this layer's `call` signature.
            if kwargs.get("training") is None:
                outer = getattr(_CALL_CONTEXT, "training", None) if depth else None
                if outer is None:
                    kwargs.pop("training", None)
                else:
                    kwargs["training"] = outer
        elif "training" in kwargs:
            del kwargs["training"]
        training = kwargs.get("training")
        mask = kwargs.get("mask")
        if mask is None and (self._call_takes_mask or self.supports_masking):
            mask = _mask_of(inputs)
            if mask is not None and self._call_takes_mask:
                kwargs["mask"] = mask
        if "mask" in kwargs and not self._call_takes_mask:
            del kwargs["mask"]

        if depth == 0:
            _start_outer_call(training)
        _CALL_CONTEXT.depth = depth + 1
        try:
            if self._wraps_call:  # a RematScope or a mixed policy
                outputs = self._wrapped_call(args, kwargs)
            elif _has_hooks(self):  # torch forward/backward hooks run as in torch
                outputs = torch.nn.Module.__call__(self, *args, **kwargs)
            else:  # what Module.__call__ does without hooks, minus two frames
                outputs = self.call(*args, **kwargs)
        finally:
            _CALL_CONTEXT.depth = depth
        if self.activity_regularizer is not None:
            for out in tree.flatten(outputs):
                self.add_loss(self.activity_regularizer(out) / out.shape[0])
        if mask is not None or self._computes_own_mask:
            self._attach_output_mask(inputs, mask, outputs)
        return outputs

    def _call_outermost(self, inputs, training):
        """``self(inputs, training=training)`` for a loop's batch (predict).

        Opens the call context as `_eager_call` does at the outermost level,
        then calls as a step inside it (`_call_in_graph`): about 2 us less per
        batch than the full call. A call already inside another takes the full
        path.
        """
        cls = type(self)
        if (
            getattr(_CALL_CONTEXT, "depth", 0)
            or cls.__call__ is not Layer.__call__
            or cls._eager_call is not Layer._eager_call
        ):
            return self(inputs, training=training)
        _start_outer_call(training)
        _CALL_CONTEXT.depth = 1
        try:
            return self._call_in_graph(inputs, training)
        finally:
            _CALL_CONTEXT.depth = 0

    def _check_input_spec(self, inputs) -> None:
        """`input_spec` against the inputs; a tensor's shape is checked once
        until it changes."""
        if _is_compiling():
            # Checked once, while torch.compile traces (its guards keep the
            # shapes); the cache below is eager's, which the trace must not
            # read: an eager partial batch would then force a recompile.
            check_input_compatibility(self, _shapes_of(inputs))
            return
        shape = inputs.shape if isinstance(inputs, torch.Tensor) else None
        if shape is None or shape != self._last_checked_shape:
            check_input_compatibility(self, _shapes_of(inputs))
            self._last_checked_shape = shape

    def _attach_output_mask(self, inputs, mask, outputs) -> None:
        """Set `compute_mask`'s mask, if any, as the outputs' ``_keras_mask``."""
        out_mask = self.compute_mask(inputs, mask)
        if out_mask is not None:
            for out, m in zip(tree.flatten(outputs), tree.flatten(out_mask)):
                if isinstance(out, torch.Tensor):
                    out._keras_mask = m

    def _call_in_graph(self, inputs, training):
        """``self(inputs, training=training)`` for a step of an enclosing call.

        A model's layers run inside the model's own call, so the call
        context (depth, outer ``training``, collected losses) is already open.
        For a built layer with no hooks, input mask, activity regularizer,
        wrapped call or own ``__call__``, on a tensor (or a list of tensors) of its compute dtype,
        this does what `_eager_call` does with fewer steps: no keyword dict, no
        context update, no ``*args`` re-packing (3-4 us of a 10 us Dense call
        on a batch of 32). Anything else takes the full path.
        """
        cls = type(self)
        if (
            not self.built
            or self._wraps_call
            or self.activity_regularizer is not None
            or cls.__call__ is not Layer.__call__  # a subclass's own calling
            or cls._eager_call is not Layer._eager_call
            or _has_hooks(self)
        ):
            return self(inputs, training=training)
        # A mask on an input (whether or not this layer reads it) or anything
        # to convert: the full path.
        dtype = self._compute_dtype
        if isinstance(inputs, torch.Tensor):
            if getattr(inputs, "_keras_mask", None) is not None:
                return self(inputs, training=training)
            if (
                inputs.dtype is not dtype
                and self.autocast
                and inputs.is_floating_point()
            ):
                inputs = inputs.to(dtype)
            if self.input_spec is not None:
                self._check_input_spec(inputs)
        elif type(inputs) is list:
            for item in inputs:
                if (
                    not isinstance(item, torch.Tensor)
                    or getattr(item, "_keras_mask", None) is not None
                    or (item.dtype is not dtype and item.is_floating_point())
                ):
                    return self(inputs, training=training)
            if self.input_spec is not None:
                self._check_input_spec(inputs)
        else:
            return self(inputs, training=training)
        if self._call_takes_training:
            if training is None:
                training = getattr(_CALL_CONTEXT, "training", None)
            if training is not None:
                outputs = self.call(inputs, training=training)
            else:
                outputs = self.call(inputs)
        else:
            outputs = self.call(inputs)
        if self._computes_own_mask:  # from unmasked inputs (Embedding's mask_zero)
            self._attach_output_mask(inputs, None, outputs)
        return outputs

    def _wrapped_call(self, args, kwargs):
        """``call`` with the layer's variables in its compute dtype (a mixed
        policy), under the `RematScope` it was made in."""
        if self._casts_variables and not self._variables_cast:
            with variables_in_compute_dtype(self):
                return self._wrapped_call(args, kwargs)
        if self._remat_mode is not None:
            return self._rematerialized_call(args, kwargs)
        if _has_hooks(self):
            return torch.nn.Module.__call__(self, *args, **kwargs)
        return self.call(*args, **kwargs)

    def _rematerialized_call(self, args, kwargs):
        """``call`` under the `RematScope` the layer was made in (Keras's rules)."""
        mode = self._remat_mode
        if mode.mode == "activations" and getattr(self, "activation", None):
            activation = self.activation
            self.activation = remat(activation)
            try:
                return self.call(*args, **kwargs)
            finally:
                self.activation = activation
        if mode.mode == "full" or (
            mode.mode == "list_of_layers" and self.name in mode.layer_names
        ):
            return remat(self.call)(*args, **kwargs)
        if mode.mode == "larger_than" and self._output_size(args, kwargs) > (
            mode.output_size_threshold
        ):
            return remat(self.call)(*args, **kwargs)
        return self.call(*args, **kwargs)

    def _output_size(self, args, kwargs) -> int:
        """Elements in the outputs of a call on these inputs (whole batch, as
        Keras counts), from a symbolic run remembered per input shape."""
        shapes = _shapes_of((args, kwargs))
        key = repr(shapes)
        sizes = self.__dict__.setdefault("_remat_output_sizes", {})
        if key not in sizes:
            specs = self.compute_output_spec(
                *tree.map_structure(_spec_of, args),
                **tree.map_structure(_spec_of, kwargs),
            )
            sizes[key] = sum(
                math.prod(d or 1 for d in t.shape)
                for t in tree.flatten(specs)
                if isinstance(t, KerasTensor)
            )
        return sizes[key]

    def _torch_dtype(self) -> torch.dtype:
        return self._compute_dtype

    def _convert_inputs(self, inputs):
        def convert(x):
            if isinstance(x, torch.Tensor):
                if (
                    self.autocast
                    and x.is_floating_point()
                    and x.dtype != self._torch_dtype()
                ):
                    return x.to(self._torch_dtype())
                return x
            if isinstance(x, (np.ndarray, np.generic, int, float, bool)) or (
                isinstance(x, list) and not any(isinstance(i, torch.Tensor) for i in x)
            ):
                arr = np.asarray(x)
                t = torch.as_tensor(arr)
                if t.is_floating_point() and self.autocast:
                    t = t.to(self._torch_dtype())
                return t.to(backend.device())
            return x

        if isinstance(inputs, (list, tuple, dict)):
            return tree.map_structure(convert, inputs)
        return convert(inputs)

    def compute_mask(self, inputs, previous_mask=None):
        """The output mask; by default the input mask passes through masking layers."""
        if not self.supports_masking:
            return None
        return previous_mask

    # ------------------------------------------------------------------ symbolic
    def _symbolic_call(self, args, kwargs):
        inputs = args[0] if args else None
        if inputs is None:
            raise ArgumentError(f"Layer '{self.name}' was called without inputs.")
        input_shapes = _shapes_of(inputs)
        if not self.built:
            self._maybe_build(input_shapes, args, kwargs)
        elif self.input_spec is not None:
            check_input_compatibility(self, input_shapes)
        kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        outputs = self.compute_output_spec(*args, **kwargs)
        if outputs is None:
            raise ArgumentError(
                f"Layer '{self.name}' ({type(self).__name__}) returned None from "
                f"`call()` for an input of shape {input_shapes}: `call()` must "
                "return a tensor (or a structure of tensors)."
            )
        Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensors describing this layer's outputs for symbolic inputs."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shapes = self.compute_output_shape(_shapes_of(args[0]))
            return _specs_from_shapes(shapes, self.compute_dtype)
        return run_symbolically(self._call_for_spec, args, kwargs)

    def _call_for_spec(self, *args, **kwargs):
        depth = getattr(_CALL_CONTEXT, "depth", 0)
        _CALL_CONTEXT.depth = depth + 1
        try:
            if self._call_takes_training:
                kwargs.setdefault("training", False)
            if not self._call_takes_mask:
                kwargs.pop("mask", None)
            if self._casts_variables and not self._variables_cast:
                if args and self.autocast:
                    args = (_cast_floats(args[0], self._compute_dtype), *args[1:])
                with variables_in_compute_dtype(self):
                    return self.call(*args, **kwargs)
            return self.call(*args, **kwargs)
        finally:
            _CALL_CONTEXT.depth = depth
            self._call_losses = []

    def compute_output_shape(self, input_shape):
        """The output shape for an input shape (with ``None`` for unknown sizes)."""
        if isinstance(input_shape, list):
            specs = [KerasTensor(s, self.dtype) for s in input_shape]
        else:
            specs = KerasTensor(input_shape, self.dtype)
        out = run_symbolically(self._call_for_spec, (specs,), {})
        return tree.map_structure(lambda t: t.shape, out)

    # ------------------------------------------------------------------ graph info
    def _single_node_attr(self, attr: str):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called and thus has no defined "
                f"{attr}."
            )
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has multiple inbound nodes, hence the notion of "
                f'"layer {attr}" is ill-defined. Use `get_{attr}_at(node_index)`.'
            )
        return getattr(self._inbound_nodes[0], attr)

    @property
    def input(self):
        return self._single_node_attr("input")

    @property
    def output(self):
        return self._single_node_attr("output")

    @property
    def input_shape(self):
        """Keras 2's: the shape of the layer's input (Keras 3: ``layer.input.shape``).

        Read from the layer's calls in functional or Sequential models: a tuple
        (a list of them for several inputs). Before any call, the shape given to
        the constructor (``input_shape=``, ``input_dim=``). An AttributeError
        when the layer was never called or its calls differ in shape (then
        ``layer.get_input_at(node_index).shape`` tells each call's).
        """
        warn_deprecated_once(
            "Layer.input_shape",
            "`layer.input_shape` is Keras 2's; use `layer.input.shape`.",
        )
        return self._node_shape("input")

    @property
    def output_shape(self):
        """Keras 2's: the shape of the layer's output (Keras 3: ``layer.output.shape``).

        As `input_shape`: a tuple, or a list of them for several outputs.
        """
        warn_deprecated_once(
            "Layer.output_shape",
            "`layer.output_shape` is Keras 2's; use `layer.output.shape`.",
        )
        return self._node_shape("output")

    def _node_shape(self, kind: str):
        """tf.keras 2's ``input_shape``/``output_shape`` (``kind``: input, output).

        The same shape from every call, in tf.keras 2's containers: a list of
        tuples for several tensors, and a one-element list for an `InputLayer`.
        """
        nodes = self._inbound_nodes
        if not nodes:
            if kind == "input" and self._batch_input_shape is not None:
                return self._batch_input_shape
            raise AttributeError(
                f'The layer "{self.name}" has never been called and thus has no '
                f"defined {kind} shape."
            )
        shapes = []
        for node in nodes:
            shape = _keras2_shapes(node.input if kind == "input" else node.output)
            shapes.append([shape] if node.is_input else shape)
        if any(shape != shapes[0] for shape in shapes[1:]):
            raise AttributeError(
                f'The layer "{self.name}" has multiple inbound nodes, with different '
                f'{kind} shapes. Hence the notion of "{kind} shape" is ill-defined '
                f"for the layer. Use `get_{kind}_at(node_index).shape` instead."
            )
        return shapes[0]

    def get_input_at(self, node_index: int):
        return self._inbound_nodes[node_index].input

    def get_output_at(self, node_index: int):
        return self._inbound_nodes[node_index].output

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """The constructor arguments, with Keras's keys."""
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": {
                "module": "keras",
                "class_name": "DTypePolicy",
                "config": {"name": self.dtype_policy.name},
                "registered_name": None,
            },
        }
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            from lamina.serialization import serialize_keras_object

            config["activity_regularizer"] = serialize_keras_object(
                self.activity_regularizer
            )
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Create a layer from its `get_config` output (Keras 2 or 3 form)."""
        config = dict(config)
        for key in ("build_config", "compile_config", "shared_object_id"):
            config.pop(key, None)
        try:
            return cls(**config)
        except TypeError as err:
            raise ArgumentError(
                f"Could not create {cls.__name__} from its config: {err}. "
                f"Config: {config}"
            ) from err

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    def __deepcopy__(self, memo):
        cls = type(self)
        new = cls.__new__(cls)
        memo[id(self)] = new
        for key, value in self.__dict__.items():
            new.__dict__[key] = copy.deepcopy(value, memo)
        return new


_is_compiling = torch.compiler.is_compiling


def _unique(items: list) -> list:
    seen: set[int] = set()
    result = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            result.append(item)
    return result


def _mask_of(inputs):
    if isinstance(inputs, torch.Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return None


def _is_shape(x) -> bool:
    return isinstance(x, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in x
    )


def _specs_from_shapes(shapes, dtype):
    """KerasTensors for a shape, or a list/dict of shapes (shapes are the leaves)."""
    if _is_shape(shapes):
        return KerasTensor(tuple(shapes), dtype)
    if isinstance(shapes, dict):
        return {k: _specs_from_shapes(v, dtype) for k, v in shapes.items()}
    return [_specs_from_shapes(s, dtype) for s in shapes]


def _shapes_of(x):
    """Shape tuple (or nested list of them) of tensors/KerasTensors/arrays."""
    if isinstance(x, (KerasTensor, torch.Tensor, np.ndarray)):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)):
        return [_shapes_of(i) for i in x]
    if isinstance(x, dict):
        return {k: _shapes_of(v) for k, v in x.items()}
    return None


def _spec_of(x):
    """A KerasTensor standing for a tensor (shape and dtype), else ``x`` itself."""
    if isinstance(x, torch.Tensor):
        return KerasTensor(tuple(x.shape), backend.standardize_dtype(x.dtype))
    return x


def _keras2_shapes(tensors):
    """The shapes of KerasTensors, containers as tf.keras 2 shows them (lists)."""
    if isinstance(tensors, KerasTensor):
        return tensors.shape
    if isinstance(tensors, (list, tuple)):
        return [_keras2_shapes(t) for t in tensors]
    if isinstance(tensors, dict):
        return {key: _keras2_shapes(t) for key, t in tensors.items()}
    return tensors


def _shapes_to_lists(shapes):
    if isinstance(shapes, tuple):
        return list(shapes)
    if isinstance(shapes, dict):
        return {k: _shapes_to_lists(v) for k, v in shapes.items()}
    if isinstance(shapes, list):
        return [_shapes_to_lists(s) for s in shapes]
    return shapes


def _to_shape_tuples(shape):
    if _is_shape(shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {k: _to_shape_tuples(v) for k, v in shape.items()}
    return [_to_shape_tuples(s) for s in shape]
