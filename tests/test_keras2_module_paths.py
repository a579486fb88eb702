"""Keras 2 module paths that tutorials import still work (through `lamina run`)."""

from __future__ import annotations

import subprocess
import sys

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
    result = subprocess.run([sys.executable, "-m", "lamina", "run", str(script)],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["825", "[[0.0,", "1.0,", "0.0]]"]
