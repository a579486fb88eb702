"""`keras.dtype_policies`: the dtypes layers keep their weights in and compute in.

Quantized policies come with `keras.quantizers`.
"""

from __future__ import annotations

from lamina.dtype_policies.dtype_policy import (
    DTypePolicy,
    FloatDTypePolicy,
    dtype_policy,
    set_dtype_policy,
)
from lamina.serialization import deserialize_keras_object, serialize_keras_object

ALL_OBJECTS_DICT = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy": FloatDTypePolicy}


def serialize(dtype_policy: DTypePolicy) -> dict:
    """Keras's config of a policy.

    Example:

    >>> serialize(DTypePolicy("bfloat16"))["config"]
    {'name': 'bfloat16'}
    """
    return serialize_keras_object(dtype_policy)


def deserialize(config: dict, custom_objects: dict | None = None) -> DTypePolicy:
    """The policy a config (from `serialize`) describes."""
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=ALL_OBJECTS_DICT,
        printable_module_name="dtype policy",
    )


def get(identifier) -> DTypePolicy:
    """The policy for None (the global one), a name, a config or a policy.

    Example:

    >>> get("float64").variable_dtype
    'float64'
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    try:
        from lamina.backend.config import standardize_dtype

        return DTypePolicy(standardize_dtype(identifier))
    except ValueError:
        raise ValueError(
            "Cannot interpret `dtype` argument. Expected a string or an instance "
            f"of DTypePolicy. Received: dtype={identifier}"
        ) from None


__all__ = [
    "DTypePolicy",
    "FloatDTypePolicy",
    "deserialize",
    "dtype_policy",
    "get",
    "serialize",
    "set_dtype_policy",
]
