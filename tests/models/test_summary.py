"""Tests of `Model.summary()` against the text real Keras prints.

The Keras 3 expectations were captured from Keras 3.15.1 (stdout not a terminal,
so rich adds no colour) by tests/fixtures/make_summary.py, whose builders these
mirror. The Keras 2 expectations are tf.keras 2.x's classic layout, as printed in
Hands-On Machine Learning (2nd ed.) for the same models.
"""
# ruff: noqa: E501

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.errors import ArgumentError


# ------------------------------------------------------------------ models
def mlp():
    return lamina.Sequential(
        [
            lamina.Input(shape=(784,)),
            layers.Dense(512, activation="relu", name="dense"),
            layers.Dropout(0.2, name="dropout"),
            layers.Dense(512, activation="relu", name="dense_1"),
            layers.Dropout(0.2, name="dropout_1"),
            layers.Dense(512, activation="relu", name="dense_2"),
            layers.Dropout(0.2, name="dropout_2"),
            layers.Dense(10, activation="softmax", name="dense_3"),
        ],
        name="sequential",
    )


def flatten_mlp():
    return lamina.Sequential(
        [
            lamina.Input(shape=(28, 28)),
            layers.Flatten(name="flatten"),
            layers.Dense(300, activation="relu", name="dense"),
            layers.Dense(100, activation="relu", name="dense_1"),
            layers.Dense(10, activation="softmax", name="dense_2"),
        ],
        name="sequential",
    )


def wide_and_deep():
    inp = lamina.Input(shape=(8,), name="input_layer")
    h1 = layers.Dense(30, activation="relu", name="dense")(inp)
    h2 = layers.Dense(30, activation="relu", name="dense_1")(h1)
    concat = layers.Concatenate(name="concatenate")([inp, h2])
    out = layers.Dense(1, name="dense_2")(concat)
    return lamina.Model(inputs=[inp], outputs=[out], name="functional")


def chain():
    inp = lamina.Input(shape=(4,), name="features")
    x = layers.Dense(3, name="hidden")(inp)
    out = layers.Dense(2, name="head", trainable=False)(x)
    return lamina.Model(inp, out, name="chain")


def multi_io():
    a = lamina.Input(shape=(5,), name="wide_input")
    b = lamina.Input(shape=(6,), name="deep_input")
    h = layers.Dense(30, name="hidden1")(b)
    h = layers.Dense(30, name="hidden2")(h)
    c = layers.Concatenate(name="concat")([a, h])
    out = layers.Dense(1, name="main_output")(c)
    aux = layers.Dense(1, name="aux_output")(h)
    return lamina.Model(inputs=[a, b], outputs=[out, aux], name="wide_deep")


def shared():
    a = lamina.Input(shape=(3,), name="left")
    b = lamina.Input(shape=(3,), name="right")
    dense = layers.Dense(2, name="shared_dense")
    out = layers.Concatenate(name="merge")([dense(a), dense(b)])
    return lamina.Model([a, b], out, name="siamese")


def nested():
    inner = lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            layers.Dense(3, name="inner_dense"),
            layers.Dense(2, name="inner_out"),
        ],
        name="inner",
    )
    inp = lamina.Input(shape=(4,), name="outer_input")
    out = layers.Dense(1, name="outer_dense")(inner(inp))
    return lamina.Model(inp, out, name="outer")


class Split(layers.Layer):
    """A layer with two outputs."""

    def call(self, x):
        return [x[:, :2], x[:, 2:]]


def two_outputs():
    inp = lamina.Input(shape=(6,), name="x")
    a, b = Split(name="split")(inp)
    outputs = [layers.Dense(1, name="oa")(a), layers.Dense(1, name="ob")(b)]
    return lamina.Model(inp, outputs, name="two_outputs")


class Halve(layers.Layer):
    """A custom layer without compute_output_shape: its shape shows as "?"."""

    def call(self, x):
        return x / 2


class Net(lamina.Model):
    """A subclassed model, built by calling it on data."""

    def __init__(self):
        super().__init__(name="net")
        self.d1 = layers.Dense(5, name="d1")
        self.halve = Halve(name="halve")
        self.d2 = layers.Dense(2, name="d2", trainable=False)

    def call(self, x):
        return self.d2(self.halve(self.d1(x)))


def subclassed():
    net = Net()
    net(np.zeros((2, 3), "float32"))
    return net


