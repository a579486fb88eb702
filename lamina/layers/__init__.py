"""Layers: the building blocks of models, with Keras's names and arguments."""

from lamina.layers.core.dense import Dense
from lamina.layers.core.input_layer import Input, InputLayer
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer, Variable
