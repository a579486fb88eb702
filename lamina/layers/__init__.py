"""Layers: the building blocks of models, with Keras's names and arguments."""

from lamina.layers.core.dense import Dense
from lamina.layers.core.input_layer import Input, InputLayer
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer, Variable
from lamina.layers.activations.elu import ELU
from lamina.layers.activations.leaky_relu import LeakyReLU
from lamina.layers.activations.prelu import PReLU
from lamina.layers.activations.relu import ReLU
from lamina.layers.activations.softmax import Softmax
from lamina.layers.core.activation import Activation
from lamina.layers.core.embedding import Embedding
from lamina.layers.core.identity import Identity
from lamina.layers.core.lambda_layer import Lambda
from lamina.layers.core.masking import Masking
from lamina.layers.merging.add import Add, add
from lamina.layers.merging.average import Average, average
from lamina.layers.merging.base_merge import Merge
from lamina.layers.merging.concatenate import Concatenate, concatenate
from lamina.layers.merging.dot import Dot, dot
from lamina.layers.merging.maximum import Maximum, maximum
from lamina.layers.merging.minimum import Minimum, minimum
from lamina.layers.merging.multiply import Multiply, multiply
from lamina.layers.merging.subtract import Subtract, subtract
from lamina.layers.regularization.dropout import Dropout
from lamina.layers.reshaping.flatten import Flatten
from lamina.layers.reshaping.permute import Permute
from lamina.layers.reshaping.repeat_vector import RepeatVector
from lamina.layers.reshaping.reshape import Reshape
from lamina.layers.core.einsum_dense import EinsumDense
from lamina.layers.core.reversible_embedding import ReversibleEmbedding
from lamina.layers.core.wrapper import Wrapper
