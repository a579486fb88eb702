"""`DTypePolicy`: the dtypes a layer keeps its weights in and computes in.

A policy named after a dtype (``"float32"``, ``"float64"``, ``"bfloat16"``,
``"float16"``; any dtype name is accepted, as in Keras) makes layers create
their weights in that dtype and cast their float inputs to it. The global
policy (`set_dtype_policy`) is what layers made without a ``dtype`` use; it
follows `floatx()` until set.

Keras's mixed policies, ``"mixed_float16"`` and ``"mixed_bfloat16"``, keep the
weights in float32 and compute in half precision: a layer casts its float
inputs to the compute dtype and, during its call, reads its weights cast to it
(see `lamina.layers.Layer`), as Keras does.
"""

from __future__ import annotations

from lamina.backend import global_state
from lamina.backend.config import floatx, standardize_dtype
from lamina.errors import ArgumentError

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class DTypePolicy:
    """A layer's weight (variable) dtype and compute dtype, under one name.

    Passing ``dtype="bfloat16"`` to a layer is the same as passing
    ``dtype=DTypePolicy("bfloat16")``.

    Example:

    >>> policy = DTypePolicy("bfloat16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('bfloat16', 'bfloat16')
    >>> DTypePolicy("mixed_float16").variable_dtype
    'float32'

    Args:
        name: a float dtype name, ``"mixed_float16"`` or ``"mixed_bfloat16"``;
            None for the global policy's name.
    """

    _keras_module = "keras"

    def __init__(self, name: str | None = None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse_name(name)
        self._quantization_mode = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype layers compute in (and cast float inputs to)."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype layers create their weights in."""
        return self._variable_dtype

    @property
    def quantization_mode(self) -> str | None:
        """None: this policy is not a quantized one."""
        return self._quantization_mode

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other) -> bool:
        if type(other) not in (DTypePolicy, FloatDTypePolicy):
            return False
        return self._name == other._name

    def __hash__(self) -> int:
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """Keras's other name for a float `DTypePolicy`."""

    _keras_module = "keras"


def _parse_name(name) -> tuple[str, str]:
    """``(compute_dtype, variable_dtype)`` for a policy name."""
    if not isinstance(name, str):
        raise TypeError(
            "'name' must be a string, such as 'mixed_float16'. Received: "
            f"name={name} (of type {type(name)})"
        )
    if name in _MIXED:
        return _MIXED[name], "float32"
    try:
        dtype = standardize_dtype(name)
    except ValueError:
        raise ArgumentError(
            f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid "
            "policies include 'mixed_float16', 'mixed_bfloat16', and the name of "
            "any float dtype such as 'float32'."
        ) from None
    return dtype, dtype


def set_dtype_policy(policy: str | DTypePolicy) -> None:
    """Set the policy of the layers made from now on without a ``dtype``.

    Example:

    >>> set_dtype_policy("float64")
    >>> dtype_policy()
    <DTypePolicy "float64">
    >>> set_dtype_policy("float32")

    Args:
        policy: a policy name (``"float32"``, ``"mixed_float16"``,
            ``"mixed_bfloat16"``, ``"float64"``, ...) or a `DTypePolicy`.
    """
    if not isinstance(policy, DTypePolicy):
        if not isinstance(policy, str):
            raise ArgumentError(
                "Invalid `policy` argument. Expected the string name of a policy "
                "(such as 'mixed_float16') or a `DTypePolicy` instance. Received: "
                f"policy={policy} (of type {type(policy)})"
            )
        policy = DTypePolicy(policy)
    global_state.set_setting("dtype_policy", policy)


def policy_of(dtype) -> DTypePolicy:
    """The policy a layer's ``dtype`` argument names.

    None is the global policy; a policy is itself; a mixed policy's name, or a
    serialized policy (Keras 3's ``DTypePolicy`` or Keras 2's ``Policy``
    config), is that policy; any other dtype (a name, a torch or numpy dtype)
    is the float policy of its standard name.

    Example:

    >>> policy_of("mixed_bfloat16").compute_dtype
    'bfloat16'
    >>> policy_of("float").name
    'float32'
    """
    if dtype is None:
        return dtype_policy()
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict):
        return policy_of((dtype.get("config") or {}).get("name"))
    if isinstance(dtype, str) and dtype in _MIXED:
        return DTypePolicy(dtype)
    return DTypePolicy(standardize_dtype(dtype))


def dtype_policy() -> DTypePolicy:
    """The global policy: the one set, else a policy named `floatx()`.

    Until a policy is set it follows `set_floatx` (Keras fixes it at its first
    read, so a later `set_floatx` does not reach layers there).
    """
    policy = global_state.get_setting("dtype_policy")
    return DTypePolicy(floatx()) if policy is None else policy
