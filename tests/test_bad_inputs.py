"""A catalogue of mistakes users make, each with a clear lamina error.

Every row provokes one mistake and expects a lamina error class (from
``lamina.errors``: each subclasses the ValueError Keras raises, so ``except
ValueError`` code keeps working) whose message names the layer or argument and,
where there is one, the value expected and the value received. None may end in
a bare torch/numpy error, a hang (every case runs under a deadline) or a
silently wrong result. The README's "Errors you may meet" lists the same rows.
"""

from __future__ import annotations

import os
import re
import threading

import numpy as np
import pytest

import lamina
from lamina import layers, losses, metrics
from lamina.errors import (
    _LAMINA_ERRORS,
    ArgumentError,
    FileFormatError,
    GraphError,
    ModelFileNotFoundError,
    NotCompiledError,
    ShapeError,
    UnknownObjectError,
)

# Small data: every case runs in milliseconds.
X = np.random.RandomState(0).rand(8, 4).astype("float32")
Y = np.random.RandomState(1).rand(8, 1).astype("float32")
Y3 = np.array([0, 1, 2, 1, 0, 2, 1, 0])
PROBS = np.full((1, 3), 1 / 3, "float32")


def mlp(units=1, loss="mse", metrics_=None, compile_=True):
    model = lamina.Sequential([layers.Input((4,)), layers.Dense(units)])
    if compile_:
        model.compile(optimizer="sgd", loss=loss, metrics=metrics_)
    return model


def classifier(**kwargs):
    return mlp(3, "sparse_categorical_crossentropy", **kwargs)


def two_outputs(**compile_kwargs):
    inp = layers.Input((4,), name="x")
    outputs = {"a": layers.Dense(1, name="a")(inp), "b": layers.Dense(1, name="b")(inp)}
    model = lamina.Model(inp, outputs)
    model.compile(optimizer="sgd", **compile_kwargs)
    return model


def named_input_model():
    inp = layers.Input((4,), name="x")
    model = lamina.Model(inp, layers.Dense(1)(inp))
    model.compile(optimizer="sgd", loss="mse")
    return model


def built_dense():
    layer = layers.Dense(3)
    layer.build((None, 4))
    return layer


def fit(model, x=X, y=Y, **kwargs):
    kwargs.setdefault("epochs", 1)
    kwargs.setdefault("verbose", 0)
    return model.fit(x, y, **kwargs)


def gen(*batches):
    yield from batches


def with_bad(x, row, value):
    x = x.copy()
    x[row, 1] = value
    return x


class ReturnsNone(layers.Layer):
    def call(self, x):
        return None


class Subclassed(lamina.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, x):
        return self.dense(x)


def subclassed_changed_dim():
    model = Subclassed()
    model.predict(X, verbose=0)
    model.predict(X[:, :3], verbose=0)


def embedding_call(ids, input_dim=10):
    return layers.Embedding(input_dim, 2)(np.array(ids))


def embedding_fit(ids):
    model = lamina.Sequential(
        [layers.Input((2,), dtype="int32"), layers.Embedding(5, 2), layers.Flatten()]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.array(ids), np.zeros((len(ids), 4)), verbose=0)


def later_bad_labels(jit_compile):
    """A generator's labels are checked on its first batch; a later bad batch
    still fails clearly (eager: the loss; compiled: the eager replay)."""
    model = mlp(3, compile_=False)
    model.compile("sgd", "sparse_categorical_crossentropy", jit_compile=jit_compile)
    good = (X[:4], Y3[:4])
    model.fit(gen(good, good, good, (X[4:], Y3[4:] + 3)), verbose=0)


def later_bad_indices():
    model = lamina.Sequential(
        [layers.Input((2,), dtype="int32"), layers.Embedding(5, 2), layers.Flatten()]
    )
    model.compile(optimizer="sgd", loss="mse", jit_compile=True)
    ids, y = np.array([[0, 1], [2, 3], [1, 1], [0, 0]]), np.zeros((4, 4))
    model.fit(gen((ids, y), (ids, y), (ids, y), (ids + 3, y)), verbose=0)


def set_weights_wrong_count():
    model = mlp(compile_=False)
    model.set_weights(model.get_weights()[:1])


def set_weights_wrong_shape():
    mlp(compile_=False).set_weights([np.zeros((5, 1)), np.zeros((1,))])


def junk_file(folder, suffix):
    path = os.path.join(folder, "junk" + suffix)
    with open(path, "wb") as f:
        f.write(b"this is not a model")
    return path


