"""`Model.summary()`: the table of layers, output shapes and parameter counts.

Two layouts, both plain text:

- ``style="keras3"`` (default) is the box table Keras 3 prints. Keras draws it
  with the `rich` library; lamina does not depend on rich, so this module holds
  the small part of rich's table layout the summary uses (column widths,
  word wrapping inside cells, ellipsis on words too long for their cell) and
  reproduces what Keras prints when stdout is not a terminal, character for
  character.
- ``style="keras2"`` is the classic tf.keras 2.x layout (``____`` and ``====``
  rules, ``Total params: 932,362``), as in older course material.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence

from lamina.errors import ArgumentError
from lamina.io_utils import is_interactive_logging_enabled, print_msg

# Bits per scalar, as Keras counts them for the memory sizes of the totals.
_DTYPE_BITS = {
    **{f"float{i}": i for i in (16, 32, 64)},
    **{f"int{i}": i for i in (8, 16, 32, 64)},
    **{f"uint{i}": i for i in (8, 16, 32, 64)},
    "bfloat16": 16,
    "bool": 1,
}


def print_summary(
    model,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[..., object] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Sequence[str] | None = None,
    style: str = "keras3",
) -> None:
    """Print a summary of a model: its layers, output shapes and parameter counts.

    Example:
        >>> model = lamina.Sequential([lamina.Input((8,)), lamina.layers.Dense(1)])
        >>> print_summary(model, line_length=60)  # or model.summary(line_length=60)

    Args:
        model: a lamina `Model` (Sequential, functional or subclassed).
        line_length: total width of the table; by default 88 (108 with the
            "Connected to" column, 12 more with ``show_trainable``), or the
            terminal width minus 4 if narrower. Keras 2 style: 65 / 98.
        positions: where each column ends, as fractions of ``line_length``
            (Keras 2 style also takes absolute positions).
        print_fn: called once with the whole table as one string (Keras 3
            style) or once per line (Keras 2 style); by default the table is
            written to stdout.
        expand_nested: also list the layers of nested models, marked ``└ ``.
        show_trainable: add a "Trainable" column (``Y``, ``N``, or ``-`` for
            layers without weights).
        layer_range: ``[first, last]`` layer names (regular expressions,
            matched with `re.match`) bounding the rows shown, both included.
        style: ``"keras3"`` or ``"keras2"``.
    """
    if print_fn is None and not is_interactive_logging_enabled():
        print_fn = print_msg  # to the "lamina" logger, as Keras's goes to its log
    if style == "keras3":
        text = _keras3_summary(
            model, line_length, positions, expand_nested, show_trainable, layer_range
        )
        if print_fn is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            # Keras 3 hands the whole captured table to print_fn in one call.
            print_fn(text)
    elif style == "keras2":
        if expand_nested:
            raise ArgumentError(
                "summary(style='keras2') does not support expand_nested=True; use "
                "style='keras3' to list the layers of nested models."
            )
        for line in _keras2_summary(
            model, line_length, positions, show_trainable, layer_range
        ):
            (print_fn or print)(line)
    else:
        raise ArgumentError(
            "summary(): `style` must be 'keras3' or 'keras2'. "
            f"Received: style={style!r}"
        )


# ---------------------------------------------------------------------- model facts
def _is_sequential_like(model) -> bool:
    """Whether the model is a plain chain of single-input layers, as Keras decides."""
    from lamina.models.functional import Functional

    if not isinstance(model, Functional):
        return True  # Sequential, and subclassed models listed as a chain
    nodes_by_depth = _nodes_by_depth(model)
    chain_nodes = []
    for nodes in nodes_by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
        chain_nodes.extend(nodes)
    chain_ids = {id(node) for node in chain_nodes}
    for layer in model.layers:  # a layer called twice (shared) breaks the chain
        if sum(id(node) in chain_ids for node in layer._inbound_nodes) > 1:
            return False
    return True


def _nodes_by_depth(model) -> dict[int, list]:
    """The model's nodes grouped by depth (outputs at 0), deepest first."""
    ordered = model._nodes  # topological: every node after the nodes it reads
    node_ids = {id(node) for node in ordered}
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(ordered):
        depth = max(
            node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0)
        )
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in node_ids:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    grouped: dict[int, list] = {}
    for node in ordered:
        grouped.setdefault(node_depth[id(node)], []).append(node)
    return {depth: grouped[depth] for depth in sorted(grouped, reverse=True)}


def _connections(layer, model_node_ids: set[int]) -> list[str]:
    """``name[node_index][tensor_index]`` of each tensor the layer reads here."""
    result = []
    for node in layer._inbound_nodes:
        if model_node_ids and id(node) not in model_node_ids:
            continue  # a call of the layer outside this model
        for tensor in node.input_tensors:
            inbound, node_index, tensor_index = tensor._keras_history
            result.append(f"{inbound.name}[{node_index}][{tensor_index}]")
    return result


