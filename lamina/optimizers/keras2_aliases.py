"""Keras 2's lower-case optimizer aliases: ``keras.optimizers.adam(lr=0.01)``.

In Keras 2, ``keras.optimizers.adam`` was the class `Adam` (and ``sgd``,
``rmsprop``, ``adagrad``, ``adadelta``, ``adamax``, ``nadam`` likewise). Here
those names are the optimizers' modules (``lamina/optimizers/adam.py``, as in
Keras 3's source), so each of these modules is made callable: calling it warns
once with the Keras 3 spelling and returns the optimizer, while ``from
lamina.optimizers.adam import Adam`` and ``import lamina.optimizers.adam`` stay
what they are.
"""

from __future__ import annotations

import sys
import types

from lamina.errors import warn_deprecated_once

KERAS2_ALIASES = ("adadelta", "adagrad", "adam", "adamax", "nadam", "rmsprop", "sgd")


class CallableOptimizerModule(types.ModuleType):
    """An optimizer's module that, called, makes its optimizer (Keras 2's alias)."""

    _keras2_class: type

    def __call__(self, *args, **kwargs):
        alias = self.__name__.rpartition(".")[2]
        name = self._keras2_class.__name__
        warn_deprecated_once(
            f"optimizers.{alias}",
            f"`keras.optimizers.{alias}` is Keras 2's alias of `{name}`; use "
            f"`keras.optimizers.{name}`.",
        )
        return self._keras2_class(*args, **kwargs)


def make_aliases_callable(package: types.ModuleType) -> None:
    """Make each alias module of ``package`` (``lamina.optimizers``) callable.

    The optimizer of ``lamina.optimizers.adam`` is the package's attribute
    whose lower-case name is ``adam`` (`Adam`; `RMSprop` for ``rmsprop``).
    """
    classes = {name.lower(): getattr(package, name) for name in package.__all__}
    for alias in KERAS2_ALIASES:
        module = sys.modules[f"{package.__name__}.{alias}"]
        module.__class__ = CallableOptimizerModule
        module._keras2_class = classes[alias]