# fmt: off
# Each row: (id, callable, expected lamina error class, regex for the message).
CASES = [
    # --- shapes: fit / predict / evaluate / a layer call --------------------
    ("fit_wrong_feature_dim", lambda: fit(mlp(), X[:, :3]), ShapeError,
     r"dense.*expected axis -1 .*value 4.*\(8, 3\)"),
    ("fit_wrong_rank", lambda: fit(mlp(), X[:, :, None]), ShapeError,
     r"dense.*value 4.*\(8, 4, 1\)"),
    ("fit_1d_input", lambda: fit(mlp(), X[:, 0]), ShapeError,
     r"dense.*min_ndim=2, found ndim=1.*\(8,\)"),
    ("predict_wrong_feature_dim", lambda: mlp().predict(X[:, :3], verbose=0),
     ShapeError, r"dense.*value 4.*\(8, 3\)"),
    ("predict_wrong_rank", lambda: mlp().predict(X[:, :, None], verbose=0),
     ShapeError, r"dense.*value 4.*\(8, 4, 1\)"),
    ("evaluate_wrong_feature_dim", lambda: mlp().evaluate(X[:, :2], Y, verbose=0),
     ShapeError, r"dense.*value 4.*\(8, 2\)"),
    ("train_on_batch_wrong_shape", lambda: mlp().train_on_batch(X[:, :3], Y),
     ShapeError, r"dense.*value 4.*\(8, 3\)"),
    ("layer_call_wrong_last_dim", lambda: built_dense()(np.ones((2, 5), "float32")),
     ShapeError, r"dense.*value 4.*\(2, 5\)"),
    ("conv2d_call_rank3", lambda: layers.Conv2D(2, 3)(np.ones((2, 8, 8), "float32")),
     ShapeError, r"conv2d.*4-D.*\(2, 8, 8\)"),
    ("lstm_call_rank2", lambda: layers.LSTM(2)(np.ones((2, 8), "float32")),
     ShapeError, r"lstm.*3-D.*\(2, 8\)"),
    ("conv2d_input_smaller_than_kernel",
     lambda: layers.Conv2D(2, 5)(np.ones((1, 3, 3, 1), "float32")), ShapeError,
     r"conv2d.*kernel.*\(5, 5\).*\(3, 3\)"),
    ("predict_unbuilt_subclassed_strings",
     lambda: Subclassed().predict(np.array([["a", "b"]]), verbose=0), ArgumentError,
     r"strings \(dtype=<U1\) as model input"),
    ("predict_subclassed_changed_feature_dim", subclassed_changed_dim, ShapeError,
     r"dense.*value 4.*\(8, 3\)"),
    # --- x / y / sample_weight lengths and structure ------------------------
    ("fit_x_y_length_mismatch", lambda: fit(mlp(), X, Y[:5]), ShapeError,
     r"cardinality.*x sizes: 8.*y sizes: 5"),
    ("fit_sample_weight_length", lambda: fit(mlp(), sample_weight=np.ones(5)),
     ShapeError, r"x sizes: 8.*sample_weight sizes: 5"),
    ("evaluate_x_y_length_mismatch", lambda: mlp().evaluate(X, Y[:3], verbose=0),
     ShapeError, r"x sizes: 8.*y sizes: 3"),
    ("fit_y_wrong_width", lambda: fit(mlp(), X, np.ones((8, 3), "float32")),
     ShapeError, r"mse.*y_true.shape=\(8, 3\).*y_pred.shape=\(8, 1\)"),
    ("fit_two_inputs_to_one_input_model", lambda: fit(mlp(), [X, X]), ArgumentError,
     r"expects 1 input.*list of 2 arrays"),
    ("fit_dict_with_wrong_key", lambda: fit(named_input_model(), {"z": X}),
     ArgumentError, r"inputs named \['x'\].*keys \['z'\]"),
    ("fit_y_none_with_loss", lambda: mlp().fit(X, verbose=0), ArgumentError,
     r"No targets.*pass `y`"),
    ("x_none", lambda: fit(mlp(), None, Y), ArgumentError, r"`x` is None"),
    # --- dtypes --------------------------------------------------------------
    ("fit_string_array", lambda: fit(mlp(), np.array([["a"] * 4] * 8)), ArgumentError,
     r"strings \(dtype=<U1\) as model input"),
    ("fit_object_array", lambda: fit(mlp(), np.array([[object()] * 4] * 8)),
     ArgumentError, r"objects \(dtype=object\).*model input"),
    ("fit_string_labels", lambda: fit(mlp(), X, np.array(["a"] * 8)), ArgumentError,
     r"strings \(dtype=<U1\) as targets `y`"),
    ("predict_string_array",
     lambda: mlp().predict(np.array([["a"] * 4] * 2), verbose=0), ArgumentError,
     r"strings \(dtype=<U1\) as model input"),
    ("predict_ragged_list", lambda: mlp().predict([[1, 2, 3, 4], [1, 2]], verbose=0),
     ArgumentError, r"`x`.*different lengths.*pad_sequences"),
    ("fit_complex_input", lambda: fit(mlp(), X.astype("complex64")), ArgumentError,
     r"complex numbers \(dtype=complex64\) as model input"),
    ("sample_weight_string", lambda: fit(mlp(), sample_weight=np.array(["a"] * 8)),
     ArgumentError, r"strings.*as `sample_weight`"),
    # --- labels and indices ---------------------------------------------------
    ("sparse_cce_label_too_big", lambda: fit(classifier(), X, Y3 + 1), ArgumentError,
     r"sparse_categorical_crossentropy.*\[0, 2\].*3 classes.*\[3\]"),
    ("sparse_cce_negative_label", lambda: fit(classifier(), X, Y3 - 1), ArgumentError,
     r"\[0, 2\].*\[-1\]"),
    ("sparse_cce_float_labels", lambda: fit(classifier(), X, Y3 + 0.5), ArgumentError,
     r"integer class indices.*\[0.5, 1.5, 2.5\]"),
    ("sparse_cce_onehot_labels",
     lambda: fit(classifier(), X, np.eye(3)[Y3].astype("float32")), ArgumentError,
     r"shape \(8,\).*\(8, 3\).*categorical_crossentropy"),
    ("categorical_cce_int_labels",
     lambda: fit(mlp(3, "categorical_crossentropy"), X, Y3), ArgumentError,
     r"one-hot.*\(8, 3\).*\(8,\).*sparse_categorical_crossentropy"),
    ("sparse_cce_evaluate_label_too_big",
     lambda: classifier().evaluate(X, Y3 + 5, verbose=0), ArgumentError,
     r"\[0, 2\].*\[5, 6, 7\]"),
    ("sparse_cce_logits_object_label_too_big",
     lambda: fit(mlp(3, losses.SparseCategoricalCrossentropy(from_logits=True)), X,
                 Y3 + 1),
     ArgumentError, r"\[0, 2\].*3 classes.*\[3\]"),
    ("sparse_accuracy_in_fit_label_too_big",
     lambda: fit(classifier(metrics_=["sparse_categorical_accuracy"]), X, Y3 * 3),
     ArgumentError, r"\[0, 2\].*\[3, 6\]"),
    ("sparse_cce_loss_object_label_too_big",
     lambda: losses.SparseCategoricalCrossentropy()(np.array([5]), PROBS),
     ArgumentError, r"sparse_categorical_crossentropy.*3 classes.*\[5\]"),
    ("sparse_cce_function_label_too_big",
     lambda: losses.sparse_categorical_crossentropy(np.array([3]), PROBS),
     ArgumentError, r"\[0, 2\].*3 classes.*\[3\]"),
    ("sparse_cce_function_logits_negative",
     lambda: losses.sparse_categorical_crossentropy(np.array([-2]), PROBS,
                                                    from_logits=True),
     ArgumentError, r"\[0, 2\].*\[-2\]"),
    ("sparse_top_k_metric_label_too_big",
     lambda: metrics.SparseTopKCategoricalAccuracy(k=2).update_state(
         np.array([9]), PROBS),
     ArgumentError, r"sparse_top_k.*3 classes.*\[9\]"),
    ("binary_crossentropy_label_2",
     lambda: fit(mlp(1, "binary_crossentropy"), X, np.full((8, 1), 2.0, "float32")),
     ArgumentError, r"binary_crossentropy.*\[0, 1\].*from 2 to 2"),
    ("binary_crossentropy_function_negative_label",
     lambda: losses.binary_crossentropy(np.array([[-1.0]], "float32"),
                                        np.array([[0.5]], "float32")),
     ArgumentError, r"binary_crossentropy.*\[0, 1\].*-1"),
    ("embedding_index_too_big", lambda: embedding_call([[1, 10]]), ArgumentError,
     r"embedding.*input_dim=10.*\[10\]"),
    ("embedding_index_negative", lambda: embedding_call([[-1, 2]]), ArgumentError,
     r"embedding.*input_dim=10.*\[-1\]"),
    ("embedding_index_too_big_in_fit", lambda: embedding_fit([[0, 1], [4, 7]]),
     ArgumentError, r"embedding.*input_dim=5.*\[7\]"),
    ("sparse_cce_bad_label_in_later_batch_jit", lambda: later_bad_labels(True),
     ArgumentError, r"\[0, 2\].*3 classes.*\[3, 4, 5\]"),
    ("sparse_cce_bad_label_in_later_batch_eager", lambda: later_bad_labels(False),
     ArgumentError, r"\[0, 2\].*3 classes.*\[3, 4, 5\]"),
    ("embedding_bad_index_in_later_batch_jit", later_bad_indices, ArgumentError,
     r"embedding.*input_dim=5.*\[5, 6\]"),
    ("embedding_input_dim_zero", lambda: layers.Embedding(0, 2), ArgumentError,
     r"input_dim.*0"),
    # --- NaN / inf ------------------------------------------------------------
    ("fit_nan_input", lambda: fit(mlp(), with_bad(X, 0, np.nan)), ArgumentError,
     r"`x` contains NaN.*sample 0"),
    ("fit_inf_input", lambda: fit(mlp(), with_bad(X, 3, np.inf)), ArgumentError,
     r"`x` contains infinite.*sample 3"),
    ("evaluate_nan_input",
     lambda: mlp().evaluate(with_bad(X, 5, np.nan), Y, verbose=0), ArgumentError,
     r"`x` contains NaN.*sample 5"),
    # --- unknown names --------------------------------------------------------
    ("unknown_optimizer",
     lambda: mlp(compile_=False).compile(optimizer="adamm", loss="mse"),
     UnknownObjectError, r"optimizer: 'adamm'.*'adam'"),
    ("unknown_loss", lambda: mlp(loss="mse_"), UnknownObjectError,
     r"loss: 'mse_'.*'mse'"),
    ("unknown_metric", lambda: mlp(metrics_=["acuracy"]), UnknownObjectError,
     r"metric: 'acuracy'.*'accuracy'"),
    ("unknown_activation", lambda: layers.Dense(2, activation="relux"),
     UnknownObjectError, r"activation function: 'relux'.*'relu'"),
    ("unknown_activation_layer", lambda: layers.Activation("sigmoidd"),
     UnknownObjectError, r"activation function: 'sigmoidd'.*'sigmoid'"),
    ("unknown_initializer", lambda: layers.Dense(2, kernel_initializer="glorot"),
     UnknownObjectError, r"initializer: 'glorot'.*'glorot_uniform'"),
    ("unknown_regularizer", lambda: layers.Dense(2, kernel_regularizer="l3"),
     UnknownObjectError, r"regularizer: 'l3'.*'l2'"),
    ("unknown_constraint", lambda: layers.Dense(2, kernel_constraint="maxnorm3"),
     UnknownObjectError, r"constraint: 'maxnorm3'.*'max_norm'"),
    ("unknown_loss_get", lambda: losses.get("crossentropyy"), UnknownObjectError,
     r"loss: 'crossentropyy'"),
    ("unknown_padding", lambda: layers.Conv2D(2, 3, padding="full"), ArgumentError,
     r"Conv2D.*`padding`.*'valid', 'same'.*padding='full'"),
    ("unknown_data_format", lambda: layers.Conv2D(2, 3, data_format="NCHW"),
     ArgumentError, r"`data_format`.*data_format='NCHW'"),
    ("unknown_reduction", lambda: losses.MeanSquaredError(reduction="avg"),
     ArgumentError, r"`reduction`.*reduction='avg'"),
    ("unknown_dtype", lambda: layers.Dense(2, dtype="float33"), ArgumentError,
     r"dtype: 'float33'.*'float32'"),
    ("optimizer_wrong_type",
     lambda: mlp(compile_=False).compile(optimizer=3, loss="mse"), ArgumentError,
     r"optimizer identifier: 3"),
    # --- class_weight / sample_weight -----------------------------------------
    ("class_weight_unknown_class",
     lambda: fit(classifier(), X, Y3, class_weight={0: 1, 1: 1, 2: 1, 5: 2}),
     ArgumentError, r"class_weight.*\[5\].*3 classes \(0 to 2\)"),
    ("class_weight_unknown_class_binary",
     lambda: fit(mlp(1, "binary_crossentropy"), X, Y.round(), class_weight={2: 1.0}),
     ArgumentError, r"class_weight.*\[2\].*2 classes"),
    ("class_weight_unknown_class_onehot",
     lambda: fit(mlp(3, "categorical_crossentropy"), X, np.eye(3)[Y3],
                 class_weight={0: 1, 1: 1, 2: 1, 3: 1}),
     ArgumentError, r"class_weight.*\[3\].*3 classes"),
    ("class_weight_missing_class",
     lambda: fit(classifier(), X, Y3, class_weight={0: 1.0, 1: 2.0}), ArgumentError,
     r"class_weight.*no entry for class 2.*\[0, 1\]"),
    ("class_weight_negative_key",
     lambda: fit(classifier(), X, Y3, class_weight={-1: 1.0, 0: 1.0}), ArgumentError,
     r"class_weight.*integers >= 0.*-1"),
    ("class_weight_not_dict",
     lambda: fit(classifier(), X, Y3, class_weight=[1, 2, 3]), ArgumentError,
     r"class_weight.*dict.*list"),
    ("class_weight_string_key",
     lambda: fit(classifier(), X, Y3, class_weight={"cat": 1.0}), ArgumentError,
     r"class_weight.*'cat'"),
    ("class_weight_with_generator",
     lambda: classifier().fit(gen((X, Y3)), class_weight={0: 1.0}, verbose=0),
     ArgumentError, r"class_weight.*arrays and tensors"),
    ("sample_weight_2d_wrong", lambda: fit(mlp(), sample_weight=np.ones((8, 3))),
     ShapeError, r"sample_weight.*\(8, 3\).*\(8,\)"),
    # --- validation_split / validation_data -----------------------------------
    ("validation_split_1", lambda: fit(mlp(), validation_split=1.0), ArgumentError,
     r"validation_split.*between 0 and 1.*1\.0"),
    ("validation_split_negative", lambda: fit(mlp(), validation_split=-0.2),
     ArgumentError, r"validation_split.*between 0 and 1.*-0\.2"),
    ("validation_split_generator",
     lambda: mlp().fit(gen((X, Y)), validation_split=0.2, verbose=0), ArgumentError,
     r"validation_split.*NumPy arrays.*generator"),
    ("validation_split_too_little_data",
     lambda: fit(mlp(), X[:1], Y[:1], validation_split=0.5), ArgumentError,
     r"1 samples.*validation_split=0\.5"),
    ("validation_data_wrong_tuple", lambda: fit(mlp(), validation_data=(X, Y, Y, Y)),
     ArgumentError, r"\(x, y, sample_weight\).*4 elements"),
    ("validation_freq_zero",
     lambda: fit(mlp(), validation_split=0.25, validation_freq=0), ArgumentError,
     r"validation_freq.*0"),
    # --- before compile -------------------------------------------------------
    ("fit_before_compile", lambda: fit(mlp(compile_=False)), NotCompiledError,
     r"compile\(\).*`fit\(\)`"),
    ("evaluate_before_compile",
     lambda: mlp(compile_=False).evaluate(X, Y, verbose=0), NotCompiledError,
     r"compile\(\).*`evaluate\(\)`"),
    ("train_on_batch_before_compile",
     lambda: mlp(compile_=False).train_on_batch(X, Y), NotCompiledError,
     r"compile\(\).*`train_on_batch\(\)`"),
    # --- several outputs: loss, loss_weights, metrics, y ----------------------
    ("loss_dict_unknown_key", lambda: two_outputs(loss={"a": "mse", "c": "mse"}),
     ArgumentError, r"`loss` has keys \['c'\].*\['a', 'b'\]"),
    ("loss_weights_unknown_key",
     lambda: two_outputs(loss="mse", loss_weights={"a": 1.0, "z": 2.0}),
     ArgumentError, r"`loss_weights` has keys \['z'\].*\['a', 'b'\]"),
    ("loss_weights_wrong_length",
     lambda: fit(two_outputs(loss="mse", loss_weights=[1.0, 2.0, 3.0]), X, [Y, Y]),
     ArgumentError, r"loss_weights.*3.*2"),
    ("loss_weights_not_numbers",
     lambda: two_outputs(loss="mse", loss_weights=["heavy", 1.0]), ArgumentError,
     r"loss_weights.*numbers"),
    ("loss_list_wrong_length", lambda: fit(two_outputs(loss=["mse"] * 3), X, [Y, Y]),
     ArgumentError, r"loss.*3.*2"),
    ("metrics_dict_unknown_key",
     lambda: two_outputs(loss="mse", metrics={"q": ["mae"]}), ArgumentError,
     r"`metrics` has keys \['q'\].*\['a', 'b'\]"),
    ("fit_y_dict_wrong_key",
     lambda: fit(two_outputs(loss="mse"), X, {"a": Y, "c": Y}), ArgumentError,
     r"`y` has keys \['c'\].*\['a', 'b'\]"),
    ("fit_y_list_wrong_length", lambda: fit(two_outputs(loss="mse"), X, [Y, Y, Y]),
     ArgumentError, r"y.*3.*2"),
    ("fit_y_single_array_for_two_outputs",
     lambda: fit(two_outputs(loss="mse"), X, Y), ArgumentError,
     r"2 outputs.*single array"),
    # --- fit / evaluate / predict argument values -----------------------------
    ("batch_size_zero", lambda: fit(mlp(), batch_size=0), ArgumentError,
     r"`batch_size` must be a positive integer.*batch_size=0"),
    ("batch_size_negative", lambda: fit(mlp(), batch_size=-4), ArgumentError,
     r"`batch_size`.*batch_size=-4"),
    ("batch_size_float", lambda: fit(mlp(), batch_size=2.5), ArgumentError,
     r"`batch_size`.*batch_size=2\.5"),
    ("batch_size_string", lambda: fit(mlp(), batch_size="32"), ArgumentError,
     r"`batch_size`.*batch_size='32'"),
    ("predict_batch_size_zero", lambda: mlp().predict(X, batch_size=0, verbose=0),
     ArgumentError, r"`batch_size`.*batch_size=0"),
    ("epochs_float", lambda: fit(mlp(), epochs=1.5), ArgumentError,
     r"`epochs` must be a non-negative integer.*1\.5"),
    ("epochs_string", lambda: fit(mlp(), epochs="2"), ArgumentError,
     r"`epochs`.*'2'"),
    ("epochs_negative", lambda: fit(mlp(), epochs=-1), ArgumentError,
     r"`epochs`.*-1"),
    ("verbose_bad", lambda: fit(mlp(), verbose="loud"), ArgumentError,
     r"`verbose` must be 'auto', 0, 1 or 2.*'loud'"),
    ("steps_per_epoch_zero",
     lambda: mlp().fit(gen((X, Y)), steps_per_epoch=0, verbose=0), ArgumentError,
     r"`steps_per_epoch` must be a positive integer.*0"),
    ("steps_per_epoch_float", lambda: fit(mlp(), steps_per_epoch=1.5), ArgumentError,
     r"`steps_per_epoch`.*1\.5"),
    ("evaluate_steps_negative", lambda: mlp().evaluate(X, Y, steps=-2, verbose=0),
     ArgumentError, r"`steps`.*-2"),
    ("callbacks_not_callback", lambda: fit(mlp(), callbacks=[print]), ArgumentError,
     r"`callbacks`.*Callback.*print.*builtin_function_or_method"),
    ("callbacks_class_not_instance",
     lambda: fit(mlp(), callbacks=[lamina.callbacks.EarlyStopping]), ArgumentError,
     r"`callbacks`.*a class.*EarlyStopping\(\.\.\.\)"),
    # --- generators -----------------------------------------------------------
    ("generator_inconsistent_shapes",
     lambda: mlp().fit(gen((X[:4], Y[:4]), (X[:4, :3], Y[:4])), verbose=0),
     ShapeError, r"dense.*value 4.*\(4, 3\)"),
    ("generator_yields_strings", lambda: mlp().fit(gen("abc"), verbose=0),
     ArgumentError, r"strings \(dtype=<U3\) as model input"),
    ("generator_x_y_batch_mismatch",
     lambda: mlp().fit(gen((X[:4], Y[:3])), verbose=0), ShapeError,
     r"y_true.shape=\(3, 1\).*y_pred.shape=\(4, 1\)"),
    ("generator_empty", lambda: mlp().fit(gen(), verbose=0), ArgumentError,
     r"no batches.*empty"),
    ("generator_with_y", lambda: mlp().fit(gen((X, Y)), Y, verbose=0),
     ArgumentError, r"generator.*`y`.*must not be given"),
    # --- layer arguments ------------------------------------------------------
    ("dense_units_zero", lambda: layers.Dense(0), ArgumentError,
     r"`units`.*positive integer.*units=0"),
    ("dense_units_negative", lambda: layers.Dense(-1), ArgumentError,
     r"`units`.*units=-1"),
    ("dense_units_float", lambda: layers.Dense(2.5), ArgumentError,
     r"`units`.*units=2\.5"),
    ("conv2d_kernel_size_zero", lambda: layers.Conv2D(2, 0), ArgumentError,
     r"Conv2D.*`kernel_size`.*kernel_size=0"),
    ("conv2d_kernel_size_three_values", lambda: layers.Conv2D(2, (3, 3, 3)),
     ArgumentError, r"`kernel_size`.*tuple of 2.*\(3, 3, 3\)"),
    ("conv2d_strides_zero", lambda: layers.Conv2D(2, 3, strides=0), ArgumentError,
     r"`strides`.*strides=0"),
    ("conv2d_filters_zero", lambda: layers.Conv2D(0, 3), ArgumentError,
     r"`filters`.*filters=0"),
    ("conv2d_padding_typo", lambda: layers.Conv2D(2, 3, padding="sam"), ArgumentError,
     r"`padding`.*padding='sam'"),
    ("dropout_rate_above_one", lambda: layers.Dropout(1.5), ArgumentError,
     r"`rate`.*between 0 and 1.*rate=1\.5"),
    ("dropout_rate_negative", lambda: layers.Dropout(-0.1), ArgumentError,
     r"`rate`.*rate=-0\.1"),
    ("reshape_incompatible",
     lambda: layers.Reshape((3, 3))(np.ones((2, 8), "float32")), ShapeError,
     r"reshape.*\(8,\) \(8 values\).*target_shape=\(3, 3\)"),
    ("reshape_two_unknowns", lambda: layers.Reshape((-1, -1)), ArgumentError,
     r"`target_shape`.*at most one -1.*\(-1, -1\)"),
    ("concatenate_incompatible",
     lambda: layers.Concatenate()([layers.Input((2, 3)), layers.Input((4, 5))]),
     ShapeError, r"concatenate.*\(None, 2, 3\), \(None, 4, 5\)"),
    ("add_incompatible",
     lambda: layers.Add()([layers.Input((3,)), layers.Input((4,))]), ShapeError,
     r"add.*\(3,\) and \(4,\)"),
    ("input_shape_negative", lambda: layers.Input(shape=(-2, 3)), ArgumentError,
     r"`shape`.*\(None, -2, 3\)"),
    ("input_shape_string", lambda: layers.Input(shape="abc"), ArgumentError,
     r"`shape`.*'abc'.*'a' of type str"),
    ("input_shape_float", lambda: layers.Input(shape=(2.5,)), ArgumentError,
     r"`shape`.*2\.5 of type float"),
    ("input_batch_size_negative", lambda: layers.Input(shape=(3,), batch_size=-1),
     ArgumentError, r"`shape`.*\(-1, 3\)"),
    ("layer_input_shape_string",
     lambda: lamina.Sequential([layers.Dense(2, input_shape="x")]), ArgumentError,
     r"`input_shape`.*'x' of type str"),
    ("custom_layer_returns_none",
     lambda: lamina.Sequential([layers.Input((4,)), ReturnsNone()]), ArgumentError,
     r"returns_none.*ReturnsNone.*returned None.*\(None, 4\)"),
    ("custom_layer_returns_none_functional",
     lambda: ReturnsNone()(layers.Input((4,))), ArgumentError,
     r"returns_none.*returned None.*\(None, 4\)"),
    ("functional_disconnected",
     lambda: lamina.Model(layers.Input((3,)), layers.Dense(2)(layers.Input((3,)))),
     GraphError, r"disconnected.*input_layer.*not one of the model's inputs"),
    # --- weights --------------------------------------------------------------
    ("set_weights_wrong_count", set_weights_wrong_count, ShapeError,
     r"expected 2 weights.*received 1"),
    ("set_weights_wrong_shape", set_weights_wrong_shape, ShapeError,
     r"dense.*kernel.*\(4, 1\).*\(5, 1\)"),
    ("layer_set_weights_wrong_shape",
     lambda: built_dense().set_weights([np.zeros((3, 3)), np.zeros(3)]), ShapeError,
     r"kernel.*\(4, 3\).*\(3, 3\)"),
]

