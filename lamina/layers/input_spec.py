"""InputSpec: what a layer accepts, checked on every call (cheaply)."""

from __future__ import annotations

from lamina.errors import ShapeError


class InputSpec:
    """The rank, dtype and axis sizes a layer accepts for one input.

    Args:
        dtype: expected dtype name, or None.
        shape: expected full shape (``None`` entries match anything).
        ndim / max_ndim / min_ndim: expected rank bounds.
        axes: ``{axis: size}`` sizes that must match (negative axes allowed).
        allow_last_axis_squeeze: also accept the shape with a trailing 1 dropped/added.
        name: the input's name, for messages.
    """

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
        optional=False,
    ):
        self.dtype = dtype
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional

    def get_config(self) -> dict:
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    def __repr__(self) -> str:
        items = [f"{k}={v}" for k, v in self.get_config().items() if v]
        return f"InputSpec({', '.join(items)})"


def check_input_compatibility(layer, input_shapes) -> None:
    """Raise a ShapeError naming ``layer`` if a shape violates its input_spec."""
    specs = layer.input_spec
    if specs is None:
        return
    if not isinstance(specs, (list, tuple)):
        specs = [specs]
    shapes = (
        input_shapes
        if isinstance(input_shapes, list)
        and (not input_shapes or not isinstance(input_shapes[0], (int, type(None))))
        else [input_shapes]
    )
    if len(specs) != len(shapes) and not all(s is None for s in specs[1:]):
        raise ShapeError(
            f'Layer "{layer.name}" expects {len(specs)} input(s), but it received '
            f"{len(shapes)} input tensors."
        )
    for index, (spec, shape) in enumerate(zip(specs, shapes)):
        if spec is None or shape is None:
            continue
        _check_one(layer, index, spec, tuple(shape))


def _check_one(layer, index: int, spec: InputSpec, shape: tuple) -> None:
    where = f'Input {index} of layer "{layer.name}" is incompatible with the layer'
    rank = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
        raise ShapeError(
            f"{where}: expected ndim={spec.ndim}, found ndim={rank}. "
            f"Full shape received: {shape}"
        )
    if spec.max_ndim is not None and rank > spec.max_ndim:
        raise ShapeError(
            f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}. "
            f"Full shape received: {shape}"
        )
    if spec.min_ndim is not None and rank < spec.min_ndim:
        raise ShapeError(
            f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. "
            f"Full shape received: {shape}"
        )
    for axis, size in spec.axes.items():
        if size is None:
            continue
        position = axis if axis >= 0 else rank + axis
        if position < 0 or position >= rank:
            raise ShapeError(
                f"{where}: expected axis {axis} to exist, but the input has rank "
                f"{rank}. Full shape received: {shape}"
            )
        actual = shape[position]
        if actual is not None and actual != size:
            raise ShapeError(
                f"{where}: expected axis {axis} of input shape to have value {size}, "
                f"but received input with shape {shape}"
            )
    if spec.shape is not None and rank == len(spec.shape):
        for expected, actual in zip(spec.shape, shape):
            if expected is not None and actual is not None and expected != actual:
                raise ShapeError(
                    f"{where}: expected shape={spec.shape}, found shape={shape}"
                )
