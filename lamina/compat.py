"""Keras compatibility at the import level: old module paths, and ``keras`` itself.

Two import hooks, both here so that the package tree holds each concept once:

- `KERAS2_MODULES`, the one table of Keras 2 module paths (``keras.layers.merge``,
  ``keras.utils.np_utils``, ``keras.wrappers.scikit_learn``, ...). Each names the
  lamina module that holds the names today; `install_keras2_paths` (run by
  ``import lamina``) makes ``lamina.layers.merge`` and friends importable from it,
  without a file of their own. Importing one warns once (`keras2_path_warning`).
- `KerasAlias`, which serves ``keras`` (and ``tensorflow.keras``) from lamina.
  `python -m lamina run script.py` installs it (and notebooks call
  `lamina.compat.install()`), so an unchanged Keras script imports lamina:
  ``import keras`` gives ``lamina``, ``from keras.layers import Dense`` gives
  ``lamina.layers.Dense``. A real Keras, if installed, is never used.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import sys
import types

from lamina.errors import warn_deprecated_once

_PREFIXES = ("tensorflow.keras", "tf.keras", "keras")
_LAMINA_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

_MERGING = (
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
)
_RECURRENT = (
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
)
_OPTIMIZERS = (
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "Ftrl",
    "Nadam",
    "RMSprop",
    "SGD",
    "Optimizer",
)

# Keras 2 module path -> (the lamina module that holds its names now, the names).
# A path with no module of its own is served by `_Keras2Paths`; a path that is also
# a lamina package (``lamina.layers.core``) gets the Keras 2 names added to it.
KERAS2_MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "lamina.backend": ("lamina.keras2_backend", ("function", "placeholder")),
    "lamina.layers.advanced_activations": (
        "lamina.layers",
        ("ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"),
    ),
    "lamina.layers.convolutional": (
        "lamina.layers",
        (
            "Cropping1D",
            "Cropping2D",
            "Cropping3D",
            "UpSampling1D",
            "UpSampling2D",
            "UpSampling3D",
            "ZeroPadding1D",
            "ZeroPadding2D",
            "ZeroPadding3D",
        ),
    ),
    "lamina.layers.core": (
        "lamina.layers",
        (
            "ActivityRegularization",
            "Dropout",
            "Flatten",
            "Permute",
            "RepeatVector",
            "Reshape",
            "SpatialDropout1D",
            "SpatialDropout2D",
            "SpatialDropout3D",
        ),
    ),
    "lamina.layers.embeddings": ("lamina.layers", ("Embedding",)),
    "lamina.layers.merge": ("lamina.layers", _MERGING),
    "lamina.layers.noise": (
        "lamina.layers",
        ("AlphaDropout", "GaussianDropout", "GaussianNoise"),
    ),
    "lamina.layers.recurrent": ("lamina.layers", _RECURRENT),
    "lamina.layers.wrappers": ("lamina.layers", ("Bidirectional", "TimeDistributed")),
    "lamina.optimizers.legacy": ("lamina.optimizers", _OPTIMIZERS),
    "lamina.utils.np_utils": ("lamina.utils", ("normalize", "to_categorical")),
    "lamina.utils.vis_utils": ("lamina.utils", ("model_to_dot", "plot_model")),
    "lamina.wrappers.scikit_learn": (
        "lamina.wrappers.sklearn_wrapper",
        ("BaseWrapper", "KerasClassifier", "KerasRegressor"),
    ),
}


def keras2_path_warning(path: str) -> tuple[str, str]:
    """`warn_deprecated_once`'s key and message for a `KERAS2_MODULES` path.

    Each importer calls ``warn_deprecated_once(*keras2_path_warning(path))``
    itself, so that the warning points at the import statement (Python skips
    its import machinery's frames).
    """
    source = KERAS2_MODULES[path][0]
    keras_path = "keras" + path[len("lamina") :]
    modern = "keras." + source.split(".")[1]
    return (
        f"keras2-module:{path}",
        f"`{keras_path}` is a Keras 2 module path; import its names from "
        f"`{modern}` instead.",
    )


def _imported_by_lamina() -> bool:
    """Whether the import being run comes from lamina's own code (no warning then:
    ``lamina.wrappers`` imports ``scikit_learn`` so that the attribute chain works).
    """
    frame = sys._getframe(2)
    while frame is not None and "importlib" in frame.f_code.co_filename:
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith(_LAMINA_DIR)


class _Keras2Module(types.ModuleType):
    """A Keras 2 module path: its names are looked up where they live now."""

    def __getattr__(self, name: str):
        source, names = KERAS2_MODULES[self.__name__]
        if name not in names:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(source), name)
        setattr(self, name, value)
        return value

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(KERAS2_MODULES[self.__name__][1]))


class _Keras2Paths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the `KERAS2_MODULES` paths that have no module of their own."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in KERAS2_MODULES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = _Keras2Module(spec.name)
        module.__all__ = list(KERAS2_MODULES[spec.name][1])
        return module

    def exec_module(self, module):
        """Nothing to run: names resolve on first use. A user's import warns."""
        if not _imported_by_lamina():
            warn_deprecated_once(*keras2_path_warning(module.__name__))


def install_keras2_paths() -> None:
    """Make every `KERAS2_MODULES` path importable (idempotent; ``import lamina``).

    Paths that are also lamina packages must already be imported: ``import
    lamina`` imports `lamina.layers`, which imports them, before calling this.
    """
    if not any(isinstance(f, _Keras2Paths) for f in sys.meta_path):
        sys.meta_path.append(_Keras2Paths())
    for fullname, (source, names) in KERAS2_MODULES.items():
        package = sys.modules.get(fullname)
        if package is None or isinstance(package, _Keras2Module):
            continue
        for name in names:
            if not hasattr(package, name):
                setattr(package, name, getattr(importlib.import_module(source), name))


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
        real = self._real(spec.name)
        if real in KERAS2_MODULES:  # warned before importing: it names this import
            warn_deprecated_once(*keras2_path_warning(real))
        return importlib.import_module(real)

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
