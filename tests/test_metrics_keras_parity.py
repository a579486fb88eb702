"""lamina's metrics give Keras's numbers (fixture: tests/fixtures/make_metrics.py)."""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import pytest
import torch

import lamina.metrics as metrics

FIXTURE = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "metrics.npz"))
SPECS = json.loads(str(FIXTURE["specs"]))
FUNCTIONS = json.loads(str(FIXTURE["functions"]))
RTOL, ATOL = 1e-5, 1e-6


def data(kind: str) -> dict[str, np.ndarray]:
    parts = ("yt1", "yp1", "yt2", "yp2", "sw2")
    return {p: FIXTURE[f"data__{kind}__{p}"] for p in parts}


def check(actual, expected, what: str) -> None:
    assert isinstance(actual, torch.Tensor), what
    np.testing.assert_allclose(
        actual.detach().cpu().numpy(), expected, rtol=RTOL, atol=ATOL, err_msg=what
    )


@pytest.mark.parametrize("key,class_name,kwargs,kind", SPECS, ids=[s[0] for s in SPECS])
def test_metric_matches_keras(key, class_name, kwargs, kind):
    d = data(kind)
    metric = getattr(metrics, class_name)(**kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IoU warns about float weights, as Keras
        # First batch as numpy arrays, second as torch tensors.
        check(metric(d["yt1"], d["yp1"]), FIXTURE[f"{key}__first"], "one update")
        second = metric(
            torch.from_numpy(d["yt2"]),
            torch.from_numpy(d["yp2"]),
            sample_weight=torch.from_numpy(d["sw2"]),
        )
        check(second, FIXTURE[f"{key}__second"], "second, weighted update")
        metric.reset_state()
        check(metric.result(), FIXTURE[f"{key}__reset"], "after reset_state")
        weighted = metric(d["yt2"], d["yp2"], sample_weight=d["sw2"])
        check(weighted, FIXTURE[f"{key}__weighted"], "weighted update after reset")


@pytest.mark.parametrize("key,class_name,kwargs,kind", SPECS, ids=[s[0] for s in SPECS])
def test_config_matches_keras(key, class_name, kwargs, kind):
    keras_config = json.loads(str(FIXTURE[f"{key}__config"]))
    config = getattr(metrics, class_name)(**kwargs).get_config()
    # Automatic names carry a per-process counter; compare the rest exactly.
    keras_config.pop("name")
    config.pop("name")
    assert config == keras_config


@pytest.mark.parametrize("class_name", ["Mean", "Sum"])
def test_reduction_matches_keras(class_name):
    d = data("values")
    key = class_name.lower()
    metric = getattr(metrics, class_name)()
    check(metric(d["yt1"]), FIXTURE[f"{key}__first"], "unweighted")
    check(
        metric(d["yt2"], sample_weight=d["sw2"]),
        FIXTURE[f"{key}__second"],
        "per-sample weights",
    )
    check(
        metric(d["yp2"], sample_weight=np.abs(d["yp1"])),
        FIXTURE[f"{key}__elementwise"],
        "element-wise weights",
    )
    metric.reset_state()
    check(metric.result(), FIXTURE[f"{key}__reset"], "after reset")


def test_mean_metric_wrapper_matches_keras():
    d = data("regression")
    metric = metrics.MeanMetricWrapper(metrics.mean_absolute_error)
    metric.update_state(d["yt1"], d["yp1"])
    check(
        metric(d["yt2"], d["yp2"], sample_weight=d["sw2"]),
        FIXTURE["wrapper__second"],
        "wrapper",
    )


@pytest.mark.parametrize(
    "key,fn_name,kwargs,kind", FUNCTIONS, ids=[f[0] for f in FUNCTIONS]
)
def test_function_matches_keras(key, fn_name, kwargs, kind):
    d = data(kind)
    values = getattr(metrics, fn_name)(d["yt1"], d["yp1"], **kwargs)
    check(values, FIXTURE[f"fn__{key}"], fn_name)
