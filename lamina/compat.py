"""An import hook that serves ``keras`` (and ``tensorflow.keras``) from lamina.

`python -m lamina run script.py` installs it (and notebooks call
`lamina.compat.install()`) so an unchanged Keras script
imports lamina: ``import keras`` gives ``lamina``, ``from keras.layers import
Dense`` gives ``lamina.layers.Dense``. A real Keras, if installed, is never used.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

_PREFIXES = ("tensorflow.keras", "tf.keras", "keras")


class KerasAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``keras.X`` as ``lamina.X``."""

    def __init__(self, target: str = "lamina"):
        self.target = target

    def _real(self, fullname: str) -> str | None:
        for prefix in _PREFIXES:
            if fullname == prefix or fullname.startswith(prefix + "."):
                return self.target + fullname[len(prefix) :]
        return None

    def find_spec(self, fullname, path=None, target=None):
        real = self._real(fullname)
        if real is None:
            return None
        if importlib.util.find_spec(real) is None:
            raise ModuleNotFoundError(
                f"No module named {real!r}: lamina has no counterpart of {fullname!r} "
                "yet.",
                name=fullname,
            )
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        return importlib.import_module(self._real(spec.name))

    def exec_module(self, module):
        """The module is lamina's, already executed."""


def install(stand_in_tensorflow: bool = False) -> None:
    """Serve keras imports from lamina (idempotent)."""
    if not any(isinstance(f, KerasAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, KerasAlias())
    if stand_in_tensorflow and "tensorflow" not in sys.modules:
        tf = types.ModuleType("tensorflow")
        tf.__path__ = []
        tf.keras = importlib.import_module("lamina")
        sys.modules["tensorflow"] = tf


def describe_missing(err: BaseException) -> str | None:
    """A sentence naming the Keras symbol behind an import/attribute error, if any."""
    import re

    text = str(err)
    match = re.search(
        r"cannot import name '([^']+)' from '(lamina[\w.]*)'", text
    ) or re.search(r"module '(lamina[\w.]*)' has no attribute '([^']+)'", text)
    if match is None:
        match = re.search(r"No module named '(lamina[\w.]*)'", text)
        if match is None:
            return None
        return (
            f"keras{match.group(1)[len('lamina') :]} is a Keras module that lamina "
            "does not have yet."
        )
    if text.startswith("cannot import"):
        symbol, module = match.group(1), match.group(2)
    else:
        module, symbol = match.group(1), match.group(2)
    return (
        f"keras{module[len('lamina') :]}.{symbol} is a Keras symbol that lamina does "
        "not have yet."
    )
