"""Keras's dtype promotion: which dtype an operation on several inputs returns.

`result_type` is ``keras.backend.result_type``: the least upper bound of the
input dtypes on a promotion lattice (JAX's, which Keras adopted), with Python
``int`` and ``float`` as *weak* types that defer to a tensor's own dtype
(``int8`` tensor + ``2`` stays ``int8``). On the torch backend Keras then
narrows 64-bit results to 32 bits (``int64`` -> ``int32``, ``float64`` ->
``float32``), as JAX does without x64; so does lamina.

Example:

>>> result_type("int8", "uint8")
'int16'
>>> result_type("int32", float)
'float32'
>>> result_type("bfloat16", int)
'bfloat16'
"""

from __future__ import annotations

import functools

from lamina.backend.config import floatx, standardize_dtype
from lamina.errors import ArgumentError

BOOL_TYPES = ("bool",)
INT_TYPES = (
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
)
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
COMPLEX_TYPES = ("complex64", "complex128")
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")

# Each dtype points at the dtypes just above it. "int" and "float" are the weak
# types of Python scalars: a weak int sits below every integer type, a weak
# float below every float type, so a Python number never widens a tensor.
_ABOVE: dict[str, tuple[str, ...]] = {
    "bool": ("int",),
    "int": ("uint8", "int8", "complex64"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("bfloat16", "float16"),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    "complex64": ("complex128",),
    "complex128": (),
}


def _upper_bounds(node: str) -> frozenset[str]:
    """``node`` and every dtype it promotes to."""
    seen = {node}
    stack = [node]
    while stack:
        for above in _ABOVE[stack.pop()]:
            if above not in seen:
                seen.add(above)
                stack.append(above)
    return frozenset(seen)


_UPPER_BOUNDS = {node: _upper_bounds(node) for node in _ABOVE}

# Keras on torch narrows 64-bit results to 32 bits, as JAX does without x64.
_NARROW_64 = {
    "int64": "int32",
    "uint64": "uint32",
    "float64": "float32",
    "complex128": "complex64",
}

# Python types and the dtype Keras gives their values on torch.
_PYTHON_TYPES = {bool: "bool", int: "int32", float: "float32", complex: "complex64"}


@functools.lru_cache(maxsize=512)
def _join(nodes: frozenset[str]) -> str:
    """The least upper bound of ``nodes`` on the lattice."""
    common = frozenset.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    # The least common bound is the one every other common bound lies above.
    least = [c for c in common if common <= _UPPER_BOUNDS[c]]
    if len(least) != 1:
        raise ArgumentError(
            f"Input dtypes {tuple(sorted(nodes))} have no implicit dtype "
            "promotion path. Cast the inputs to the dtype you want explicitly."
        )
    return least[0]


def _name_and_weakness(dtype) -> tuple[str, bool]:
    """The Keras dtype name, and whether it is a weak (Python scalar) type."""
    if dtype is int or dtype is float:
        return _PYTHON_TYPES[dtype], True
    if dtype in _PYTHON_TYPES:  # bool, complex
        return _PYTHON_TYPES[dtype], False
    if dtype is None:
        return floatx(), False
    if isinstance(dtype, str) and dtype in FLOAT8_TYPES:
        return dtype, False
    return standardize_dtype(dtype), False


def _weak_node(name: str) -> str:
    """The weak lattice node of a weakly typed input (its kind, not its width)."""
    if name == "bool":
        return name
    return "float" if "float" in name else "int"


def _resolve_weak(node: str) -> str:
    """A weak result's concrete dtype, as wide as floatx (``int`` -> ``int32``)."""
    bits = floatx()[-2:]
    if node.startswith("int"):
        return f"int{bits}"
    if node.startswith("uint"):
        return f"uint{bits}"
    return f"float{bits}"


def result_type(*dtypes) -> str:
    """The dtype Keras's promotion rules give an operation on inputs of ``dtypes``.

    Each argument is a dtype (a name, a torch or numpy dtype), ``None``
    (floatx), or a Python type: ``int`` and ``float`` are weak, so they take the
    other inputs' width (``result_type("float16", float) == "float16"``), while
    ``bool`` is the strong ``"bool"``. With no arguments the result is floatx.

    Args:
        *dtypes: The input dtypes.

    Returns:
        The result dtype's Keras name.

    Raises:
        ArgumentError: For float8 inputs (which never promote implicitly) or
            dtypes without a common promotion.

    Example:

    >>> result_type("int32", "float16")
    'float16'
    >>> result_type("uint8", "int8", int)
    'int16'
    """
    if not dtypes:
        return floatx()
    named = [_name_and_weakness(d) for d in dtypes]
    if any(name in FLOAT8_TYPES for name, _ in named):
        raise ArgumentError(
            "There is no implicit conversion from float8 dtypes to others; "
            f"cast the input explicitly. Received: {dtypes}"
        )
    names = {name for name, _ in named}
    all_weak = all(weak for _, weak in named)
    if len(named) == 1:
        result, weak = named[0]
    elif len(names) == 1 and not all_weak:
        result, weak = names.pop(), False
    elif all_weak:
        result, weak = _join(frozenset(names)), True
    else:
        nodes = frozenset(_weak_node(n) if w else n for n, w in named)
        result = _join(nodes)
        weak = result in ("int", "float")
    if weak and result != "bool":
        result = _resolve_weak(result)
    return _NARROW_64.get(result, result)


def is_float_dtype(dtype) -> bool:
    """Whether ``dtype`` is a floating-point dtype (bfloat16 and float8 included).

    Example:

    >>> is_float_dtype("bfloat16"), is_float_dtype("int32")
    (True, False)
    """
    name, _ = _name_and_weakness(dtype)
    return name.startswith("float") or name.startswith("bfloat")


def is_int_dtype(dtype) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer dtype (not bool).

    Example:

    >>> is_int_dtype("uint8"), is_int_dtype("bool")
    (True, False)
    """
    name, _ = _name_and_weakness(dtype)
    return name.startswith("int") or name.startswith("uint")


__all__ = ["is_float_dtype", "is_int_dtype", "result_type"]
