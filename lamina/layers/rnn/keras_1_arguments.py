"""Keras 1's argument names of the recurrent layers and cells (``output_dim``,
``W_regularizer``, ``dropout_W``, ...), still accepted with a warning."""

from __future__ import annotations

from lamina.errors import warn_deprecated_once

# Keras 1 name -> Keras 2/3 name.
_KERAS_1_NAMES = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "U_constraint": "recurrent_constraint",
    "b_constraint": "bias_constraint",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
}


def rename_keras_1_arguments(layer_name: str, kwargs: dict) -> None:
    """Move Keras 1 argument names in ``kwargs`` to their modern names (warns
    once); a modern name given too is overridden, as Keras 2 did.

    The ``rename`` of the recurrent layers' `keras_signature`.
    """
    for old, new in _KERAS_1_NAMES.items():
        if old in kwargs:
            warn_deprecated_once(
                f"{layer_name}.{old}",
                f"{layer_name}({old}=...) is deprecated; use {new}=...",
            )
            kwargs[new] = kwargs.pop(old)
    if "forget_bias_init" in kwargs:
        warn_deprecated_once(
            f"{layer_name}.forget_bias_init",
            f"{layer_name}(forget_bias_init=...) is deprecated; "
            "use unit_forget_bias=True",
        )
        kwargs["unit_forget_bias"] = kwargs.pop("forget_bias_init") == "one"
