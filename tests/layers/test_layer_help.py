"""help() and inspect.signature of the layers whose constructors and docstrings
are shared by a family (convolution, pooling, cropping/padding, image layers)."""

from __future__ import annotations

import inspect

import pytest

from lamina import layers

SECTIONS = ("Example:", "Args:", "Input shape:", "Output shape:")
FAMILIES = [
    *(f"{kind}Pooling{r}D" for kind in ("Max", "Average") for r in (1, 2, 3)),
    *(f"Global{kind}Pooling{r}D" for kind in ("Max", "Average") for r in (1, 2, 3)),
    *(f"Adaptive{kind}Pooling{r}D" for kind in ("Max", "Average") for r in (1, 2, 3)),
    *(f"{kind}{r}D" for kind in ("Cropping", "ZeroPadding") for r in (1, 2, 3)),
    "RandomRotation",
    "RandomTranslation",
    "RandomZoom",
    "RandomBrightness",
    "RandomContrast",
    "Resizing",
]
# Keras 3's constructor arguments (before **kwargs), where they are shared.
KERAS_ARGUMENTS = {
    "MaxPooling2D": "pool_size strides padding data_format name",
    "AveragePooling3D": "pool_size strides padding data_format name",
    "GlobalMaxPooling1D": "data_format keepdims",
    "AdaptiveAveragePooling2D": "output_size data_format",
    "Cropping3D": "cropping data_format",
    "ZeroPadding2D": "padding data_format",
    "RandomRotation": "factor fill_mode interpolation seed fill_value data_format",
    "RandomZoom": (
        "height_factor width_factor fill_mode interpolation seed fill_value data_format"
    ),
}


@pytest.mark.parametrize("cls", FAMILIES)
def test_help_is_complete(cls):
    layer_class = getattr(layers, cls)
    doc = inspect.getdoc(layer_class)
    assert doc.splitlines()[0].endswith(".")
    for section in SECTIONS:
        assert section in doc
    for name in inspect.signature(layer_class).parameters:
        assert f"    {name}: " in doc or name in ("kwargs", "name")


@pytest.mark.parametrize("cls", sorted(KERAS_ARGUMENTS))
def test_signature_is_keras(cls):
    parameters = list(inspect.signature(getattr(layers, cls)).parameters)
    assert parameters == [*KERAS_ARGUMENTS[cls].split(), "kwargs"]
