"""The few torch-specific helpers: settings, dtypes, devices, names, seeds."""

from __future__ import annotations

import gc
import os
import random as _py_random
import sys

import numpy as np
import torch

from lamina.backend import global_state, host_memory
from lamina.backend.config import (
    backend,
    device,
    epsilon,
    floatx,
    image_data_format,
    set_device,
    set_epsilon,
    set_floatx,
    set_image_data_format,
    standardize_dtype,
    to_torch_dtype,
)
from lamina.backend.dtypes import is_float_dtype, is_int_dtype, result_type
from lamina.backend.keras_tensor import is_keras_tensor
from lamina.backend.math_ops import *  # noqa: F403 - Keras 2's K.mean, K.square, ...
from lamina.backend.naming import get_uid, reset_uids

# Denormal floats appear in trained weights and slow CPU arithmetic several-fold
# (a plain torch loop on the tutorial MLP fell from ~9,100 to ~6,000 samples/s).
# TensorFlow and JAX flush them to zero; so does lamina, unless
# LAMINA_FLUSH_DENORMAL=0.
if os.environ.get("LAMINA_FLUSH_DENORMAL", "1") != "0":
    torch.set_flush_denormal(True)

# Freed blocks reused rather than unmapped and faulted in again every step
# (`host_memory`; LAMINA_MALLOC_TUNING=0 turns it off).
host_memory.tune_malloc()


def clear_session(free_memory: bool = True) -> None:
    """Reset Keras's global state: automatic names and the global settings.

    Layer names start again (``dense``, ``dense_1``, ...); the global dtype
    policy, interactive logging, flash attention and traceback filtering go
    back to their defaults (as in Keras; `floatx`, the epoch limits and open
    scopes stay); compiled `torch.compile` graphs are dropped.

    Example:

    >>> import lamina
    >>> lamina.utils.clear_session()
    >>> lamina.layers.Dense(2).name
    'dense'

    Args:
        free_memory: also run Python's garbage collector (and, when CUDA is in
            use, hand torch's cached blocks back to the device), so that the
            memory of deleted models is freed now.
    """
    reset_uids()
    global_state.reset_settings()
    dynamo = sys.modules.get("torch._dynamo")
    if dynamo is not None:  # only if something compiled: importing it is slow
        dynamo.reset()
    if free_memory:
        gc.collect()
        if torch.cuda.is_initialized():
            torch.cuda.empty_cache()


def set_random_seed(seed: int) -> None:
    """Seed Python's, numpy's and torch's generators at once."""
    if not isinstance(seed, int):
        from lamina.errors import ArgumentError

        raise ArgumentError(
            f"seed must be an int, received {type(seed).__name__}: {seed!r}"
        )
    _py_random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def convert_to_tensor(x, dtype=None) -> torch.Tensor:
    """A torch tensor on lamina's device from an array, tensor, list or scalar."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        t = torch.as_tensor(np.asarray(x) if not np.isscalar(x) else x)
    if dtype is not None:
        t = t.to(to_torch_dtype(dtype))
    elif t.dtype == torch.float64:
        t = t.to(to_torch_dtype(floatx()))
    return t.to(device())


def to_numpy(x) -> np.ndarray:
    """``x`` as a numpy array (bfloat16, which numpy lacks, as float32)."""
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.detach().cpu().numpy()
    return np.asarray(x)


__all__ = [
    "backend",
    "clear_session",
    "convert_to_tensor",
    "device",
    "epsilon",
    "floatx",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "is_keras_tensor",
    "result_type",
    "set_device",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_random_seed",
    "standardize_dtype",
    "to_numpy",
    "to_torch_dtype",
]
