"""Every application's structure against Keras 3.15's (applications.json.gz).

For each of Keras's 40 architectures with ``weights=None``, and variants of
their arguments (no head, pooling, widths, input shapes, an ``input_tensor``),
built after ``clear_session()`` as the fixture script built them in Keras:
the model's name, its layers in order (name and class), the layers of its
sub-models, every weight (layer, name, shape, trainable), the parameter
counts and the input and output shapes. Equal layer names and weights in the
same order are what lets Keras's weight files load.

The weights are not drawn here (`fast_init`): only their shapes are checked.
The default run builds one or two cases of each family (about ten seconds);
the other cases, the large architectures among them, are marked slow.
"""

from __future__ import annotations

import re

import pytest

import lamina
from lamina import applications, layers
from lamina.backend import clear_session
from tests.applications.keras_files import KERAS

CASES = KERAS["cases"]
DEFAULT_RUN = {
    "VGG16", "VGG19/notop_max_shape", "ResNet50", "ResNet50V2/notop_avg",
    "ResNet50/input_tensor", "InceptionV3", "Xception/notop", "MobileNet",
    "MobileNet/depth_2_notop", "MobileNetV2", "MobileNetV2/alpha_0.35_96_notop",
    "MobileNetV3Small", "MobileNetV3Small/minimalistic",
    "MobileNetV3Large/no_preprocessing_no_dropout", "DenseNet121", "NASNetMobile",
    "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny", "ConvNeXtTiny/notop_avg",
}  # fmt: skip


def _params():
    for case, entry in CASES.items():
        slow = entry["large"] or case not in DEFAULT_RUN
        yield pytest.param(case, id=case, marks=[pytest.mark.slow] if slow else [])


def build(entry: dict, case: str):
    clear_session()
    kwargs = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in entry["kwargs"].items()
    }
    function = getattr(applications, entry["function"])
    if case.endswith("/input_tensor"):
        image = lamina.Input((64, 64, 3), name="image")
        kwargs["input_tensor"] = layers.Rescaling(1.0 / 255, name="scale")(image)
    return function(weights=None, **kwargs)


def structure(model) -> dict:
    """The fixture script's description of a model, from lamina's model."""
    weights = [
        [layer.name, w.name, list(w.shape), bool(w.trainable)]
        for layer in model.layers
        for w in layer.weights
    ]
    trainable = sum(w.numel() for w in model.trainable_weights)
    total = model.count_params()
    inputs = model.input
    return {
        "name": model.name,
        "layers": [[layer.name, type(layer).__name__] for layer in model.layers],
        "nested": {
            layer.name: [[inner.name, type(inner).__name__] for inner in layer.layers]
            for layer in model.layers
            if getattr(layer, "layers", None)
        },
        "weights": weights,
        "params": total,
        "trainable": trainable,
        "non_trainable": total - trainable,
        "input_shape": [list(t.shape) for t in inputs]
        if isinstance(inputs, list)
        else list(inputs.shape),
        "output_shape": list(model.output.shape),
    }


def _auto_weight_name(name: str) -> str:
    # Keras names a weight made without a name `variable`, `variable_1`, ...
    # counting all of the process's such weights; lamina's own count differs.
    return re.sub(r"^variable(_\d+)?$", "variable", name)


@pytest.mark.parametrize("case", _params())
def test_structure_matches_keras(case, fast_init):
    entry = CASES[case]
    got = structure(build(entry, case))
    for key in ("name", "layers", "nested", "input_shape", "output_shape"):
        assert got[key] == entry[key], key
    weights = [[lyr, _auto_weight_name(n), s, t] for lyr, n, s, t in got["weights"]]
    expected = [[lyr, _auto_weight_name(n), s, t] for lyr, n, s, t in entry["weights"]]
    assert weights == expected
    assert (got["params"], got["trainable"], got["non_trainable"]) == (
        entry["params"],
        entry["trainable"],
        entry["non_trainable"],
    )


def test_every_keras_architecture_and_family_is_covered():
    functions = {entry["function"] for entry in CASES.values()}
    assert functions == {name for name in applications.__all__ if name[0].isupper()}
    assert len(functions) == 40
    families = {getattr(applications, f).__module__ for f in functions}
    default = {CASES[case]["function"] for case in DEFAULT_RUN}
    built = {getattr(applications, f).__module__ for f in default}
    assert families - built == {"lamina.applications.inception_resnet_v2"}


@pytest.mark.parametrize(
    "function, kwargs, message",
    [
        pytest.param(*error, id=f"{error[0]}-{i}")
        for i, error in enumerate(KERAS["errors"])
    ],
)
def test_argument_errors_match_keras(function, kwargs, message, fast_init):
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    with pytest.raises(ValueError) as info:
        getattr(applications, function)(**kwargs)
    unaddressed = re.sub(r" at 0x[0-9a-f]+>", ">", str(info.value))
    assert unaddressed == re.sub(r" at 0x[0-9a-f]+>", ">", message)
