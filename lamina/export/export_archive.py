"""`ExportArchive`: several inference endpoints of layers and models, in one folder.

Keras's `ExportArchive` writes a TensorFlow SavedModel; lamina writes what
torch serves from, in the same steps (`track`, `add_endpoint`, `write_out`):
each endpoint becomes a `torch.export` program (``<name>.pt2``, which
``torch.export.load`` reads without lamina) or, with ``format="onnx"``, an
ONNX model (``<name>.onnx``). The folder also holds ``archive.json`` (the
endpoints, their input signatures, the ``serving_default`` alias) and the
variable collections (``variables/<name>.npz``); `load` reads it all back.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import types
import warnings
from pathlib import Path

import numpy as np
import torch

from lamina import backend
from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.io_utils import fsync_dir, print_msg
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.saving.export import (
    fresh_shape_checks,
    plain_parameters,
    write_onnx,
    write_program,
)

_FORMATS = {"torch": "torch", "torch_export": "torch", "pt2": "torch", "onnx": "onnx"}
_KERAS_ONLY = ("saved_model", "neptune_model", "litert", "openvino", "tf_saved_model")
_SUFFIX = {"torch": ".pt2", "onnx": ".onnx"}
DEFAULT_ENDPOINT_NAME = "serve"


class _Endpoint(torch.nn.Module):
    """``fn`` as a module whose children are the tracked layers, so that their
    weights are the program's parameters rather than constants."""

    def __init__(self, fn, resources: list[torch.nn.Module]):
        super().__init__()
        self.fn = fn
        self.resources = torch.nn.ModuleList(resources)

    def forward(self, *args):
        return self.fn(*args)