# Files: each callable takes a temporary folder.
FILE_CASES = [
    ("load_model_missing_path",
     lambda tmp: lamina.models.load_model(os.path.join(tmp, "nope.keras")),
     ModelFileNotFoundError, r"File not found.*nope\.keras"),
    ("load_model_not_a_model_keras",
     lambda tmp: lamina.models.load_model(junk_file(tmp, ".keras")), FileFormatError,
     r"junk\.keras.*neither a \.keras \(zip\) nor an HDF5"),
    ("load_model_not_a_model_h5",
     lambda tmp: lamina.models.load_model(junk_file(tmp, ".h5")), FileFormatError,
     r"junk\.h5.*neither"),
    ("load_model_unknown_extension",
     lambda tmp: lamina.models.load_model(junk_file(tmp, ".txt")), FileFormatError,
     r"junk\.txt.*neither"),
    ("load_weights_missing",
     lambda tmp: mlp().load_weights(os.path.join(tmp, "w.weights.h5")),
     ModelFileNotFoundError, r"No such file.*w\.weights\.h5"),
]
# fmt: on


def run_with_deadline(fn, seconds=60.0):
    """Run ``fn`` in a thread and return what it raised; a hang fails the test."""
    box = {}

    def target():
        try:
            fn()
        except BaseException as err:  # handed to the test
            box["error"] = err

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"hung for {seconds} s")
    return box.get("error")