def default_names():
    lamina.backend.clear_session()
    return lamina.Sequential(
        [lamina.Input(shape=(4,)), layers.Dense(3), layers.Dense(2)]
    )


def unbuilt():
    return lamina.Sequential(
        [layers.Dense(10, name="d1"), layers.Dense(2, name="d2")], name="lazy"
    )


def long_names():
    inp = lamina.Input(shape=(16,), name="a_rather_long_input_name")
    x = layers.Dense(8, name="an_extremely_long_layer_name_that_cannot_fit")(inp)
    out = layers.Dense(4, name="short")(x)
    return lamina.Model(inp, out, name="long_names")


# name: (builder, summary arguments, console width), as in make_summary.py
CASES = {
    "default_names": (default_names, {}, 80),
    "mlp_80": (mlp, {}, 80),
    "mlp": (mlp, {}, 200),
    "mlp_cropped": (mlp, {"line_length": 100}, 80),
    "mlp_range": (
        mlp,
        {"layer_range": ["dense_1", "dropout_2"], "line_length": 70},
        80,
    ),
    "flatten_mlp": (flatten_mlp, {}, 200),
    "wide_and_deep": (wide_and_deep, {}, 200),
    "wide_and_deep_80": (wide_and_deep, {}, 80),
    "wide_and_deep_trainable": (wide_and_deep, {"show_trainable": True}, 200),
    "wide_and_deep_60": (wide_and_deep, {"line_length": 60}, 80),
    "chain_trainable": (chain, {"show_trainable": True}, 80),
    "multi_io": (multi_io, {}, 200),
    "shared": (shared, {"line_length": 90}, 200),
    "nested": (nested, {}, 200),
    "nested_expanded": (nested, {"expand_nested": True, "show_trainable": True}, 80),
    "unbuilt": (unbuilt, {}, 80),
    "two_outputs": (two_outputs, {"layer_range": ["ob", "split"]}, 200),
    "subclassed": (subclassed, {"show_trainable": True}, 80),
    "long_names": (long_names, {"line_length": 70}, 80),
    "positions": (flatten_mlp, {"positions": [0.3, 0.6, 0.9], "line_length": 70}, 80),
}


# Captured from Keras 3.15.1 by tests/fixtures/make_summary.py.
KERAS3 = {
    "default_names": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 3)              │            15 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 2)              │             8 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 23 (92.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "mlp_80": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 512)            │       401,920 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 512)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 512)            │       262,656 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout_1 (Dropout)             │ (None, 512)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 512)            │       262,656 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout_2 (Dropout)             │ (None, 512)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_3 (Dense)                 │ (None, 10)             │         5,130 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 932,362 (3.56 MB)
 Trainable params: 932,362 (3.56 MB)
 Non-trainable params: 0 (0.00 B)
""",
    "mlp": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ dense (Dense)                        │ (None, 512)                 │         401,920 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout (Dropout)                    │ (None, 512)                 │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 512)                 │         262,656 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout_1 (Dropout)                  │ (None, 512)                 │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_2 (Dense)                      │ (None, 512)                 │         262,656 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout_2 (Dropout)                  │ (None, 512)                 │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_3 (Dense)                      │ (None, 10)                  │           5,130 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 932,362 (3.56 MB)
 Trainable params: 932,362 (3.56 MB)
 Non-trainable params: 0 (0.00 B)
""",
    "mlp_cropped": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳
┃ Layer (type)                               ┃ Output Shape                    ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇
│ dense (Dense)                              │ (None, 512)                     │
├────────────────────────────────────────────┼─────────────────────────────────┼
│ dropout (Dropout)                          │ (None, 512)                     │
├────────────────────────────────────────────┼─────────────────────────────────┼
│ dense_1 (Dense)                            │ (None, 512)                     │
├────────────────────────────────────────────┼─────────────────────────────────┼
│ dropout_1 (Dropout)                        │ (None, 512)                     │
├────────────────────────────────────────────┼─────────────────────────────────┼
│ dense_2 (Dense)                            │ (None, 512)                     │
├────────────────────────────────────────────┼─────────────────────────────────┼
│ dropout_2 (Dropout)                        │ (None, 512)                     │
├────────────────────────────────────────────┼─────────────────────────────────┼
│ dense_3 (Dense)                            │ (None, 10)                      │
└────────────────────────────────────────────┴─────────────────────────────────┴
 Total params: 932,362 (3.56 MB)
 Trainable params: 932,362 (3.56 MB)
 Non-trainable params: 0 (0.00 B)
