"""The benchmark models: each built alike with lamina, Keras 3 and raw torch.

One place per model for its data and its Keras definition, written once against
the Keras API: ``keras_model(lamina, ...)`` or ``keras_model(keras, ...)``. Its
hand-written torch twin (same shapes, Keras's initializers, optimizer and batch
size) is in ``torch_models.py``. This module imports neither lamina, Keras nor
torch (the caller passes the module in), so it runs in Keras's own venv too.

- ``mlp``: the tutorial MLP, 784-512x3-10 (``width`` sets 512), ReLU, dropout
  0.2 after each hidden layer, softmax, RMSprop, batch 128.
- ``cnn``: the tutorial CIFAR-10 CNN (1,250,858 parameters), RMSprop, batch 64,
  random 32x32x3 images; the torch twin runs channels_last (model and data), its
  faster memory format on CPU and what lamina's convolutions use underneath.
- ``lstm``: IMDB, Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid), Adam,
  batch 32, 80 tokens; the torch twin is ``torch.nn.LSTM``.
- ``lstm_dropout``: the same with ``LSTM(128, dropout=0.2,
  recurrent_dropout=0.2)``; the torch twin is a step loop with Keras's masks
  (one input mask and one state mask per gate, drawn once per batch).
- ``wide_deep``: wide&deep regression, 8 inputs -> Dense 30 -> Dense 30,
  concatenated with the inputs -> Dense 1, SGD(1e-3), MSE, batch 32.
"""

from __future__ import annotations

import numpy as np

MODELS = ("mlp", "cnn", "lstm", "lstm_dropout", "wide_deep")
BATCH_SIZES = {"mlp": 128, "cnn": 64, "lstm": 32, "lstm_dropout": 32, "wide_deep": 32}
DESCRIPTIONS = {
    "mlp": "tutorial MLP 784-512x3-10, dropout 0.2, RMSprop",
    "cnn": "CIFAR-10 CNN (1,250,858 params), RMSprop",
    "lstm": "IMDB Embedding 20000x128, LSTM 128 (fused kernel), Adam, length 80",
    "lstm_dropout": "IMDB LSTM 128, dropout=0.2, recurrent_dropout=0.2 (step loop)",
    "wide_deep": "wide&deep 8 -> 30 -> 30 (+ inputs) -> 1, SGD, MSE",
}
MLP_WIDTH = 512
VOCAB, EMBED, UNITS, LENGTH = 20000, 128, 128, 80


def mlp_layer_sizes(width: int = MLP_WIDTH) -> list[tuple[int, int]]:
    return [(784, width), (width, width), (width, width), (width, 10)]


def mlp_flops_per_sample(width: int = MLP_WIDTH) -> int:
    """Matrix-multiply FLOPs of one training sample of the MLP (a multiply-add is 2).

    Forward ``x @ W`` for the 4 layers, backward ``x.T @ dy`` (weight gradient)
    for the 4 layers and ``dy @ W.T`` (input gradient) for the 3 upper layers:
    the input's gradient is not needed. Bias, activations, dropout, loss and the
    optimizer update are left out. Width 512: 4,782,080 FLOPs.
    """
    macs = [fan_in * fan_out for fan_in, fan_out in mlp_layer_sizes(width)]
    return 2 * (2 * sum(macs) + sum(macs[1:]))


# ---------------------------------------------------------------- data


def make_data(name: str, n: int) -> dict:
    """The same inputs and targets in every process: ``x``, ``y`` (Keras's
    targets) and ``y_torch`` (the torch loss's targets)."""
    rng = np.random.default_rng(0)
    if name == "mlp":
        x = rng.random((n, 784), dtype=np.float32)
        labels = rng.integers(0, 10, n)
        return {"x": x, "y": np.eye(10, dtype=np.float32)[labels], "y_torch": labels}
    if name == "cnn":
        x = rng.random((n, 32, 32, 3), dtype=np.float32)
        labels = rng.integers(0, 10, n)
        return {"x": x, "y": np.eye(10, dtype=np.float32)[labels], "y_torch": labels}
    if name in ("lstm", "lstm_dropout"):
        x = rng.integers(1, VOCAB, (n, LENGTH)).astype("int32")
        y = rng.integers(0, 2, (n, 1)).astype("float32")
        return {"x": x, "y": y, "y_torch": y[:, 0]}
    if name == "wide_deep":
        x = rng.standard_normal((n, 8), dtype=np.float32)
        y = (x @ rng.standard_normal(8).astype(np.float32))[:, None]
        return {"x": x, "y": y, "y_torch": y}
    raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")


# ---------------------------------------------------------------- Keras API


def keras_model(keras, name: str, width: int = MLP_WIDTH, jit_compile=None):
    """``name`` built and compiled with ``keras`` (lamina or Keras 3).

    ``jit_compile=None`` leaves ``compile``'s default (Keras: ``"auto"``).
    """
    layers = keras.layers
    if name == "mlp":
        model = keras.Sequential([keras.Input(shape=(784,))])
        for _ in range(3):
            model.add(layers.Dense(width, activation="relu"))
            model.add(layers.Dropout(0.2))
        model.add(layers.Dense(10, activation="softmax"))
        compile_args = dict(
            loss="categorical_crossentropy",
            optimizer=keras.optimizers.RMSprop(),
            metrics=["accuracy"],
        )
    elif name == "cnn":
        model = keras.Sequential(
            [
                keras.Input(shape=(32, 32, 3)),
                layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
                layers.Conv2D(32, (3, 3), activation="relu"),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Dropout(0.25),
                layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
                layers.Conv2D(64, (3, 3), activation="relu"),
                layers.MaxPooling2D(pool_size=(2, 2)),
                layers.Dropout(0.25),
                layers.Flatten(),
                layers.Dense(512, activation="relu"),
                layers.Dropout(0.5),
                layers.Dense(10, activation="softmax"),
            ]
        )
        compile_args = dict(
            loss="categorical_crossentropy",
            optimizer=keras.optimizers.RMSprop(),
            metrics=["accuracy"],
        )
    elif name in ("lstm", "lstm_dropout"):
        rate = 0.2 if name == "lstm_dropout" else 0.0
        model = keras.Sequential(
            [
                keras.Input(shape=(LENGTH,), dtype="int32"),
                layers.Embedding(VOCAB, EMBED),
                layers.LSTM(UNITS, dropout=rate, recurrent_dropout=rate),
                layers.Dense(1, activation="sigmoid"),
            ]
        )
        compile_args = dict(
            loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"]
        )
    elif name == "wide_deep":
        inputs = keras.Input(shape=(8,))
        hidden = layers.Dense(30, activation="relu")(inputs)
        hidden = layers.Dense(30, activation="relu")(hidden)
        outputs = layers.Dense(1)(layers.Concatenate()([inputs, hidden]))
        model = keras.Model(inputs, outputs)
        compile_args = dict(
            loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-3)
        )
    else:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    if jit_compile is not None:
        compile_args["jit_compile"] = jit_compile
    model.compile(**compile_args)
    return model
