"""The optimizers' constructor arguments: the ``Args:`` texts of Keras's signatures.

Keras spells the base arguments (``weight_decay``, ``clipnorm``, ..., ``name``)
out in every optimizer's signature and docstring. Here an optimizer's
``__init__`` names only its own arguments and passes ``**kwargs`` on to its
parent; `lamina.signatures.inherit_arguments` (run for every subclass of
`Optimizer`) gives the class the constructor Keras shows: its own arguments,
then its parent's others, in order, for ``inspect.signature``, ``help()`` and
positional calls.

A docstring's ``Args:`` section that ends with the line ``{arguments}`` lists
every argument of the signature, in order: with the text the section gives
for it, else the shared one in `ARGUMENT_DOCS`, and its default.
"""

from __future__ import annotations

import inspect
import re
import textwrap

MARKER = "{arguments}"

# What an argument means where an optimizer's docstring does not say.
ARGUMENT_DOCS = {
    "learning_rate": (
        "float, a `LearningRateSchedule`, or a callable taking no argument and "
        "returning the learning rate."
    ),
    "beta_1": "float in [0, 1), the decay rate of the first moment estimates.",
    "beta_2": "float in [0, 1), the decay rate of the second moment estimates.",
    "epsilon": "float, a small constant for numerical stability.",
    "momentum": "float in [0, 1].",
    "initial_accumulator_value": "float >= 0, the accumulators' starting value.",
    # Keras's base arguments, taken by every optimizer.
    "weight_decay": (
        "float; if set, each step first multiplies the parameters by "
        "``1 - weight_decay * learning_rate``."
    ),
    "clipnorm": "float; clip each gradient to this L2 norm.",
    "clipvalue": "float; clip each gradient element to ``[-clipvalue, clipvalue]``.",
    "global_clipnorm": "float; clip all gradients together to this global norm.",
    "use_ema": "bool; keep an exponential moving average of the parameters.",
    "ema_momentum": "float in [0, 1], the average's momentum.",
    "ema_overwrite_frequency": (
        "int or None; every this many steps, copy the average into the parameters."
    ),
    "loss_scale_factor": "float or None; gradients are divided by it.",
    "gradient_accumulation_steps": (
        "int >= 2 or None; update every this many steps with the mean of the "
        "accumulated gradients."
    ),
    "name": "the name used as prefix of the optimizer's state variables.",
}

_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD
_EMPTY = inspect.Parameter.empty
_ENTRY = re.compile(r"(\w+): (.*)")


def fill_docstring(doc: str | None, signature: inspect.Signature) -> str | None:
    """``doc`` with its ``{arguments}`` line expanded (see the module docstring)."""
    if not doc or MARKER not in doc:
        return doc
    lines = doc.split("\n")
    end = next(i for i, line in enumerate(lines) if line.strip() == MARKER)
    indent = lines[end][: len(lines[end]) - len(lines[end].lstrip())]
    start = end
    while start > 0 and lines[start - 1].strip() != "Args:":
        start -= 1
    texts = _entries(lines[start:end], indent)
    entries = [
        _entry(p, texts.get(p.name, ARGUMENT_DOCS.get(p.name)), indent)
        for p in signature.parameters.values()
        if p.kind is _POSITIONAL and p.name != "self"
    ]
    return "\n".join(lines[:start] + entries + lines[end + 1 :])


def _entries(lines: list[str], indent: str) -> dict[str, str]:
    """The ``name: text`` entries of an ``Args:`` section, by name."""
    texts: dict[str, str] = {}
    name = None
    for line in lines:
        match = _ENTRY.fullmatch(line[len(indent) :])
        if match and line.startswith(indent):
            name = match.group(1)
            texts[name] = match.group(2)
        elif name is not None:
            texts[name] += " " + line.strip()
    return texts


def _entry(parameter: inspect.Parameter, text: str | None, indent: str) -> str:
    entry = f"{parameter.name}: {text or ''}"
    if parameter.default is not _EMPTY:
        entry += f" Defaults to {parameter.default!r}."
    return textwrap.fill(
        entry,
        80,
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_long_words=False,
        break_on_hyphens=False,
    )