def _layer_slice(layers: list, layer_range) -> list:
    """The layers between the names matching ``layer_range`` (both included)."""
    if layer_range is None:
        return layers
    if len(layer_range) != 2:
        raise ArgumentError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not all(isinstance(name, str) for name in layer_range):
        raise ArgumentError(
            f"layer_range should contain string type only. Received: {layer_range}"
        )
    names = [layer.name for layer in layers]
    lower = [i for i, name in enumerate(names) if re.match(layer_range[0], name)]
    upper = [i for i, name in enumerate(names) if re.match(layer_range[1], name)]
    if not lower or not upper:
        raise ArgumentError(
            "Passed layer_names do not match the layer names in the model. "
            f"Received: {layer_range}. Layer names: {names}"
        )
    if min(lower) > max(upper):
        return layers[min(upper) : max(lower) + 1]
    return layers[min(lower) : max(upper) + 1]


def _count(weights) -> int:
    return int(sum(math.prod(w.shape) for w in weights))


def _memory_bytes(weights) -> float:
    from lamina.backend import standardize_dtype

    total = 0
    for w in {id(w): w for w in weights}.values():
        try:
            bits = _DTYPE_BITS[standardize_dtype(w.dtype)]
        except (KeyError, ValueError):  # a dtype Keras has no size for
            bits = w.element_size() * 8
        total += math.prod(w.shape) * bits
    return total / 8


def _readable_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _optimizer_variables(model) -> list | None:
    """The optimizer's variables once it is built (they count in the total)."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None:
        return None
    if isinstance(optimizer, str) or not getattr(optimizer, "built", False):
        return None
    return list(getattr(optimizer, "variables", []))


# ---------------------------------------------------------------------- Keras 3
def _format_shape(shape) -> str:
    # Keras writes (None,) as "(None)", not as a Python tuple.
    return f"({', '.join(str(d) for d in shape)})"


def _output_shape_text(layer) -> str:
    """The "Output Shape" cell: from the layer's last call, or from its build."""
    if layer._inbound_nodes:
        shapes = [
            _format_shape(t.shape) for t in layer._inbound_nodes[-1].output_tensors
        ]
        return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"
    if getattr(layer, "_build_shapes", None) is None or not _knows_output_shape(layer):
        return "?"
    try:
        shapes = layer.compute_output_shape(layer._build_shapes)
    except Exception:  # noqa: BLE001 - a summary shows "?" rather than fail
        return "?"
    leaves = _shape_leaves(shapes)
    # One shape in a container is shown bare: Keras flattens before printing.
    if len(leaves) == 1:
        return _format_shape(leaves[0])
    return _format_shape_tree(shapes)


def _knows_output_shape(layer) -> bool:
    """Whether Keras could tell this layer's output shape without a recorded call.

    Keras asks ``compute_output_shape``, which every built-in layer implements
    and a custom layer only if its author wrote one; lamina's base class can
    always trace the shape, so ask where the class comes from instead.
    """
    from lamina.layers.layer import Layer
    from lamina.models.model import Model

    for cls in type(layer).__mro__:
        if cls in (Layer, Model):
            return False
        if "compute_output_shape" in vars(cls) or cls.__module__.startswith("lamina."):
            return True
    return False


def _shape_leaves(shapes) -> list:
    if _is_shape(shapes):
        return [shapes]
    items = shapes.values() if isinstance(shapes, dict) else shapes
    return [leaf for item in items for leaf in _shape_leaves(item)]


def _is_shape(shapes) -> bool:
    return isinstance(shapes, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in shapes
    )


def _format_shape_tree(shapes) -> str:
    if _is_shape(shapes):
        return _format_shape(shapes)
    if isinstance(shapes, dict):
        return (
            "{"
            + ", ".join(f"{k}: {_format_shape_tree(v)}" for k, v in shapes.items())
            + "}"
        )
    if isinstance(shapes, (tuple, list)):
        inner = ", ".join(_format_shape_tree(s) for s in shapes)
        return f"[{inner}]" if isinstance(shapes, list) else f"({inner})"
    return "?"


