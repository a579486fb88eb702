"""Global settings: float type, fuzz factor, image data format, default device."""

from __future__ import annotations

import os

import torch

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

    ``LAMINA_DEVICE`` (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...) chooses it;
    otherwise CUDA when available, else the CPU.
    """
    global _DEVICE
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
