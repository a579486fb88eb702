"""Keras 2 module paths that tutorials import still work (through `lamina run`)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import lamina

SCRIPT = """
from keras.layers.core import Dense, Dropout, Flatten, Activation
from keras.layers.convolutional import Conv2D, UpSampling2D
from keras.layers.pooling import MaxPooling2D
from keras.layers.recurrent import LSTM, GRU
from keras.layers.embeddings import Embedding
from keras.layers.merge import concatenate, Add
from keras.layers.advanced_activations import LeakyReLU
from keras.layers.normalization import BatchNormalization
from keras.layers.wrappers import Bidirectional, TimeDistributed
from keras.layers.noise import GaussianNoise
from keras.utils.np_utils import to_categorical
from keras.utils.vis_utils import plot_model
from keras.optimizers.legacy import Adam
from keras.preprocessing.sequence import pad_sequences
from keras.models import Sequential
import lamina
assert Dense is lamina.layers.Dense and LSTM is lamina.layers.LSTM
model = Sequential([Embedding(50, 8, input_length=5), Bidirectional(LSTM(4)), Dense(1)])
model.compile(optimizer=Adam(lr=0.01), loss="mse")
print(model.count_params(), to_categorical([1], 3).tolist())
"""


def _lamina_run(script, text: str) -> subprocess.CompletedProcess:
    """Run ``text`` as an unchanged Keras script with `python -m lamina run`."""
    script.write_text(text)
    result = subprocess.run(
        [sys.executable, "-m", "lamina", "run", str(script)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_keras2_module_paths(tmp_path):
    result = _lamina_run(tmp_path / "keras2_paths.py", SCRIPT)
    assert result.stdout.split() == ["825", "[[0.0,", "1.0,", "0.0]]"]


def test_every_keras2_path_imports_from_the_one_table():
    import importlib
    import pathlib

    import lamina
    from lamina.compat import KERAS2_MODULES

    root = pathlib.Path(lamina.__file__).parent
    for path, (source, names) in KERAS2_MODULES.items():
        if path == "lamina.wrappers.scikit_learn":
            pytest.importorskip("sklearn")
        module = importlib.import_module(path)
        for name in names:
            assert getattr(module, name) is getattr(
                importlib.import_module(source), name
            )
        # No twin: a path is either a real package of its own concept or served
        # from the table, never a file that repeats another module's names.
        relative = pathlib.Path(*path.split(".")[1:])
        assert not root.joinpath(relative).with_suffix(".py").exists(), path


def test_a_name_a_keras2_path_never_had_is_an_attribute_error():
    import lamina.layers.merge as merge

    assert merge.Add is lamina.layers.Add
    with pytest.raises(AttributeError, match="has no attribute 'Dense'"):
        merge.Dense  # noqa: B018


WARNINGS_SCRIPT = """
import warnings
warnings.simplefilter("always")
from keras.layers.core import Dense
from keras.utils.np_utils import to_categorical
from keras.utils import vis_utils
import keras.layers.core
from keras.layers.core import Dropout
import keras
opt = keras.optimizers.adam(lr=0.01)
keras.optimizers.adam(learning_rate=0.1)
keras.optimizers.rmsprop()
"""


def test_keras2_names_warn_once_at_the_users_line(tmp_path):
    script = tmp_path / "keras2_warnings.py"
    result = _lamina_run(script, WARNINGS_SCRIPT)
    lines = [
        line.split(" DeprecationWarning: ")
        for line in result.stderr.splitlines()
        if "DeprecationWarning" in line
    ]
    places = [place.rstrip(":").rpartition(":")[2] for place, _ in lines]
    messages = [message for _, message in lines]
    assert all(place.startswith(str(script)) for place, _ in lines), result.stderr
    assert places == ["4", "5", "6", "10", "10", "12"]
    assert messages == [
        "`keras.layers.core` is a Keras 2 module path; import its names from "
        "`keras.layers` instead.",
        "`keras.utils.np_utils` is a Keras 2 module path; import its names from "
        "`keras.utils` instead.",
        "`keras.utils.vis_utils` is a Keras 2 module path; import its names from "
        "`keras.utils` instead.",
        "`keras.optimizers.adam` is Keras 2's alias of `Adam`; use "
        "`keras.optimizers.Adam`.",
        "The `lr` argument is deprecated, use `learning_rate` instead.",
        "`keras.optimizers.rmsprop` is Keras 2's alias of `RMSprop`; use "
        "`keras.optimizers.RMSprop`.",
    ]


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("adadelta", "Adadelta"),
        ("adagrad", "Adagrad"),
        ("adam", "Adam"),
        ("adamax", "Adamax"),
        ("nadam", "Nadam"),
        ("rmsprop", "RMSprop"),
        ("sgd", "SGD"),
    ],
)
def test_keras2_lowercase_optimizer_aliases(alias, name, monkeypatch):
    import importlib
    import warnings

    from lamina import errors, optimizers

    monkeypatch.setattr(errors, "_WARNED", set())
    cls = getattr(optimizers, name)
    with pytest.warns(DeprecationWarning, match=f"use `keras.optimizers.{name}`"):
        opt = getattr(optimizers, alias)(learning_rate=0.05)
    assert type(opt) is cls
    assert float(opt.learning_rate) == pytest.approx(0.05)
    assert opt.get_config()["name"] == opt.name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(optimizers, alias)()  # warned once already
    # The name is still the optimizer's module.
    module = importlib.import_module(f"lamina.optimizers.{alias}")
    assert getattr(optimizers, alias) is module
    assert getattr(module, name) is cls


def test_optimizer_aliases_keep_keras2_arguments():
    from lamina.optimizers.adam import Adam

    with pytest.warns(DeprecationWarning):
        opt = lamina.optimizers.adam(lr=0.01, decay=1e-4)
    assert isinstance(opt, Adam) and opt.get_config()["decay"] == 1e-4
    assert float(opt.learning_rate) == pytest.approx(0.01)
    sgd = lamina.optimizers.sgd(0.1, 0.9, True)  # Keras 2's positional order
    assert (sgd.momentum, sgd.nesterov) == (0.9, True)
