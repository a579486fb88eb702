"""Docstrings of the layers that come in 1-D, 2-D and 3-D versions.

A family (convolution, pooling, ...) writes its docstring once, with the
rank-dependent words as fields; `docstring` fills them in for one rank, so
each class's ``help()`` is complete (summary, Example, Args, Input shape,
Output shape) without the text being repeated per class.
"""

from __future__ import annotations

import textwrap

from lamina.layers.convolutional.conv_utils import AXIS_NAMES

DATA_FORMAT_DOC = '``"channels_last"`` (default) or ``"channels_first"``.'
STANDARD_ARGUMENTS = "standard layer arguments (``name``, ``dtype``, ``input_shape``)."

TEMPLATE = """{summary}
{description}
    Example:
        >>> layer = lamina.layers.{call}
        >>> layer(torch.zeros({input})).shape
        torch.Size([{output}])

    Args:
{args}
{call_args}
    Input shape:
        {input_shape}

    Output shape:
        {output_shape}
"""


def wrap(text: str, indent: int = 4, subsequent_indent: int | None = None) -> str:
    """``text`` filled to lamina's docstring width, indented.

    A ````code span```` is never broken across lines.
    """
    parts = text.split("``")
    parts[1::2] = [code.replace(" ", "\0") for code in parts[1::2]]
    filled = textwrap.fill(
        "``".join(parts),
        88,
        initial_indent=" " * indent,
        subsequent_indent=" "
        * (indent if subsequent_indent is None else subsequent_indent),
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled.replace("\0", " ")


def _entries(entries, words: dict) -> str:
    return "\n".join(
        wrap(f"{name}: {text.format(**words)}", 8, 12) for name, text in entries
    )


def fields(rank: int) -> dict:
    """The rank-dependent words a family's texts may use as ``{fields}``.

    ``rank`` (2), ``ndim`` (4), ``axes`` ("height, width") and
    ``new_axes`` ("new_height, new_width").
    """
    axes = AXIS_NAMES[rank]
    return {
        "rank": rank,
        "ndim": rank + 2,
        "axes": ", ".join(axes),
        "new_axes": ", ".join(f"new_{axis}" for axis in axes),
    }


def docstring(
    rank: int,
    summary: str,
    description: str,
    example: tuple[str, str, str],
    args: list[tuple[str, str]],
    input_shape: str,
    output_shape: str,
    call_args: tuple[tuple[str, str], ...] = (),
) -> str:
    """A class docstring from a family's texts, with ``rank``'s words filled in.

    Args:
        rank: 1, 2 or 3.
        summary: the one-line summary.
        description: a paragraph (filled to the docstring's width), or "".
        example: ``(call, input, output)``: ``lamina.layers.<call>`` builds a
            layer that turns ``torch.zeros(<input>)`` into shape ``[<output>]``.
        args: the ``Args:`` entries, ``(name, text)``; the standard layer
            arguments (``**kwargs``) are added at the end.
        input_shape / output_shape: one sentence each.
        call_args: ``Call arguments:`` entries, where ``call`` takes more than
            the inputs.
    """
    words = fields(rank)
    call, inputs, output = example
    return TEMPLATE.format(
        summary=summary.format(**words),
        description=description and f"\n{wrap(description.format(**words))}\n",
        call=call,
        input=inputs,
        output=output,
        args=_entries([*args, ("**kwargs", STANDARD_ARGUMENTS)], words),
        call_args=(
            f"\n    Call arguments:\n{_entries(call_args, words)}\n"
            if call_args
            else ""
        ),
        input_shape=wrap(input_shape.format(**words), 8).lstrip(),
        output_shape=wrap(output_shape.format(**words), 8).lstrip(),
    )