def _keras3_summary(
    model, line_length, positions, expand_nested, show_trainable, layer_range
) -> str:
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_line_length = 88
        positions = list(positions or [0.45, 0.80, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
        node_ids: set[int] = set()
    else:
        default_line_length = 108
        positions = list(positions or [0.3, 0.56, 0.74, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
        node_ids = {id(node) for node in model._nodes}
    if show_trainable:
        default_line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    default_line_length = min(
        default_line_length, shutil.get_terminal_size().columns - 4
    )
    line_length = line_length or default_line_length
    widths = []
    current = 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ArgumentError(
                "Insufficient console width to print summary: with "
                f"line_length={line_length} and positions={positions} a column would "
                f"be {width} characters wide (at least 4 are needed)."
            )
        widths.append(width)
        current += width

    def fields(layer, prefix: str) -> list[str]:
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        row = [
            f"{prefix}{layer.name} ({type(layer).__name__})",
            _output_shape_text(layer),
            params,
        ]
        if not sequential_like:
            row.append(", ".join(_connections(layer, node_ids)) or "-")
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        return row

    def rows_of(layer, level: int = 0) -> list[list[str]]:
        rows = [fields(layer, "   " * level + "└ " if level else "")]
        if expand_nested and getattr(layer, "layers", None):
            for sublayer in layer.layers:
                rows.extend(rows_of(sublayer, level + 1))
        return rows

    rows = []
    for layer in _layer_slice(list(model.layers), layer_range):
        rows.extend(rows_of(layer))

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer_vars = _optimizer_variables(model)
    totals = [
        ("Trainable params", _count(trainable), _memory_bytes(trainable)),
        ("Non-trainable params", _count(non_trainable), _memory_bytes(non_trainable)),
    ]
    if optimizer_vars is not None:
        totals.append(
            ("Optimizer params", _count(optimizer_vars), _memory_bytes(optimizer_vars))
        )
    totals.insert(
        0, ("Total params", sum(t[1] for t in totals), sum(t[2] for t in totals))
    )

    console_width = _console_width()
    out = _wrap(f'Model: "{model.name}"', console_width, "default", "fold")
    table = _render_table(header, justify, widths, rows, line_length)
    out.extend(line[:console_width] for line in table)  # rich crops to the console
    for label, count, size in totals:
        out.extend(
            _wrap(
                f" {label}: {count:,} ({_readable_size(size)})",
                console_width,
                "default",
                "fold",
            )
        )
    return "".join(line + "\n" for line in out)


def _console_width() -> int:
    """The width rich gives its console: a terminal's, COLUMNS, or else 80."""
    width = None
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
            break
        except (AttributeError, ValueError, OSError):
            continue
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80


# ------------------------------------------------- the subset of rich's table layout
# rich's boxes, one 4-character row (left, line, divider, right) per part: top,
# header row, rule under the header, body row, rule between rows, bottom.
# HEAVY_HEAD is rich.table.Table's default; rich falls back to ASCII when the
# output stream cannot encode anything else.
_HEAVY_HEAD = ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "├─┼┤", "└─┴┘")
_ASCII = ("+--+", "| ||", "|-+|", "| ||", "|-+|", "+--+")
_WORD = re.compile(r"\s*\S+\s*")


def _render_table(
    header: list[str],
    justify: list[str],
    widths: list[int],
    rows: list[list[str]],
    table_width: int,
) -> list[str]:
    """A table as rich draws ``Table(*columns, width=..., show_lines=True)``.

    Every column has a fixed width plus one space of padding on each side; the
    padded widths overflow the table width, so rich takes the excess off all
    columns in equal shares (`_ratio_reduce`).
    """
    space = table_width - (len(widths) + 1)  # minus the vertical bars
    cells = [max(min(w + 2, space), 1) for w in widths]
    if sum(cells) > space:
        cells = _ratio_reduce(sum(cells) - space, [1] * len(cells), cells, cells)
        cells = [0 if c < 1 else min(w + 2, c) for w, c in zip(widths, cells)]

    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower()
    top, head, head_rule, body, body_rule, bottom = (
        _HEAVY_HEAD if encoding.startswith("utf") else _ASCII
    )

    def rule(chars: str) -> str:
        left, fill, cross, right = chars
        return left + cross.join(fill * c for c in cells) + right

    def row_lines(texts: list[str], bars: str, header_row: bool) -> list[str]:
        columns = [
            _render_cell(text, width, how)
            for text, width, how in zip(texts, cells, justify)
        ]
        height = max(len(col) for col in columns)
        padded = []
        for col, width in zip(columns, cells):
            blank = [" " * width] * (height - len(col))
            # Header cells sit at the bottom of their row, body cells at the top.
            padded.append(blank + col if header_row else col + blank)
        left, _, divider, right = bars
        return [left + divider.join(parts) + right for parts in zip(*padded)]

    lines = [rule(top), *row_lines(header, head, True), rule(head_rule)]
    for index, row in enumerate(rows):
        if index:
            lines.append(rule(body_rule))
        lines.extend(row_lines(row, body, False))
    lines.append(rule(bottom))
    return lines


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """Take ``total`` off ``values`` in proportion to ``ratios`` (rich's rounding)."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _render_cell(text: str, width: int, justify: str) -> list[str]:
    """A cell's lines, ``width`` wide, with one space of padding each side."""
    inner = width - 2
    if inner < 1:
        return [" " * width]
    return [
        f" {line.ljust(inner)} " for line in _wrap(text, inner, justify, "ellipsis")
    ]


def _wrap(text: str, width: int, justify: str, overflow: str) -> list[str]:
    """Word-wrap ``text`` to ``width`` as rich's `Text.wrap` does.

    Lines break after whitespace; a word longer than a line is cut with ``…``
    (``overflow="ellipsis"``, what table cells use) or folded onto the next
    lines (``overflow="fold"``).
    """
    result = []
    for line in text.split("\n"):
        breaks = [0, *_break_offsets(line, width, fold=overflow == "fold"), len(line)]
        pieces = [line[start:end] for start, end in zip(breaks, breaks[1:])]
        for piece in pieces:
            if len(piece) > width:  # trailing spaces past the edge go first
                trailing = len(piece) - len(piece.rstrip())
                piece = piece[: len(piece) - min(trailing, len(piece) - width)]
            if justify == "left":
                piece = _truncate(piece, width, overflow).ljust(width)
            elif justify == "right":
                piece = _truncate(piece.rstrip(), width, overflow).rjust(width)
            elif justify == "center":
                piece = _truncate(piece.rstrip(), width, overflow)
                piece = " " * ((width - len(piece)) // 2) + piece
                piece = piece.ljust(width)
            result.append(_truncate(piece, width, overflow))
    return result


def _truncate(text: str, width: int, overflow: str) -> str:
    if len(text) <= width:
        return text
    if overflow == "ellipsis":
        return text[: max(width - 1, 0)] + "…"
    return text[:width]


def _break_offsets(text: str, width: int, fold: bool) -> list[int]:
    """Where to break ``text`` into lines of ``width`` (rich's `divide_line`)."""
    offsets: list[int] = []
    used = 0  # width taken on the current line
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        word_length = len(word.rstrip())
        if width - used >= word_length:
            used += len(word)
        elif word_length > width:
            if fold:
                chunks = [word[i : i + width] for i in range(0, len(word), width)]
                for chunk in chunks:
                    if start:
                        offsets.append(start)
                    start += len(chunk)
                used = len(chunks[-1])
            else:
                if start:
                    offsets.append(start)
                used = len(word)
        elif used and start:
            offsets.append(start)
            used = len(word)
    return offsets


# ---------------------------------------------------------------------- Keras 2
def _keras2_summary(
    model, line_length, positions, show_trainable, layer_range
) -> list[str]:
    """The lines of tf.keras 2.x's summary (TF 2.0 to 2.8 layout)."""
    if not model.built:
        raise ArgumentError(
            "This model has not yet been built. Build the model first by calling "
            "`build()` or by calling the model on a batch of data."
        )
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
        node_ids: set[int] = set()
    else:
        line_length = line_length or 98
        positions = list(positions or [0.33, 0.55, 0.67, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        node_ids = {id(node) for node in model._nodes}
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")

    def row(fields: list) -> str:
        line = ""
        for index, field in enumerate(fields):
            if index > 0:  # the previous column always ends in a space
                line = line[:-1] + " "
            line = (line + str(field))[: positions[index]]
            line += " " * (positions[index] - len(line))
        return line

    lines = [
        f'Model: "{model.name}"',
        "_" * line_length,
        row(header),
        "=" * line_length,
    ]
    layers = _layer_slice(list(model.layers), layer_range)
    for index, layer in enumerate(layers):
        params = layer.count_params() if layer.built else "0 (unused)"
        fields = [
            f"{layer.name} ({type(layer).__name__})",
            _keras2_output_shape(layer),
            params,
        ]
        connections = _connections(layer, node_ids) if not sequential_like else []
        if not sequential_like:
            fields.append(connections[0] if connections else "")
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        lines.append(row(fields))
        for connection in connections[1:]:
            extra = ["", "", "", connection] + ([""] if show_trainable else [])
            lines.append(row(extra))
        lines.append(("=" if index == len(layers) - 1 else "_") * line_length)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    lines += [
        f"Total params: {trainable + non_trainable:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {non_trainable:,}",
        "_" * line_length,
    ]
    return lines


def _keras2_output_shape(layer) -> str:
    from lamina.layers.layer import Layer

    try:
        if type(layer).output_shape is Layer.output_shape:
            # A layer's (tf.keras 2's form: an InputLayer's in a list), unwarned.
            shape = layer._node_shape("output")
        else:
            shape = layer.output_shape  # a Functional or Sequential model's own
    except AttributeError:  # never called, or called with different shapes
        return "multiple"
    return str(shape)
