"""plot_model / model_to_dot: draw a model's layer graph with pydot and Graphviz."""

from __future__ import annotations

import html
import os
import shutil
import sys

from lamina.errors import ArgumentError
from lamina.io_utils import atomic_path

_MISSING_PYDOT = (
    "You must install pydot (`pip install pydot`, or lamina's `[plot]` "
    "extra) for `plot_model` to work."
)
_MISSING_GRAPHVIZ = (
    "You must install Graphviz's `dot` program for `plot_model` to work "
    "(Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install "
    "graphviz`; see https://graphviz.org/download/)."
)


def _pydot():
    try:
        import pydot
    except ImportError as err:
        raise ImportError(_MISSING_PYDOT) from err
    return pydot


def _check_graphviz(pydot) -> None:
    if shutil.which("dot") is None:
        raise ImportError(_MISSING_GRAPHVIZ)
    try:  # pydot finds `dot`, and it runs
        pydot.Dot.create(pydot.Dot())
    except Exception as err:  # pydot raises OSError or its own InvocationException
        raise ImportError(f"{_MISSING_GRAPHVIZ} ({err})") from err


def _shape_text(value) -> str:
    if value is None:
        return "?"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_shape_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_shape_text(v) for v in value) + "]"
    return str(tuple(value))


def _tensor_attr(structure, attr: str):
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {k: _tensor_attr(v, attr) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [_tensor_attr(v, attr) for v in structure]
    return getattr(structure, attr, None)


def _layer_label(
    layer,
    show_shapes,
    show_dtype,
    show_layer_names,
    show_layer_activations,
    show_trainable,
) -> str:
    """An HTML-like Graphviz table: name and class, activation, shapes, dtype."""
    class_name = type(layer).__name__
    cells = []
    if show_shapes:
        try:
            input_shape = _shape_text(_tensor_attr(layer.input, "shape"))
            output_shape = _shape_text(_tensor_attr(layer.output, "shape"))
        except (AttributeError, ValueError):
            input_shape = output_shape = "?"
        if class_name != "InputLayer":
            cells.append(("white", f"Input shape: <b>{html.escape(input_shape)}</b>"))
        cells.append(("white", f"Output shape: <b>{html.escape(output_shape)}</b>"))
    if show_dtype:
        try:
            dtype = _shape_text(_tensor_attr(layer.output, "dtype")).strip("()")
        except (AttributeError, ValueError):
            dtype = "?"
        cells.append(
            ("white", f"Output dtype: <b>{html.escape(dtype.rstrip(','))}</b>")
        )
    if show_trainable and layer.weights:
        cells.append(
            ("forestgreen", '<font color="white"><b>Trainable</b></font>')
            if layer.trainable
            else ("firebrick", '<font color="white"><b>Non-trainable</b></font>')
        )
    colspan = max(1, len(cells))
    title = (
        f"<b>{html.escape(layer.name)}</b> ({html.escape(class_name)})"
        if show_layer_names
        else f"<b>{html.escape(class_name)}</b>"
    )
    rows = [
        f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" '
        f'color="white">{title}</font></td></tr>'
    ]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and callable(activation):
        name = getattr(activation, "__name__", type(activation).__name__)
        rows.append(
            f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
            f"Activation: <b>{html.escape(name)}</b></font></td></tr>"
        )
    if cells:
        rows.append(
            "<tr>"
            + "".join(
                f'<td bgcolor="{color}"><font point-size="14">{text}</font></td>'
                for color, text in cells
            )
            + "</tr>"
        )
    return (
        '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
        + "".join(rows)
        + "</table>>"
    )


def model_to_dot(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    subgraph=False,
    show_layer_activations=False,
    show_trainable=False,
    splines="ortho",
    **kwargs,
):
    """The model's layer graph as a `pydot.Dot` (or a cluster, for nested models)."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if kwargs:
        raise ArgumentError(f"model_to_dot: unrecognized keyword arguments {kwargs}.")
    if not model.built:
        raise ArgumentError(
            f"Model '{model.name}' has not yet been built. Build the model first by "
            "calling `build()` or by calling the model on a batch of data."
        )
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ArgumentError(
            f"`rankdir` must be 'TB', 'LR', 'BT' or 'RL'; got {rankdir!r}."
        )
    pydot = _pydot()
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    label_options = dict(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    nested = (Functional, Sequential)

    def add_node(layer):
        node = pydot.Node(str(id(layer)), label=_layer_label(layer, **label_options))
        node.set("fontname", "Helvetica")
        node.set("border", "0")
        node.set("margin", "0")
        dot.add_node(node)

    if not isinstance(model, nested):  # a subclassed model: one box
        add_node(model)
        return dot
    layers = model.layers
    for layer in layers:
        if expand_nested and isinstance(layer, nested):
            dot.add_subgraph(
                model_to_dot(
                    layer,
                    expand_nested=True,
                    subgraph=True,
                    rankdir=rankdir,
                    **label_options,
                )
            )
        else:
            add_node(layer)

    def entry(layer):  # where an edge into a (possibly expanded) model lands
        while expand_nested and isinstance(layer, nested):
            layer = (
                layer.layers[0]
                if isinstance(layer, Sequential)
                else layer.inputs[0]._keras_history[0]
            )
        return layer

    def exit_(layer):
        while expand_nested and isinstance(layer, nested):
            layer = layer.outputs[0]._keras_history[0]
        return layer

    def add_edge(source, target):
        key = (str(id(exit_(source))), str(id(entry(target))))
        if not dot.get_edge(*key):
            dot.add_edge(pydot.Edge(*key))

    if isinstance(model, Sequential):
        for source, target in zip(layers, layers[1:]):
            add_edge(source, target)
        return dot
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in model._node_ids:
                continue
            for tensor in node.input_tensors:
                add_edge(tensor._keras_history[0], layer)
    return dot


def plot_model(
    model,
    to_file="model.png",
    show_shapes=False,
    show_dtype=False,
    show_layer_names=False,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    show_layer_activations=False,
    show_trainable=False,
    splines="ortho",
    **kwargs,
):
    """Draw the model's layers and connections to an image file.

    Needs pydot (``pip install lamina[plot]``) and Graphviz's ``dot`` program.

    Example:
        >>> lamina.utils.plot_model(model, "model.png", show_shapes=True)

    Args:
        model: a built Sequential or functional model (a subclassed model is drawn
            as one box).
        to_file: the image path; its extension picks the format (png, svg, pdf, ...).
        show_shapes / show_dtype / show_layer_names / show_layer_activations /
            show_trainable: what each box shows.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        expand_nested: draw nested models' layers inside dashed clusters.
        dpi: the resolution of raster images.
        splines: how Graphviz draws edges.

    Returns:
        an IPython ``Image`` in a notebook, else None.
    """
    pydot = _pydot()
    _check_graphviz(pydot)
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        splines=splines,
        **kwargs,
    )
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    with atomic_path(to_file) as temp:  # never a half-written image
        dot.write(temp, format=extension)
    if extension in ("png", "jpg", "jpeg") and (
        "IPython.core.magics.namespace" in sys.modules
    ):  # in a notebook: show it
        from IPython import display

        return display.Image(filename=to_file)
    return None
