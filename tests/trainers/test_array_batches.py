"""`ArrayBatches` in-order batches (views made by one split) equal plain slices;
the loops' finite-input check."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina
from lamina.trainers.data_adapter import ArrayBatches


def _slices(tensor, batch_size, steps):
    return [tensor[b * batch_size : (b + 1) * batch_size] for b in range(steps)]


@pytest.mark.parametrize("steps", [None, 2])
def test_single_tensor_batches_are_views_in_order(steps):
    x = torch.arange(22.0).reshape(11, 2)
    batches = ArrayBatches(x, batch_size=4, steps=steps)
    got = list(batches.epoch())
    expected = _slices(x, 4, batches.steps)
    assert len(got) == len(expected) == (steps or 3)
    for (xb, yb, swb), want in zip(got, expected):
        assert yb is None and swb is None
        assert torch.equal(xb, want)
        assert xb.data_ptr() == want.data_ptr()  # a view, no copy


def test_structures_with_targets_and_weights():
    x = {"a": torch.arange(10.0).reshape(5, 2), "b": torch.arange(5.0)}
    y = [torch.arange(5), None]
    sw = torch.ones(5)
    got = list(ArrayBatches(x, y, sw, batch_size=2).epoch())
    assert len(got) == 3
    for b, (xb, yb, swb) in enumerate(got):
        rows = slice(2 * b, 2 * b + 2)
        assert torch.equal(xb["a"], x["a"][rows]) and torch.equal(xb["b"], x["b"][rows])
        assert torch.equal(yb[0], y[0][rows]) and yb[1] is None
        assert torch.equal(swb, sw[rows])


def test_predict_and_evaluate_results_unchanged_by_batching():
    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, lamina.layers.Dense(2)(inputs))
    model.compile(loss="mse")
    x = np.random.default_rng(0).standard_normal((37, 3)).astype("float32")
    y = np.zeros((37, 2), "float32")
    whole = model(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model.predict(x, batch_size=8, verbose=0), whole, 1e-6)
    np.testing.assert_allclose(
        model.predict(x, batch_size=8, steps=2, verbose=0), whole[:16], 1e-6
    )
    loss = model.evaluate(x, y, batch_size=8, verbose=0)
    np.testing.assert_allclose(loss, float((whole**2).mean()), rtol=1e-5)


def test_finite_check_by_sum_then_value_by_value():
    from lamina.errors import ArgumentError
    from lamina.trainers.loop_data import check_finite_inputs

    big = torch.full((4, 3), 3e38)  # finite values whose sum overflows
    check_finite_inputs(ArrayBatches(big, batch_size=2))
    for bad, kind in ((float("inf"), "infinite"), (float("nan"), "NaN")):
        x = torch.zeros(4, 3)
        x[2, 1] = bad
        with pytest.raises(ArgumentError, match=f"{kind} values.*sample 2"):
            check_finite_inputs(ArrayBatches(x, batch_size=2))
