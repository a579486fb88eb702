"""`Model.export`: inference artifacts for serving (ONNX, `torch.export`).

``format="onnx"`` writes an ONNX graph through torch's ONNX exporter (needs
the optional ``onnx`` extra: ``pip install onnx onnxscript onnxruntime``);
``format="torch"`` writes a `torch.export` program (``.pt2``) that
``torch.export.load`` reads back without lamina. Both take the batch axis as
dynamic and the model in inference mode (dropout off, batch norm on its moving
statistics).
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings

import numpy as np
import torch

from lamina import backend
from lamina.errors import ArgumentError
from lamina.io_utils import atomic_path

_FORMATS = {"onnx": "onnx", "torch": "torch", "torch_export": "torch", "pt2": "torch"}


class _Inference(torch.nn.Module):
    """The model called in inference mode on positional tensors; tuple outputs."""

    def __init__(self, model, n_inputs: int):
        super().__init__()
        self.model = model
        self.n_inputs = n_inputs

    def forward(self, *inputs):
        outputs = self.model(
            inputs[0] if self.n_inputs == 1 else list(inputs), training=False
        )
        if isinstance(outputs, dict):
            outputs = [outputs[k] for k in sorted(outputs)]
        return tuple(outputs) if isinstance(outputs, (list, tuple)) else outputs


def _example_inputs(model, input_signature) -> list[torch.Tensor]:
    """One example tensor per model input (batch 2), from shapes or arrays."""
    if input_signature is None:
        try:
            inputs = model.inputs
        except AttributeError as err:
            raise ArgumentError(
                f"Model '{model.name}' has no known input shape: pass "
                "`input_signature=[(None, ...)]` to export()."
            ) from err
        input_signature = [(tuple(t.shape), t.dtype) for t in inputs]
    if not isinstance(input_signature, (list, tuple)) or (
        input_signature and isinstance(input_signature[0], (int, type(None)))
    ):
        input_signature = [input_signature]
    examples = []
    for spec in input_signature:
        if isinstance(spec, (np.ndarray, torch.Tensor)):
            examples.append(
                torch.as_tensor(
                    np.asarray(spec) if isinstance(spec, np.ndarray) else spec
                )
            )
            continue
        dtype = "float32"
        if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], str):
            spec, dtype = spec
        shape = [2 if d is None else int(d) for d in spec]
        examples.append(torch.zeros(shape, dtype=backend.to_torch_dtype(dtype)))
    return [x.to(backend.device()) for x in examples]


def export_model(
    model,
    filepath,
    format: str = "onnx",  # noqa: A002
    input_signature=None,
    verbose: bool | None = None,
    opset_version: int | None = None,
    **kwargs,
):
    """Export ``model`` for inference.

    Example:
        >>> export_model(model, "model.onnx", format="onnx")

    Args:
        model: a built lamina model.
        filepath: destination file (``.onnx`` or ``.pt2``).
        format: ``"onnx"`` or ``"torch"``.
        input_signature: input shapes (``None`` for the batch size), or
            ``(shape, dtype)`` pairs, or example arrays; the model's own input
            shapes by default.
        verbose: print the exporter's messages.
        opset_version: the ONNX opset (the exporter's default otherwise).

    Returns:
        the path written.
    """
    if kwargs:
        raise ArgumentError(f"export() got unexpected arguments: {sorted(kwargs)}.")
    kind = _FORMATS.get(str(format).lower())
    if kind is None:
        raise ArgumentError(
            f"Unrecognized format={format!r}. Supported: 'onnx', 'torch'."
        )
    path = os.fspath(filepath)
    examples = _example_inputs(model, input_signature)
    module = _Inference(model, len(examples))
    was_training = model.training
    model.eval()
    with warnings.catch_warnings():
        # Layers record call state in Python attributes; harmless for the trace.
        warnings.filterwarnings("ignore", message=".*side effects happened.*")
        warnings.filterwarnings("ignore", category=FutureWarning)
        return _export(
            model, module, examples, kind, path, verbose, opset_version, was_training
        )


def _export(
    model, module, examples, kind, path, verbose, opset_version, was_training
) -> str:
    try:
        batch = torch.export.Dim("batch", min=1)
        # forward(*inputs): one entry, for the varargs, holding one spec per input.
        dynamic = (tuple({0: batch} for _ in examples),)
        with fresh_shape_checks([model]):
            program = torch.export.export(
                module, tuple(examples), dynamic_shapes=dynamic, strict=True
            )
        plain_parameters(program)
        if kind == "torch":
            return write_program(program, path)
        return write_onnx(program, len(examples), path, verbose, opset_version)
    finally:
        model.train(was_training)


@contextlib.contextmanager
def fresh_shape_checks(modules):
    """Trace with the layers' memory of their last input shape cleared.

    Layers skip their input checks for the shape they last saw; compared with
    the traced (symbolic) batch size, that shape would become a guard
    ("batch != 4", after training on batches of 4) and the export would fail.
    The memory is put back afterwards, not left holding symbolic sizes.
    """
    layers = [
        m
        for root in modules
        for m in root.modules()
        if hasattr(m, "_last_checked_shape")
    ]
    saved = [m._last_checked_shape for m in layers]
    for m in layers:
        m._last_checked_shape = None
    try:
        yield
    finally:
        for m, shape in zip(layers, saved):
            m._last_checked_shape = shape


def write_program(program, path) -> str:
    """Write a `torch.export` program to ``path`` (``.pt2``), atomically."""
    buffer = io.BytesIO()  # torch.export.save wants a .pt2 name or a buffer
    torch.export.save(program, buffer)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(buffer.getvalue())
    return os.fspath(path)


def plain_parameters(program) -> None:
    """Store lamina Variables as plain Parameters: the artifact must not need lamina
    (and ONNX's constant folding calls ``Parameter.numpy(force=...)``)."""
    state = program.state_dict
    for key, value in list(state.items()):
        if (
            isinstance(value, torch.nn.Parameter)
            and type(value) is not torch.nn.Parameter
        ):
            state[key] = torch.nn.Parameter(
                value.detach().clone(), requires_grad=value.requires_grad
            )


def write_onnx(program, n_inputs: int, path, verbose, opset_version) -> str:
    """Convert a `torch.export` program to ONNX and write it to ``path``, atomically."""
    try:
        import onnx  # noqa: F401
    except ImportError as err:
        raise ImportError(
            "Exporting to ONNX needs the `onnx` and `onnxscript` packages: "
            "pip install onnx onnxscript onnxruntime"
        ) from err
    names = [f"input_{i}" for i in range(n_inputs)]
    with atomic_path(path) as tmp:
        onnx_program = torch.onnx.export(
            program,
            dynamo=True,
            input_names=names,
            verbose=bool(verbose),
            opset_version=opset_version,
        )
        onnx_program.save(tmp)
    return path