def check(err, expected, pattern):
    assert err is not None, "no error: the mistake was silently accepted"
    assert isinstance(err, expected), f"{type(err).__name__}: {err}"
    assert re.search(pattern, str(err), re.S), f"{str(err)!r} !~ {pattern!r}"


@pytest.mark.parametrize(
    "fn, expected, pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input(fn, expected, pattern):
    check(run_with_deadline(fn), expected, pattern)


@pytest.mark.parametrize(
    "fn, expected, pattern",
    [c[1:] for c in FILE_CASES],
    ids=[c[0] for c in FILE_CASES],
)
def test_bad_file(fn, expected, pattern, tmp_path):
    check(run_with_deadline(lambda: fn(str(tmp_path))), expected, pattern)


def test_catalogue():
    rows = CASES + FILE_CASES
    ids = [row[0] for row in rows]
    assert len(ids) >= 80
    assert len(set(ids)) == len(ids)
    for _, _, expected, _ in rows:
        assert issubclass(expected, _LAMINA_ERRORS)
        assert issubclass(expected, (ValueError, TypeError))


def test_missing_model_file_is_also_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        lamina.models.load_model(tmp_path / "nope.keras")


# --- documented behaviour that is not an error --------------------------------


def test_generator_error_propagates_unchanged():
    """A generator's own exception reaches the caller as it was raised."""

    def failing():
        yield X[:4], Y[:4]
        raise OSError("disk read failed")

    err = run_with_deadline(lambda: mlp().fit(failing(), epochs=1, verbose=0))
    assert isinstance(err, OSError) and str(err) == "disk read failed"


def test_nan_targets_stop_with_terminate_on_nan():
    """NaN in `y` is not refused (a custom loss may mask it, as in Keras): the
    loss becomes NaN and `TerminateOnNaN` stops training at that batch."""
    y = Y.copy()
    y[0] = np.nan
    model = mlp()
    history = model.fit(
        X, y, batch_size=4, epochs=3, verbose=0,
        callbacks=[lamina.callbacks.TerminateOnNaN()],
    )  # fmt: skip
    assert len(history.history["loss"]) == 1
    assert np.isnan(history.history["loss"][0])


def test_nan_from_a_generator_stops_with_terminate_on_nan():
    """A generator's batches are not scanned in advance: TerminateOnNaN stops."""
    bad = with_bad(X, 0, np.nan)
    model = mlp()
    model.fit(
        gen((X[:4], Y[:4]), (bad[:4], Y[:4]), (X[4:], Y[4:])), epochs=1, verbose=0,
        callbacks=[lamina.callbacks.TerminateOnNaN()],
    )  # fmt: skip
    assert model.stop_training


def test_out_of_range_sparse_accuracy_alone_counts_as_a_miss():
    """Keras's sparse accuracy compares labels, without a range check (a check
    would read the labels back on every update); in `fit` the sparse loss's
    once-per-fit check reports such labels."""
    metric = metrics.SparseCategoricalAccuracy()
    metric.update_state(np.array([7, 1]), np.array([[0, 0, 1], [0, 1, 0]], "float32"))
    assert float(metric.result()) == 0.5
