"""Global settings: float type, fuzz factor, image data format, default device,
Keras's debugging limits on `fit` and its switches (flash attention, traceback
filtering)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import torch

from lamina.backend import global_state
from lamina.errors import ArgumentError

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_DEVICE: torch.device | None = None

_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}
_DTYPE_NAMES = {v: k for k, v in _DTYPES.items()}


def floatx() -> str:
    """The default float type name, ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value: str) -> None:
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ArgumentError(
            f"Unknown floatx type: {value!r}. Expected one of "
            "'float16', 'bfloat16', 'float32', 'float64'."
        )
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (``1e-7``)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ArgumentError(
            "The `data_format` argument must be one of 'channels_first', "
            f"'channels_last'. Received: {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format


def backend() -> str:
    """The name of the tensor engine: always ``"torch"``."""
    return "torch"


_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")


def set_backend(backend: str) -> None:
    """Keras's backend switch: lamina runs on torch, so only ``"torch"`` is taken.

    Keras reloads itself on another backend; lamina has one, and switching to it
    changes nothing.

    Args:
        backend: ``"torch"``.
    """
    if backend not in _BACKENDS:
        raise ArgumentError(
            "Available backends are ('tensorflow', 'jax', 'torch', 'numpy' and "
            f"'openvino'). Received: backend={backend}"
        )
    if backend != "torch":
        raise ArgumentError(
            f"lamina runs on torch only; set_backend({backend!r}) is not possible. "
            "Use Keras itself for the other backends."
        )


def is_nnx_enabled() -> bool:
    """Whether Flax NNX features are on: never, since they are JAX's."""
    return False


# ------------------------------------------------------------- debugging limits


def _env_limit(variable: str) -> int | None:
    value = os.environ.get(variable)
    return int(value) if value else None


# Keras reads these two variables once, at import.
_MAX_EPOCHS = _env_limit("KERAS_MAX_EPOCHS")
_MAX_STEPS_PER_EPOCH = _env_limit("KERAS_MAX_STEPS_PER_EPOCH")


def _check_limit(value, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgumentError(
            f"`{name}` must be a non-negative integer or None, received {value!r}."
        )
    return value


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs of every `fit` (for quick debugging runs).

    ``KERAS_MAX_EPOCHS`` in the environment sets it too. `fit` warns when it
    trains fewer epochs than asked.

    Args:
        max_epochs: the cap, or None (or 0) for none.
    """
    global _MAX_EPOCHS
    _MAX_EPOCHS = _check_limit(max_epochs, "max_epochs")


def max_epochs() -> int | None:
    """The cap `set_max_epochs` (or ``KERAS_MAX_EPOCHS``) put on `fit`'s epochs."""
    return _MAX_EPOCHS


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps of each epoch of `fit`, `evaluate` and `predict`.

    ``KERAS_MAX_STEPS_PER_EPOCH`` in the environment sets it too.

    Args:
        max_steps_per_epoch: the cap, or None (or 0) for none.
    """
    global _MAX_STEPS_PER_EPOCH
    _MAX_STEPS_PER_EPOCH = _check_limit(max_steps_per_epoch, "max_steps_per_epoch")


def max_steps_per_epoch() -> int | None:
    """The cap on steps per epoch (`set_max_steps_per_epoch`), or None."""
    return _MAX_STEPS_PER_EPOCH


def capped_steps(steps: int | None) -> int | None:
    """``steps`` under `max_steps_per_epoch`, as Keras's epoch iterator caps them.

    Warns when the cap applies (``None`` steps, all the data, count as more).
    """
    cap = _MAX_STEPS_PER_EPOCH
    if cap and (not steps or cap < steps):
        import warnings

        warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
        return cap
    return steps


# -------------------------------------------------------------------- switches


def enable_flash_attention() -> None:
    """Let attention layers use flash attention (the default).

    On torch, as in Keras's torch backend, the layers then leave the choice of
    kernel to torch's `scaled_dot_product_attention`.
    """
    global_state.set_setting("flash_attention", None)


def disable_flash_attention() -> None:
    """Keep attention layers from asking for flash attention."""
    global_state.set_setting("flash_attention", False)


def is_flash_attention_enabled() -> bool | None:
    """False after `disable_flash_attention`; otherwise None ("torch decides")."""
    return global_state.get_setting("flash_attention", None)


def enable_traceback_filtering() -> None:
    """Keras's switch for shortening its tracebacks (on by default).

    lamina raises its errors where the user's call enters it, with the layer,
    shapes and arguments in the message, and never rewrites tracebacks; the
    switch is kept so that scripts setting it run, and reads back what was set.
    """
    global_state.set_setting("traceback_filtering", True)


def disable_traceback_filtering() -> None:
    """Turn Keras's traceback filtering off (see `enable_traceback_filtering`)."""
    global_state.set_setting("traceback_filtering", False)


def is_traceback_filtering_enabled() -> bool:
    """What `enable_traceback_filtering`/`disable_traceback_filtering` set (True)."""
    return global_state.get_setting("traceback_filtering", True)


def standardize_dtype(dtype) -> str:
    """Return the Keras name (``"float32"``) of a dtype given as name, torch or numpy."""
    if dtype is None:
        return floatx()
    if isinstance(dtype, torch.dtype):
        return _DTYPE_NAMES[dtype]
    if isinstance(dtype, dict):  # a serialized DTypePolicy
        return standardize_dtype(dtype.get("config", {}).get("name"))
    name = getattr(dtype, "name", None)  # numpy dtypes, DTypePolicy
    if not isinstance(dtype, str) and isinstance(name, str):
        dtype = name
    if hasattr(dtype, "__name__") and not isinstance(dtype, str):  # np.float32, float
        dtype = {"float": "float32", "int": "int64", "bool": "bool"}.get(
            dtype.__name__, dtype.__name__
        )
    dtype = str(dtype)
    if dtype.startswith("torch."):
        dtype = dtype[len("torch.") :]
    dtype = {
        "float": "float32",
        "double": "float64",
        "half": "float16",
        "int": "int32",
        "long": "int64",
        "mixed_float16": "float32",
        "mixed_bfloat16": "float32",
    }.get(dtype, dtype)
    if dtype not in _DTYPES:
        raise ArgumentError(
            f"Invalid dtype: {dtype!r}. Expected one of {sorted(_DTYPES)}."
        )
    return dtype


def to_torch_dtype(dtype) -> torch.dtype:
    """The torch dtype for a dtype given in any form `standardize_dtype` takes."""
    if isinstance(dtype, torch.dtype):
        return dtype
    return _DTYPES[standardize_dtype(dtype)]


def device() -> torch.device:
    """The device lamina puts new weights and batches on.

    Inside ``with lamina.device(name):``, that device. Otherwise
    ``LAMINA_DEVICE`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...) chooses it,
    else CUDA when available, else the CPU.
    """
    global _DEVICE
    scoped = global_state.innermost_scope("device")
    if scoped is not None:
        return scoped
    if _DEVICE is None:
        name = os.environ.get("LAMINA_DEVICE")
        if name is None:
            name = "cuda" if torch.cuda.is_available() else "cpu"
        _DEVICE = torch.device(name)
    return _DEVICE


def set_device(name: str | torch.device) -> None:
    """Choose the device for weights created from now on."""
    global _DEVICE
    _DEVICE = torch.device(name)


@contextlib.contextmanager
def device_scope(device_name: str | torch.device) -> Iterator[torch.device]:
    """Put the weights and tensors made inside on a device: ``keras.device``.

    Example:

    >>> with device_scope("cpu") as where:
    ...     layer = lamina.layers.Dense(2)
    ...     layer.build((None, 3))
    >>> where, layer.kernel.device
    (device(type='cpu'), device(type='cpu'))

    Args:
        device_name: ``"cpu"``, ``"cuda"``, ``"cuda:1"``, or Keras's ``"gpu"``,
            ``"gpu:1"`` (torch's ``cuda``).
    """
    if isinstance(device_name, str):
        device_name = device_name.lower().replace("gpu", "cuda")
    elif not isinstance(device_name, torch.device):
        raise ArgumentError(
            "Invalid value for argument `device_name`. Expected a string like "
            f"'gpu:0' or 'cpu'. Received: device_name={device_name!r}"
        )
    where = torch.device(device_name)
    stack = global_state.scope_stack("device")
    stack.append(where)
    try:
        yield where
    finally:
        stack.pop()
