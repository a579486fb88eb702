"""What fit / evaluate / predict accept as data: arrays, tensors, structures,
generators, `Sequence` / `PyDataset`, torch `DataLoader` and `Dataset`."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import lamina
from tests.trainers.trainer_utils import binary_model, data, two_input_model


def _model():
    model = binary_model(seed=4)
    model.compile(
        lamina.optimizers.SGD(0.1), "binary_crossentropy", metrics=["accuracy"]
    )
    return model


def _weights_after(fit_args, fit_kwargs):
    model = _model()
    model.fit(*fit_args, verbose=0, **fit_kwargs)
    return model.get_weights()


def _assert_same_weights(a, b):
    for wa, wb in zip(a, b):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-7)


X, Y, CLASSES, Y_REG = data(40)
REFERENCE = None


def _reference():
    """Weights after one epoch on the arrays, 4 batches of 10, in order."""
    global REFERENCE
    if REFERENCE is None:
        REFERENCE = _weights_after((X, Y), {"batch_size": 10, "shuffle": False})
    return REFERENCE


class _Batches(lamina.utils.Sequence):
    """The arrays as 4 batches of 10, counting `on_epoch_end` calls."""

    def __init__(self, with_weights=False, **kwargs):
        super().__init__(**kwargs)
        self.epochs_ended = 0
        self.with_weights = with_weights

    def __len__(self):
        return 4

    def __getitem__(self, i):
        batch = (X[i * 10 : (i + 1) * 10], Y[i * 10 : (i + 1) * 10])
        if self.with_weights:
            batch += (np.full(10, 2.0, "float32"),)
        return batch

    def on_epoch_end(self):
        self.epochs_ended += 1


def _generator(repeat=True):
    while True:
        for i in range(4):
            yield X[i * 10 : (i + 1) * 10], Y[i * 10 : (i + 1) * 10]
        if not repeat:
            return


def test_torch_tensors_train_like_numpy_arrays():
    got = _weights_after(
        (torch.tensor(X), torch.tensor(Y)), {"batch_size": 10, "shuffle": False}
    )
    _assert_same_weights(got, _reference())


def test_plain_python_lists_train_like_arrays():
    got = _weights_after(
        (X.tolist(), Y.ravel().tolist()), {"batch_size": 10, "shuffle": False}
    )
    _assert_same_weights(got, _reference())
    model = _model()
    history = model.fit(
        X.tolist(),
        Y.astype("int64").ravel().tolist(),
        validation_split=0.25,
        verbose=0,
    )
    expected = model.evaluate(X[30:], Y[30:], verbose=0)[0]
    np.testing.assert_allclose(history.history["val_loss"], [expected], rtol=1e-5)


def test_sequence_gives_the_same_training_and_calls_on_epoch_end():
    batches = _Batches()
    model = _model()
    history = model.fit(batches, epochs=1, shuffle=False, verbose=0)
    _assert_same_weights(model.get_weights(), _reference())
    assert history.params["steps"] == 4
    model.fit(batches, epochs=2, verbose=0)
    assert batches.epochs_ended == 3


def test_sequence_with_sample_weights_in_the_batches():
    model = _model()
    model.fit(_Batches(with_weights=True), verbose=0)
    # A constant weight of 2 doubles every gradient: like twice the learning rate.
    doubled = binary_model(seed=4)
    doubled.compile(lamina.optimizers.SGD(0.2), "binary_crossentropy")
    doubled.fit(X, Y, batch_size=10, shuffle=False, verbose=0)
    _assert_same_weights(model.get_weights(), doubled.get_weights())


def test_pydataset_with_worker_threads_keeps_the_batch_order():
    seen = []

    class Recording(_Batches):
        def __getitem__(self, i):
            seen.append(threading.get_ident())
            return super().__getitem__(i)

    model = _model()
    model.fit(Recording(workers=3), verbose=0)
    _assert_same_weights(model.get_weights(), _reference())
    assert len(seen) >= 4


def test_pydataset_refuses_multiprocessing():
    with pytest.raises(ValueError, match="use_multiprocessing"):
        _Batches(use_multiprocessing=True)


def test_generator_with_steps_per_epoch_continues_across_epochs():
    model = _model()
    history = model.fit(_generator(), steps_per_epoch=2, epochs=2, verbose=0)
    assert history.params["steps"] == 2
    _assert_same_weights(model.get_weights(), _reference())


def test_finite_generator_without_steps_runs_until_exhausted():
    model = _model()
    history = model.fit(_generator(repeat=False), verbose=0)
    assert len(history.history["loss"]) == 1
    _assert_same_weights(model.get_weights(), _reference())


def test_dataloader_and_dataset():
    dataset = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=10, shuffle=False)
    model = _model()
    history = model.fit(loader, verbose=0)
    assert history.params["steps"] == 4
    _assert_same_weights(model.get_weights(), _reference())
    # A map-style Dataset is batched with `batch_size`.
    model = _model()
    history = model.fit(dataset, batch_size=10, shuffle=False, verbose=0)
    assert history.params["steps"] == 4
    _assert_same_weights(model.get_weights(), _reference())


def test_evaluate_and_predict_on_iterators_match_arrays():
    model = _model()
    model.fit(X, Y, verbose=0)
    expected_logs = model.evaluate(X, Y, verbose=0)
    expected_pred = model.predict(X, verbose=0)
    dataset = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y))
    loader = torch.utils.data.DataLoader(dataset, batch_size=16)
    for source, kwargs in (
        (_Batches(), {}),
        (_generator(), {"steps": 4}),
        (loader, {}),
    ):
        np.testing.assert_allclose(
            model.evaluate(source, verbose=0, **kwargs), expected_logs, rtol=1e-5
        )
    for source, kwargs in (
        (_Batches(), {}),
        (_generator(), {"steps": 4}),
        (loader, {}),
    ):
        np.testing.assert_allclose(
            model.predict(source, verbose=0, **kwargs), expected_pred, rtol=1e-6
        )


def test_predict_on_a_generator_of_inputs_only():
    model = _model()

    def inputs_only():
        for i in range(3):
            yield X[i * 10 : (i + 1) * 10]

    out = model.predict(inputs_only(), verbose=0)
    np.testing.assert_allclose(out, model.predict(X[:30], verbose=0), rtol=1e-6)


def test_validation_data_as_generator_sequence_and_loader():
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(Y)),
        batch_size=10,
    )
    for validation, kwargs in (
        (_Batches(), {}),
        (_generator(), {"validation_steps": 4}),
        (loader, {}),
    ):
        model = _model()
        history = model.fit(X, Y, validation_data=validation, verbose=0, **kwargs)
        value = history.history["val_loss"][0]
        expected = model.evaluate(X, Y, verbose=0)[0]
        np.testing.assert_allclose(value, expected, rtol=1e-5)


@pytest.mark.parametrize("kind", ["list", "tuple", "dict", "dict_reordered"])
def test_several_inputs_as_list_tuple_or_dict(kind):
    a, b = X, X[:, :2] * 2.0
    structures = {
        "list": [a, b],
        "tuple": (a, b),
        "dict": {"a": a, "b": b},
        "dict_reordered": {"b": b, "a": a},
    }
    model = two_input_model()
    model.compile(lamina.optimizers.SGD(0.05), "mse")
    history = model.fit(
        structures[kind],
        Y_REG,
        batch_size=10,
        shuffle=False,
        verbose=0,
        validation_data=(structures[kind], Y_REG),
    )
    reference = two_input_model()
    reference.compile(lamina.optimizers.SGD(0.05), "mse")
    reference.fit([a, b], Y_REG, batch_size=10, shuffle=False, verbose=0)
    _assert_same_weights(model.get_weights(), reference.get_weights())
    np.testing.assert_allclose(
        history.history["val_loss"][0],
        reference.evaluate([a, b], Y_REG, verbose=0),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        model.predict(structures[kind], verbose=0),
        reference.predict([a, b], verbose=0),
        rtol=1e-6,
    )


def test_dict_inputs_with_dtypes_follow_the_input_names():
    # "z" is float, "a" takes integer ids: a dict keyed in any order must give
    # each input its own dtype.
    lamina.utils.set_random_seed(0)
    ids = lamina.Input((3,), name="z_ids", dtype="int32")
    values = lamina.Input((2,), name="a_values")
    embedded = lamina.layers.Flatten()(lamina.layers.Embedding(5, 2)(ids))
    out = lamina.layers.Dense(1)(lamina.layers.Concatenate()([embedded, values]))
    model = lamina.Model([ids, values], out)
    model.compile("sgd", "mse")
    ids_data = np.random.default_rng(0).integers(0, 5, size=(8, 3))
    values_data = np.ones((8, 2), "float32")
    history = model.fit(
        {"a_values": values_data, "z_ids": ids_data}, np.ones((8, 1)), verbose=0
    )
    assert np.isfinite(history.history["loss"][0])


def test_pydataset_with_num_batches_and_epoch_hooks():
    events = []

    class Keras3Style(lamina.utils.PyDataset):
        @property
        def num_batches(self):
            return 4

        def __getitem__(self, i):
            return X[i * 10 : (i + 1) * 10], Y[i * 10 : (i + 1) * 10]

        def on_epoch_begin(self):
            events.append("begin")

        def on_epoch_end(self):
            events.append("end")

    dataset = Keras3Style()
    assert len(dataset) == 4
    model = _model()
    history = model.fit(dataset, epochs=2, verbose=0)
    assert history.params["steps"] == 4
    assert events == ["begin", "end", "begin", "end"]


def test_infinite_pydataset_needs_steps():
    class Endless(lamina.utils.PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, i):
            j = i % 4
            return X[j * 10 : (j + 1) * 10], Y[j * 10 : (j + 1) * 10]

    model = _model()
    history = model.fit(Endless(), steps_per_epoch=4, epochs=1, verbose=0)
    _assert_same_weights(model.get_weights(), _reference())
    assert history.params["steps"] == 4
    with pytest.raises(TypeError, match="infinite"):
        len(Endless())
    with pytest.raises(lamina.errors.ArgumentError, match="steps_per_epoch"):
        _model().fit(Endless(), verbose=0)


def test_pydataset_without_length_says_what_to_define():
    class Empty(lamina.utils.PyDataset):
        def __getitem__(self, i):
            return X, Y

    with pytest.raises(NotImplementedError, match="__len__ or the num_batches"):
        len(Empty())


def test_a_used_up_generator_stops_training_with_a_warning():
    model = _model()
    with pytest.warns(UserWarning, match="ran out of data at epoch 2"):
        history = model.fit(_generator(repeat=False), epochs=3, verbose=0)
    assert history.epoch == [0]