""",
    "mlp_range": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┓
┃ Layer (type)                 ┃ Output Shape          ┃     Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━┩
│ dense_1 (Dense)              │ (None, 512)           │     262,656 │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ dropout_1 (Dropout)          │ (None, 512)           │           0 │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ dense_2 (Dense)              │ (None, 512)           │     262,656 │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ dropout_2 (Dropout)          │ (None, 512)           │           0 │
└──────────────────────────────┴───────────────────────┴─────────────┘
 Total params: 932,362 (3.56 MB)
 Trainable params: 932,362 (3.56 MB)
 Non-trainable params: 0 (0.00 B)
""",
    "flatten_mlp": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ flatten (Flatten)                    │ (None, 784)                 │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense (Dense)                        │ (None, 300)                 │         235,500 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_1 (Dense)                      │ (None, 100)                 │          30,100 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense_2 (Dense)                      │ (None, 10)                  │           1,010 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 266,610 (1.02 MB)
 Trainable params: 266,610 (1.02 MB)
 Non-trainable params: 0 (0.00 B)
""",
    "wide_and_deep": """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ input_layer (InputLayer)      │ (None, 8)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dense (Dense)                 │ (None, 30)                │             270 │ input_layer[0][0]          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dense_1 (Dense)               │ (None, 30)                │             930 │ dense[0][0]                │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ concatenate (Concatenate)     │ (None, 38)                │               0 │ input_layer[0][0],         │
│                               │                           │                 │ dense_1[0][0]              │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ dense_2 (Dense)               │ (None, 1)                 │              39 │ concatenate[0][0]          │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 1,239 (4.84 KB)
 Trainable params: 1,239 (4.84 KB)
 Non-trainable params: 0 (0.00 B)
""",
    "wide_and_deep_80": """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 8)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 30)        │        270 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, 30)        │        930 │ dense[0][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 38)        │          0 │ input_layer[0][0… │
│ (Concatenate)       │                   │            │ dense_1[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 1)         │         39 │ concatenate[0][0] │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 1,239 (4.84 KB)
 Trainable params: 1,239 (4.84 KB)
 Non-trainable params: 0 (0.00 B)
""",
    "wide_and_deep_trainable": """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃          Param # ┃ Connected to              ┃ Trainable ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━┩
│ input_layer (InputLayer)      │ (None, 8)                 │                0 │ -                         │     -     │
├───────────────────────────────┼───────────────────────────┼──────────────────┼───────────────────────────┼───────────┤
│ dense (Dense)                 │ (None, 30)                │              270 │ input_layer[0][0]         │     Y     │
├───────────────────────────────┼───────────────────────────┼──────────────────┼───────────────────────────┼───────────┤
│ dense_1 (Dense)               │ (None, 30)                │              930 │ dense[0][0]               │     Y     │
├───────────────────────────────┼───────────────────────────┼──────────────────┼───────────────────────────┼───────────┤
│ concatenate (Concatenate)     │ (None, 38)                │                0 │ input_layer[0][0],        │     -     │
│                               │                           │                  │ dense_1[0][0]             │           │
├───────────────────────────────┼───────────────────────────┼──────────────────┼───────────────────────────┼───────────┤
│ dense_2 (Dense)               │ (None, 1)                 │               39 │ concatenate[0][0]         │     Y     │
└───────────────────────────────┴───────────────────────────┴──────────────────┴───────────────────────────┴───────────┘
 Total params: 1,239 (4.84 KB)
 Trainable params: 1,239 (4.84 KB)
 Non-trainable params: 0 (0.00 B)
""",
    "wide_and_deep_60": """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)    ┃ Output Shape ┃ Param # ┃ Connected to  ┃
┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ input_layer     │ (None, 8)    │       0 │ -             │
│ (InputLayer)    │              │         │               │
├─────────────────┼──────────────┼─────────┼───────────────┤
│ dense (Dense)   │ (None, 30)   │     270 │ input_layer[… │
├─────────────────┼──────────────┼─────────┼───────────────┤
│ dense_1 (Dense) │ (None, 30)   │     930 │ dense[0][0]   │
├─────────────────┼──────────────┼─────────┼───────────────┤
│ concatenate     │ (None, 38)   │       0 │ input_layer[… │
│ (Concatenate)   │              │         │ dense_1[0][0] │
├─────────────────┼──────────────┼─────────┼───────────────┤
│ dense_2 (Dense) │ (None, 1)    │      39 │ concatenate[… │
└─────────────────┴──────────────┴─────────┴───────────────┘
 Total params: 1,239 (4.84 KB)
 Trainable params: 1,239 (4.84 KB)
 Non-trainable params: 0 (0.00 B)
""",
    "chain_trainable": """\
Model: "chain"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ features (InputLayer)       │ (None, 4)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ hidden (Dense)              │ (None, 3)             │         15 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ head (Dense)                │ (None, 2)             │          8 │   N   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 23 (92.00 B)
 Trainable params: 15 (60.00 B)
 Non-trainable params: 8 (32.00 B)
""",
    "multi_io": """\
Model: "wide_deep"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ deep_input (InputLayer)       │ (None, 6)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ hidden1 (Dense)               │ (None, 30)                │             210 │ deep_input[0][0]           │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ wide_input (InputLayer)       │ (None, 5)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ hidden2 (Dense)               │ (None, 30)                │             930 │ hidden1[0][0]              │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ concat (Concatenate)          │ (None, 35)                │               0 │ wide_input[0][0],          │
│                               │                           │                 │ hidden2[0][0]              │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ main_output (Dense)           │ (None, 1)                 │              36 │ concat[0][0]               │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ aux_output (Dense)            │ (None, 1)                 │              31 │ hidden2[0][0]              │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 1,207 (4.71 KB)
 Trainable params: 1,207 (4.71 KB)
 Non-trainable params: 0 (0.00 B)
""",
    "shared": """\
Model: "siamese"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)             ┃ Output Shape         ┃      Param # ┃ Connected to          ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━┩
│ left (InputLayer)        │ (None, 3)            │            0 │ -                     │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ right (InputLayer)       │ (None, 3)            │            0 │ -                     │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ shared_dense (Dense)     │ (None, 2)            │            8 │ left[0][0],           │
│                          │                      │              │ right[0][0]           │
├──────────────────────────┼──────────────────────┼──────────────┼───────────────────────┤
│ merge (Concatenate)      │ (None, 4)            │            0 │ shared_dense[0][0],   │
│                          │                      │              │ shared_dense[1][0]    │
└──────────────────────────┴──────────────────────┴──────────────┴───────────────────────┘
 Total params: 8 (32.00 B)
 Trainable params: 8 (32.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "nested": """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ outer_input (InputLayer)             │ (None, 4)                   │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ inner (Sequential)                   │ (None, 2)                   │              23 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ outer_dense (Dense)                  │ (None, 1)                   │               3 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 26 (104.00 B)
 Trainable params: 26 (104.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "nested_expanded": """\
Model: "outer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ outer_input (InputLayer)    │ (None, 4)             │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ inner (Sequential)          │ (None, 2)             │         23 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│    └ inner_dense (Dense)    │ (None, 3)             │         15 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│    └ inner_out (Dense)      │ (None, 2)             │          8 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ outer_dense (Dense)         │ (None, 1)             │          3 │   Y   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 26 (104.00 B)
 Trainable params: 26 (104.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "unbuilt": """\
Model: "lazy"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ d1 (Dense)                      │ ?                      │   0 (unbuilt) │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ d2 (Dense)                      │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "two_outputs": """\
Model: "two_outputs"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ split (Split)                 │ [(None, 2), (None, 4)]    │               0 │ x[0][0]                    │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ oa (Dense)                    │ (None, 1)                 │               3 │ split[0][0]                │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ ob (Dense)                    │ (None, 1)                 │               5 │ split[0][1]                │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 8 (32.00 B)
 Trainable params: 8 (32.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "subclassed": """\
Model: "net"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃ Layer (type)                ┃ Output Shape          ┃    Param # ┃ Trai… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ d1 (Dense)                  │ (2, 5)                │         20 │   Y   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ halve (Halve)               │ ?                     │          0 │   -   │
├─────────────────────────────┼───────────────────────┼────────────┼───────┤
│ d2 (Dense)                  │ (2, 2)                │         12 │   N   │
└─────────────────────────────┴───────────────────────┴────────────┴───────┘
 Total params: 32 (128.00 B)
 Trainable params: 20 (80.00 B)
 Non-trainable params: 12 (48.00 B)
""",
    "long_names": """\
Model: "long_names"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┓
┃ Layer (type)                 ┃ Output Shape          ┃     Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━┩
│ a_rather_long_input_name     │ (None, 16)            │           0 │
│ (InputLayer)                 │                       │             │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ an_extremely_long_layer_nam… │ (None, 8)             │         136 │
│ (Dense)                      │                       │             │
├──────────────────────────────┼───────────────────────┼─────────────┤
│ short (Dense)                │ (None, 4)             │          36 │
└──────────────────────────────┴───────────────────────┴─────────────┘
 Total params: 172 (688.00 B)
 Trainable params: 172 (688.00 B)
 Non-trainable params: 0 (0.00 B)
""",
    "positions": """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)         ┃ Output Shape         ┃              Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━┩
│ flatten (Flatten)    │ (None, 784)          │                    0 │
├──────────────────────┼──────────────────────┼──────────────────────┤
│ dense (Dense)        │ (None, 300)          │              235,500 │
├──────────────────────┼──────────────────────┼──────────────────────┤
│ dense_1 (Dense)      │ (None, 100)          │               30,100 │
├──────────────────────┼──────────────────────┼──────────────────────┤
│ dense_2 (Dense)      │ (None, 10)           │                1,010 │
└──────────────────────┴──────────────────────┴──────────────────────┘
 Total params: 266,610 (1.02 MB)
 Trainable params: 266,610 (1.02 MB)
 Non-trainable params: 0 (0.00 B)
""",
    "optimizer": """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 8)         │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense (Dense)       │ (None, 30)        │        270 │ input_layer[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, 30)        │        930 │ dense[0][0]       │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 38)        │          0 │ input_layer[0][0… │
│ (Concatenate)       │                   │            │ dense_1[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 1)         │         39 │ concatenate[0][0] │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 3,719 (14.53 KB)
 Trainable params: 1,239 (4.84 KB)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 2,480 (9.69 KB)
""",
}


KERAS2_FLATTEN_MLP = [
    'Model: "sequential"',
    "_________________________________________________________________",
    "Layer (type)                 Output Shape              Param #   ",
    "=================================================================",
    "flatten (Flatten)            (None, 784)               0         ",
    "_________________________________________________________________",
    "dense (Dense)                (None, 300)               235500    ",
    "_________________________________________________________________",
    "dense_1 (Dense)              (None, 100)               30100     ",
    "_________________________________________________________________",
    "dense_2 (Dense)              (None, 10)                1010      ",
    "=================================================================",
    "Total params: 266,610",
    "Trainable params: 266,610",
    "Non-trainable params: 0",
    "_________________________________________________________________",
]

KERAS2_WIDE_AND_DEEP = [
    'Model: "functional"',
    "__________________________________________________________________________________________________",
    "Layer (type)                    Output Shape         Param #     Connected to                     ",
    "==================================================================================================",
    "input_layer (InputLayer)        [(None, 8)]          0                                            ",
    "__________________________________________________________________________________________________",
    "dense (Dense)                   (None, 30)           270         input_layer[0][0]                ",
    "__________________________________________________________________________________________________",
    "dense_1 (Dense)                 (None, 30)           930         dense[0][0]                      ",
    "__________________________________________________________________________________________________",
    "concatenate (Concatenate)       (None, 38)           0           input_layer[0][0]                ",
    "                                                                 dense_1[0][0]                    ",
    "__________________________________________________________________________________________________",
    "dense_2 (Dense)                 (None, 1)            39          concatenate[0][0]                ",
    "==================================================================================================",
    "Total params: 1,239",
    "Trainable params: 1,239",
    "Non-trainable params: 0",
    "__________________________________________________________________________________________________",
]


@pytest.mark.parametrize("case", sorted(CASES))
def test_keras3_text_matches_keras(case, monkeypatch):
    build, kwargs, columns = CASES[case]
    monkeypatch.setenv("COLUMNS", str(columns))
    parts = []
    assert build().summary(print_fn=parts.append, **kwargs) is None
    assert parts == [KERAS3[case]]


def test_prints_to_stdout_without_print_fn(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    chain().summary(show_trainable=True)
    assert capsys.readouterr().out == KERAS3["chain_trainable"]


def test_ascii_box_when_stdout_cannot_encode_unicode(monkeypatch):
    # Captured from Keras 3.15.1 with PYTHONIOENCODING=ascii.
    expected = """\
Model: "s"
+--------------------------------------------------------------------------+
| Layer (type)                    | Output Shape           |       Param # |
|---------------------------------+------------------------+---------------|
| a (Dense)                       | (None, 3)              |            15 |
|---------------------------------+------------------------+---------------|
| b (Dense)                       | (None, 2)              |             8 |
+--------------------------------------------------------------------------+
 Total params: 23 (92.00 B)
 Trainable params: 23 (92.00 B)
 Non-trainable params: 0 (0.00 B)
"""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), "ascii"))
    model = lamina.Sequential(
        [
            lamina.Input(shape=(4,)),
            layers.Dense(3, name="a"),
            layers.Dense(2, name="b"),
        ],
        name="s",
    )
    parts = []
    model.summary(print_fn=parts.append)
    assert parts == [expected]


def test_optimizer_params_counted_once_optimizer_is_built(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    model = wide_and_deep()
    model.compile(optimizer="adam", loss="mse")
    parts = []
    model.summary(print_fn=parts.append)
    assert parts == [KERAS3["wide_and_deep_80"]], "optimizer not built: no line"
    model.optimizer.build(model.trainable_variables)
    parts = []
    model.summary(print_fn=parts.append)
    assert parts == [KERAS3["optimizer"]]


def test_oracle_parameter_counts():
    assert mlp().count_params() == 932_362
    assert flatten_mlp().count_params() == 266_610
    assert wide_and_deep().count_params() == 1_239


def test_keras2_sequential_layout():
    lines = []
    flatten_mlp().summary(print_fn=lines.append, style="keras2")
    assert lines == KERAS2_FLATTEN_MLP


def test_keras2_functional_layout_with_connections():
    lines = []
    wide_and_deep().summary(print_fn=lines.append, style="keras2")
    assert lines == KERAS2_WIDE_AND_DEEP


def test_keras2_prints_lines_without_print_fn(capsys):
    flatten_mlp().summary(style="keras2")
    assert capsys.readouterr().out == "\n".join(KERAS2_FLATTEN_MLP) + "\n"


def test_keras2_subclassed_model_shapes_are_multiple():
    lines = []
    subclassed().summary(print_fn=lines.append, style="keras2")
    assert lines == [
        'Model: "net"',
        "_" * 65,
        "Layer (type)                 Output Shape              Param #   ",
        "=" * 65,
        "d1 (Dense)                   multiple                  20        ",
        "_" * 65,
        "halve (Halve)                multiple                  0         ",
        "_" * 65,
        "d2 (Dense)                   multiple                  12        ",
        "=" * 65,
        "Total params: 32",
        "Trainable params: 20",
        "Non-trainable params: 12",
        "_" * 65,
    ]


def test_keras2_trainable_column_and_layer_range():
    # tf.keras 2.9's show_trainable: 11 more characters, one more column.
    lines = []
    chain().summary(
        print_fn=lines.append,
        style="keras2",
        show_trainable=True,
        layer_range=["hid", "he"],
    )
    assert lines[:8] == [
        'Model: "chain"',
        "_" * 76,
        "Layer (type)                 Output Shape              Param #   Trainable  ",
        "=" * 76,
        "hidden (Dense)               (None, 3)                 15        Y          ",
        "_" * 76,
        "head (Dense)                 (None, 2)                 8         N          ",
        "=" * 76,
    ]


def test_keras2_unbuilt_model_is_an_error():
    with pytest.raises(ArgumentError, match="not yet been built"):
        unbuilt().summary(style="keras2")


def test_bad_style_is_an_error():
    with pytest.raises(ArgumentError, match="style='keras4'"):
        chain().summary(style="keras4")


@pytest.mark.parametrize(
    "layer_range, message",
    [
        (["hidden"], "length 2"),
        ([1, 2], "string type only"),
        (["nothing", "head"], "do not match"),
    ],
)
def test_bad_layer_range_is_an_error(layer_range, message):
    with pytest.raises(ArgumentError, match=message):
        chain().summary(layer_range=layer_range, print_fn=lambda text: None)


def test_too_narrow_a_table_is_an_error():
    with pytest.raises(ArgumentError, match="line_length=10"):
        chain().summary(line_length=10, print_fn=lambda text: None)
