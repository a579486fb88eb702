"""TorchModuleWrapper: use any `torch.nn.Module` as a lamina layer."""

from __future__ import annotations

import base64
import copy
import io

import torch

from lamina import backend
from lamina.backend.variables import Variable
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.serialization import in_safe_mode


class TorchModuleWrapper(Layer):
    """Wraps a `torch.nn.Module` so that it works as a lamina layer.

    The module's parameters become the layer's weights, in the module's
    ``parameters()`` order (trainable ones first, as Keras orders weights):
    they appear in ``weights`` / ``trainable_weights``, ``get_weights`` /
    ``set_weights`` and ``count_params``, and `fit` trains them. To carry
    Keras's metadata (``name``, ``path``, ``trainable``, ``assign`` ...) each
    parameter is replaced in the module by a lamina `Variable` sharing its
    storage; tied parameters stay tied. Buffers (e.g. a torch BatchNorm's
    running statistics) are not weights, but saved files hold them: as in
    Keras, a file stores the module's ``state_dict`` under its own keys.

    The module runs in ``train()`` mode unless the layer is called with
    ``training=False`` (which `predict` and `evaluate` pass), as in Keras.

    Example:
        >>> layer = lamina.layers.TorchModuleWrapper(torch.nn.Linear(4, 2))
        >>> layer(torch.zeros(3, 4)).shape
        torch.Size([3, 2])
        >>> [w.shape for w in layer.get_weights()]
        [(2, 4), (2,)]

    Args:
        module: the `torch.nn.Module` (lazy modules must be initialized first).
        name: the layer's name.
        output_shape: optional output shape (with the batch size as ``None``)
            returned by `compute_output_shape`; otherwise it is inferred by
            running the module on stand-in inputs.
        **kwargs: standard layer arguments (``dtype``, ...).

    Serialization: as in Keras, `get_config` stores the module pickled with
    ``torch.save``, base64-encoded, and `from_config` refuses to unpickle it
    (unpickling can run arbitrary code) unless safe mode is explicitly off:
    ``with lamina.serialization.safe_mode_scope(False): ...`` or
    ``enable_unsafe_deserialization()``.
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, torch.nn.Module):
            raise ArgumentError(
                "TorchModuleWrapper: `module` must be a torch.nn.Module. Received: "
                f"module of type {type(module).__name__}."
            )
        if (
            isinstance(module, torch.nn.modules.lazy.LazyModuleMixin)
            and module.has_uninitialized_params()
        ):
            raise ArgumentError(
                "TorchModuleWrapper: LazyModules are not supported unless they are "
                f"already initialized. Received uninitialized LazyModule: {module}"
            )
        self.module = module.to(backend.device())
        # Not `output_shape`: on a layer that names the shape of its graph output.
        self._given_output_shape = output_shape
        self._track_module_parameters()
        self.trainable = self._trainable  # trainable=False freezes the parameters
        self.built = True

    def _track_module_parameters(self) -> None:
        """Swap each parameter for a `Variable` on the same storage; track it."""
        replaced: dict[int, Variable] = {}
        for owner_name, owner in self.module.named_modules(remove_duplicate=False):
            for key, param in list(owner._parameters.items()):
                if param is None:
                    continue
                if id(param) not in replaced:
                    if isinstance(param, Variable):
                        var = param
                    else:
                        name = f"{owner_name}.{key}" if owner_name else key
                        var = Variable(
                            param.data,
                            trainable=param.requires_grad,
                            name=name,
                            path=f"{self.name}/{name}",
                        )
                    replaced[id(param)] = var
                owner._parameters[key] = replaced[id(param)]
        self._module_weights = list(replaced.values())

    def _torch_parameters(self) -> list[torch.nn.Parameter]:
        # Keras orders a layer's weights trainable first, then non-trainable.
        return [v for v in self._module_weights if v._keras_trainable] + [
            v for v in self._module_weights if not v._keras_trainable
        ]

    @property
    def trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return []
        return [v for v in self._module_weights if v._keras_trainable]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Variable]:
        if not self.trainable:
            return self.weights
        return [v for v in self._module_weights if not v._keras_trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for var in self._module_weights:
            var.requires_grad_(bool(value) and var._keras_trainable)

    def call(self, *args, training=None, **kwargs):
        mode = training is not False
        if self.module.training != mode:
            self.module.train(mode)
        return self.module(*args, **kwargs)

    def save_own_variables(self, store) -> None:
        # As Keras: the module's whole state_dict (buffers too), by its keys.
        for key, value in self.module.state_dict().items():
            store[key] = value.detach().cpu().numpy()

    def load_own_variables(self, store) -> None:
        state = {}
        for key in store.keys():
            name = key.decode() if isinstance(key, bytes) else key
            state[name] = torch.as_tensor(store[key])
        self.module.load_state_dict(state)

    def compute_output_shape(self, input_shape):
        if self._given_output_shape is None:
            return super().compute_output_shape(input_shape)
        return tuple(self._given_output_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        buffer = io.BytesIO()
        torch.save(_plain_copy(self.module), buffer)
        config.update(
            {
                "module": base64.b64encode(buffer.getvalue()).decode("ascii"),
                "output_shape": self._given_output_shape,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None, safe_mode=None):
        config = dict(config)
        if isinstance(config.get("module"), str):
            # Unset safe mode counts as safe: refuse unless explicitly turned off.
            effective = safe_mode if safe_mode is not None else in_safe_mode()
            if effective is not False:
                raise ArgumentError(
                    "Requested the deserialization of a `torch.nn.Module` object via "
                    "`torch.load()`. This carries a potential risk of arbitrary code "
                    "execution and thus it is disallowed by default. If you trust "
                    "the source of the artifact, you can override this error by "
                    "passing `safe_mode=False` to the loading function, or calling "
                    "`lamina.serialization.enable_unsafe_deserialization()`."
                )
            data = base64.b64decode(config["module"].encode("ascii"))
            config["module"] = torch.load(
                io.BytesIO(data), weights_only=False, map_location=backend.device()
            )
        return super().from_config(config)


def _plain_copy(module: torch.nn.Module) -> torch.nn.Module:
    """A copy of ``module`` with plain `torch.nn.Parameter`s, so that the pickle
    loads without lamina (in Keras, for one)."""
    clone = copy.deepcopy(module)
    plain: dict[int, torch.nn.Parameter] = {}
    for owner in clone.modules():
        for key, param in list(owner._parameters.items()):
            if isinstance(param, Variable):
                if id(param) not in plain:
                    plain[id(param)] = torch.nn.Parameter(
                        param.data, requires_grad=param.requires_grad
                    )
                owner._parameters[key] = plain[id(param)]
    return clone