class ExportArchive:
    """Inference endpoints of layers and models, written as one artifact.

    Example:

    ```python
    archive = lamina.export.ExportArchive(format="torch")
    archive.track(model)
    archive.add_endpoint(
        name="serve",
        fn=lambda x: model(x, training=False),
        input_signature=[lamina.InputSpec(shape=(None, 3), dtype="float32")],
    )
    archive.add_endpoint(
        name="call_training",
        fn=lambda x: model(x, training=True),
        input_signature=[lamina.InputSpec(shape=(None, 3), dtype="float32")],
    )
    archive.write_out("path/to/location")

    # Elsewhere (torch alone reads each endpoint: torch.export.load):
    served = lamina.export.load("path/to/location")
    outputs = served.serve(inputs)
    ```

    Input signatures give one entry per positional argument of ``fn``: an
    `InputSpec` (``shape`` and ``dtype``), a `KerasTensor`, a tensor or array
    (its shape and dtype), or a list/dict of them for an argument that is a
    structure (a functional model with several inputs). ``None`` sizes are
    dynamic in the exported program: the first axis of every input is one
    shared batch size, as in Keras.

    Args:
        format: ``"torch"`` (`torch.export` programs, ``.pt2``) or ``"onnx"``
            (needs ``pip install onnx onnxscript``). Keras's default,
            ``"saved_model"``, is TensorFlow's format, which lamina cannot
            write: it is refused with a pointer to these two.
        **kwargs: for ``"onnx"``, ``opset_version``.
    """

    def __init__(self, format: str = "saved_model", **kwargs):  # noqa: A002
        kind = _FORMATS.get(str(format).lower())
        if kind is None:
            if format in _KERAS_ONLY:
                raise ArgumentError(
                    f"ExportArchive(format={format!r}) writes a TensorFlow artifact, "
                    "which needs TensorFlow; lamina exports what torch serves: "
                    "ExportArchive(format='torch') (torch.export programs) or "
                    "format='onnx'."
                )
            raise ArgumentError(
                f"Unsupported format: {format!r}. Supported: 'torch', 'onnx'."
            )
        unknown = sorted(set(kwargs) - ({"opset_version"} if kind == "onnx" else set()))
        if unknown:
            raise ArgumentError(
                f"ExportArchive(format={format!r}) got unexpected arguments: {unknown}."
            )
        self.format = kind
        self._options = kwargs
        self._resources: list[torch.nn.Module] = []
        self._endpoints: dict[str, tuple] = {}  # name -> (program, signature)
        self._collections: dict[str, list] = {}

    # ------------------------------------------------------------------ building
    def track(self, resource) -> None:
        """Make a layer's or model's weights the parameters of the endpoints.

        Endpoints added afterwards whose functions use ``resource`` hold its
        weights as parameters (a name each in the program's state dict).

        Args:
            resource: a built `Layer` or `Model` (or any `torch.nn.Module`).
        """
        if not isinstance(resource, torch.nn.Module):
            raise ArgumentError(
                "Invalid resource type. Expected a lamina `Layer` or `Model` (a "
                f"torch.nn.Module). Received: resource={resource!r} (of type "
                f"{type(resource).__name__})"
            )
        if isinstance(resource, Layer) and not resource.built:
            raise ArgumentError(
                "The layer provided has not yet been built. It must be built "
                "before export."
            )
        if all(resource is not r for r in self._resources):
            self._resources.append(resource)

    def add_endpoint(self, name: str, fn, input_signature=None, **kwargs):
        """Export ``fn`` as the endpoint ``name``.

        Args:
            name: the endpoint's name (and file name).
            fn: a function of tensors: ``model.call``, a lambda around the
                tracked layers and models, ...
            input_signature: one spec per positional argument of ``fn`` (see
                the class docstring); required, as torch traces ``fn`` on
                example inputs made from it.
            **kwargs: none; Keras's are JAX's.

        Returns:
            The exported `torch.export.ExportedProgram`'s module: a function
            with ``fn``'s arguments, as the endpoint will run.
        """
        if kwargs:
            raise ArgumentError(
                f"add_endpoint() got unexpected arguments: {sorted(kwargs)}."
            )
        if name in self._endpoints:
            raise ArgumentError(f"Endpoint name '{name}' is already taken.")
        if not isinstance(name, str) or not name or os.sep in name:
            raise ArgumentError(
                f"An endpoint name must be a plain string, received {name!r}."
            )
        if input_signature is None:
            raise ArgumentError(
                "add_endpoint() needs an `input_signature` on torch: the shapes and "
                "dtypes of `fn`'s arguments, e.g. [lamina.InputSpec(shape=(None, 3), "
                "dtype='float32')]."
            )
        if not isinstance(input_signature, (list, tuple)):
            input_signature = [input_signature]
        signature = [tree.map_structure(_spec_of, s) for s in input_signature]
        program = self._export(_Endpoint(fn, self._resources), signature)
        self._endpoints[name] = (program, signature)
        return program.module()

    def track_and_add_endpoint(
        self, name: str, resource, input_signature=None, **kwargs
    ):
        """`track` a layer or model and add an endpoint calling it for inference.

        Args:
            name: the endpoint's name.
            resource: a built `Layer` or `Model`.
            input_signature: one spec per positional argument of the call (see
                the class docstring); a model's own inputs by default.
            **kwargs: none; Keras's are JAX's.
        """
        self.track(resource)
        if input_signature is None:
            input_signature = _model_signature(resource)

        def inference(*args):
            return resource(*args, training=False)

        was_training = resource.training
        resource.eval()
        try:
            return self.add_endpoint(name, inference, input_signature, **kwargs)
        finally:
            resource.train(was_training)

    def add_variable_collection(self, name: str, variables) -> None:
        """Save ``variables``' values under ``name`` in the archive.

        Args:
            name: the collection's name.
            variables: a list, tuple or set of variables (weights, optimizer
                variables, ...).
        """
        if not isinstance(variables, (list, tuple, set)):
            raise ArgumentError(
                "Expected `variables` to be a list/tuple/set. Received instead "
                f"object of type '{type(variables).__name__}'."
            )
        for v in variables:
            if not isinstance(v, torch.Tensor):
                raise ArgumentError(
                    "Expected all elements in `variables` to be variables or "
                    f"tensors. Received instead object of type '{type(v).__name__}'."
                )
        self._collections[name] = list(variables)

    # ------------------------------------------------------------------ writing
    def write_out(self, filepath, options=None, verbose: bool = True) -> None:
        """Write the archive to the folder ``filepath`` (replaced whole, atomically).

        The first endpoint is also the ``serving_default`` one (unless an
        endpoint has that name), as in Keras.

        Args:
            filepath: the folder to write.
            options: Keras's SavedModel options; must be None here.
            verbose: print the endpoints and their inputs.
        """
        if not self._endpoints:
            raise ArgumentError(
                "No endpoints have been set yet. Call add_endpoint() or "
                "track_and_add_endpoint() first."
            )
        if options is not None:
            raise ArgumentError(
                "`options` are TensorFlow SavedModel options; pass None."
            )
        path = Path(os.fspath(filepath))
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
        try:
            manifest = self._write_into(staging)
            (staging / "archive.json").write_text(json.dumps(manifest, indent=2))
            _replace_folder(staging, path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if verbose:
            print_msg(_describe(path, manifest))

    def _write_into(self, folder: Path) -> dict:
        manifest = {"format": self.format, "endpoints": {}, "variable_collections": {}}
        for name, (program, signature) in self._endpoints.items():
            filename = name + _SUFFIX[self.format]
            if self.format == "torch":
                write_program(program, folder / filename)
            else:
                write_onnx(
                    program,
                    len(tree.flatten(signature)),
                    folder / filename,
                    False,
                    self._options.get("opset_version"),
                )
            manifest["endpoints"][name] = {
                "file": filename,
                "input_signature": tree.map_structure(dataclasses.asdict, signature),
            }
        names = list(self._endpoints)
        manifest["serving_default"] = (
            "serving_default" if "serving_default" in names else names[0]
        )
        if self._collections:
            (folder / "variables").mkdir()
        for name, variables in self._collections.items():
            filename = f"variables/{name}.npz"
            arrays = {str(i): v.detach().cpu().numpy() for i, v in enumerate(variables)}
            np.savez(folder / filename, **arrays)
            manifest["variable_collections"][name] = {
                "file": filename,
                "paths": [
                    getattr(v, "path", f"tensor_{i}") for i, v in enumerate(variables)
                ],
            }
        return manifest

    def _export(self, module: torch.nn.Module, signature: list):
        examples, dynamic = _examples(signature)
        with warnings.catch_warnings(), fresh_shape_checks(self._resources):
            warnings.filterwarnings("ignore", message=".*side effects happened.*")
            warnings.filterwarnings("ignore", category=FutureWarning)
            program = torch.export.export(
                module, tuple(examples), dynamic_shapes=(tuple(dynamic),), strict=True
            )
        plain_parameters(program)
        return program


# ------------------------------------------------------------------ signatures


@dataclasses.dataclass(frozen=True)
class _Spec:
    """One input: its shape (None for a dynamic size) and Keras dtype name."""

    shape: list
    dtype: str


def _spec_of(spec) -> _Spec:
    """The `_Spec` of one input spec (an InputSpec, KerasTensor, tensor, array)."""
    if isinstance(spec, (InputSpec, KerasTensor)):
        if spec.shape is None:
            raise ArgumentError(f"The input spec {spec!r} has no shape.")
        shape, dtype = spec.shape, spec.dtype
    elif isinstance(spec, (torch.Tensor, np.ndarray)):
        shape, dtype = spec.shape, spec.dtype
    else:
        raise ArgumentError(
            "An input signature holds InputSpecs, KerasTensors, tensors or arrays "
            f"(in lists or dicts); received {spec!r}."
        )
    return _Spec(
        [None if d is None else int(d) for d in shape],
        backend.standardize_dtype(dtype),
    )


def _examples(signature: list) -> tuple[list, list]:
    """Example inputs (unknown sizes 2, as Keras) and their dynamic dimensions:
    one shared ``batch`` for every input's first axis, one name for any other."""
    batch = torch.export.Dim("batch", min=1)
    counter = [0]

    def example(spec: _Spec):
        return torch.zeros(
            [2 if d is None else d for d in spec.shape],
            dtype=backend.to_torch_dtype(spec.dtype),
            device=backend.device(),
        )

    def dims(spec: _Spec):
        counter[0] += 1
        found = {
            axis: batch
            if axis == 0
            else torch.export.Dim(f"dim_{counter[0]}_{axis}", min=1)
            for axis, d in enumerate(spec.shape)
            if d is None
        }
        return found or None

    examples = [tree.map_structure(example, s) for s in signature]
    dynamic = [tree.map_structure(dims, s) for s in signature]
    return examples, dynamic


def _model_signature(resource) -> list:
    try:
        inputs = resource.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ArgumentError(
            f"'{resource.name}' has no known inputs: pass `input_signature`, e.g. "
            "[lamina.InputSpec(shape=(None, 3), dtype='float32')]."
        )
    struct = resource.input if hasattr(resource, "input") else inputs
    return [struct]


# ------------------------------------------------------------------ the folder


def _replace_folder(staging: Path, path: Path) -> None:
    if path.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
        os.replace(path, old / path.name)
        os.replace(staging, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, path)
    fsync_dir(path.parent)


def _describe(path: Path, manifest: dict) -> str:
    lines = [f"Saved artifact at '{path}'. The following endpoints are available:"]
    for name, entry in manifest["endpoints"].items():
        lines.append(f"\n* Endpoint '{name}' ({entry['file']})")
        for i, spec in enumerate(entry["input_signature"]):
            lines.append(f"  Argument {i}: {spec}")
    return "\n".join(lines)


def load(filepath) -> types.SimpleNamespace:
    """Read an archive `ExportArchive.write_out` wrote (lamina's, not Keras's API).

    Example:

    ```python
    served = lamina.export.load("path/to/location")
    outputs = served.serve(x)                 # an endpoint, as a function
    values = served.optimizer_variables       # a variable collection (arrays)
    ```

    Returns:
        An object with one attribute per endpoint (the `torch.export` program's
        module, or an onnxruntime session wrapped as a function for ONNX), one
        per variable collection (a list of numpy arrays), and
        ``serving_default``.
    """
    path = Path(os.fspath(filepath))
    manifest = json.loads((path / "archive.json").read_text())
    loaded = types.SimpleNamespace()
    for name, entry in manifest["endpoints"].items():
        setattr(loaded, name, _load_endpoint(path / entry["file"], manifest["format"]))
    loaded.serving_default = getattr(loaded, manifest["serving_default"])
    for name, entry in manifest["variable_collections"].items():
        with np.load(path / entry["file"]) as arrays:
            setattr(loaded, name, [arrays[str(i)] for i in range(len(arrays.files))])
    return loaded


def _load_endpoint(file: Path, kind: str):
    if kind == "torch":
        return torch.export.load(file).module()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(file))
    names = [i.name for i in session.get_inputs()]

    def run(*args):
        flat = [np.asarray(torch.as_tensor(a).cpu()) for a in tree.flatten(list(args))]
        outputs = session.run(None, dict(zip(names, flat)))
        return outputs[0] if len(outputs) == 1 else outputs

    return run
