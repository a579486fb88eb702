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


def test_keras2_module_paths(tmp_path):
    script = tmp_path / "keras2_paths.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, "-m", "lamina", "run", str(script)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
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
