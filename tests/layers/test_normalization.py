"""Normalization layers: Keras's numbers, moving statistics, configs, errors."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ArgumentError, ShapeError
from tests.layer_test_utils import run_layer_test

FIXTURE = np.load(
    os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_normalization.npz"
    )
)


def close(actual, expected, tol=1e-5):
    actual = (
        actual.detach().cpu().numpy()
        if isinstance(actual, torch.Tensor)
        else np.asarray(actual)
    )
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def t(name):
    return torch.as_tensor(FIXTURE[name])


# ---------------------------------------------------------------- BatchNormalization
def test_batch_normalization_basics():
    layer = run_layer_test(
        layers.BatchNormalization,
        {},
        input_shape=(4, 3),
        expected_output_shape=(4, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=2,
        supports_masking=True,
    )
    assert [w.name for w in layer.weights] == [
        "gamma",
        "beta",
        "moving_mean",
        "moving_variance",
    ]
    run_layer_test(
        layers.BatchNormalization,
        {"axis": 1, "center": False, "scale": False, "momentum": 0.9},
        input_shape=(2, 3, 4, 4),
        expected_output_shape=(2, 3, 4, 4),
        expected_num_non_trainable_weights=2,
    )
    run_layer_test(
        layers.BatchNormalization,
        {"renorm": True, "renorm_clipping": {"rmax": 2.0}},
        input_shape=(4, 3),
        expected_output_shape=(4, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=5,
    )


BN_CASES = {
    "bn_last": ((6, 5, 3), {}),
    "bn_2d": ((7, 4), {"momentum": 0.9, "epsilon": 1e-2}),
    "bn_first": ((3, 4, 5, 5), {"axis": 1}),
    "bn_mid": ((4, 3, 5), {"axis": 1, "center": False}),
    "bn_noscale": ((6, 4), {"scale": False, "center": False}),
    "bn_mask": ((3, 5, 4), {}),
    "bn_renorm": (
        (8, 3),
        {
            "renorm": True,
            "renorm_clipping": {"rmax": 1.5, "rmin": 0.7, "dmax": 0.5},
            "renorm_momentum": 0.9,
        },
    ),
    "bn_renorm_free": ((8, 3), {"renorm": True, "momentum": 0.8}),
    "bn_image": ((3, 4, 5, 6), {}),
    "bn_volume": ((2, 3, 4, 2, 5), {"momentum": 0.5}),
}


@pytest.mark.parametrize("key", sorted(BN_CASES))
def test_batch_normalization_training_matches_keras(key):
    """Outputs, gradients and moving statistics over two training steps."""
    shape, kwargs = BN_CASES[key]
    layer = layers.BatchNormalization(**kwargs)
    layer.build(shape)
    layer.set_weights(
        [FIXTURE[f"{key}_init{i}"] for i in range(int(FIXTURE[f"{key}_init"]))]
    )
    for step in range(2):
        x = t(f"{key}_x{step}").requires_grad_(True)
        call_kwargs = {"training": True}
        if f"{key}_mask{step}" in FIXTURE:
            call_kwargs["mask"] = t(f"{key}_mask{step}")
        y = layer(x, **call_kwargs)
        close(y, FIXTURE[f"{key}_y{step}"])
        grads = torch.autograd.grad(
            (y * t(f"{key}_up{step}")).sum(), [x, *layer.trainable_weights]
        )
        close(grads[0], FIXTURE[f"{key}_gx{step}"], tol=1e-4)
        for i, g in enumerate(grads[1:]):
            close(g, FIXTURE[f"{key}_g{step}_{i}"], tol=1e-4)
        for i, w in enumerate(layer.get_weights()):
            close(w, FIXTURE[f"{key}_w{step}_{i}"])
    close(layer(t(f"{key}_xinf"), training=False), FIXTURE[f"{key}_yinf"])
    # Inference leaves the moving statistics alone.
    for i, w in enumerate(layer.get_weights()):
        close(w, FIXTURE[f"{key}_w1_{i}"])


def test_frozen_batch_normalization_runs_in_inference_mode():
    layer = layers.BatchNormalization()
    layer.build((None, 3))
    layer.set_weights([FIXTURE[f"bn_frozen_w{i}"] for i in range(4)])
    layer.trainable = False
    before = layer.get_weights()
    close(layer(t("bn_frozen_x"), training=True), FIXTURE["bn_frozen_y"])
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 4


def test_batch_normalization_default_call_is_inference():
    layer = layers.BatchNormalization()
    x = torch.randn(8, 3) * 4 + 2
    y = layer(x)  # moving mean 0, variance 1: only epsilon changes the scale
    close(y, x.numpy() / np.sqrt(1 + 1e-3))
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))


def test_batch_normalization_moving_statistics_are_biased_and_in_place():
    layer = layers.BatchNormalization(momentum=0.5)
    x = torch.randn(10, 2) * 3
    layer(x, training=True)
    mean_var = layer.moving_variance
    close(layer.moving_mean, 0.5 * x.mean(0).numpy())
    # Keras keeps the biased batch variance (torch's running_var would not).
    close(layer.moving_variance, 0.5 + 0.5 * x.var(0, unbiased=False).numpy())
    layer(x, training=True)
    assert layer.moving_variance is mean_var
    assert not layer.moving_variance.requires_grad


def test_batch_normalization_trains_in_fit():
    model = lamina.Sequential(
        [
            lamina.Input((4,)),
            layers.Dense(3),
            layers.BatchNormalization(),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).standard_normal((32, 4)).astype("float32") * 3 + 1
    y = x.sum(axis=1, keepdims=True)
    bn = model.layers[1]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert not np.allclose(bn.moving_mean.numpy(), 0.0)
    # predict runs in inference mode: the moving statistics stay.
    before = bn.moving_mean.numpy()
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


def test_batch_normalization_regularizers_constraints_and_mask_pass_through():
    layer = layers.BatchNormalization(
        gamma_regularizer="l2", beta_constraint="non_neg", name="bn"
    )
    x = torch.randn(2, 5, 3)
    mask = torch.tensor([[True, True, False, True, False]] * 2)
    x._keras_mask = mask
    y = layer(x, training=True)
    assert torch.equal(y._keras_mask, mask)
    (penalty,) = layer.losses
    close(penalty, 0.01 * 3.0)  # l2(0.01) of gamma = ones(3)
    assert layer.beta.constraint is not None and layer.gamma.constraint is None


def test_batch_normalization_keras2_arguments():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = layers.BatchNormalization(fused=True, axis=[3], virtual_batch_size=None)
    assert layer.axis == 3
    assert "fused" not in layer.get_config()
    assert any(
        issubclass(w.category, DeprecationWarning) and "fused" in str(w.message)
        for w in caught
    )
    with pytest.raises(ArgumentError, match="virtual_batch_size"):
        layers.BatchNormalization(virtual_batch_size=4)


def test_batch_normalization_config_matches_keras_keys():
    config = layers.BatchNormalization().get_config()
    assert list(config)[3:] == [
        "axis",
        "momentum",
        "epsilon",
        "center",
        "scale",
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
        "synchronized",
        "renorm",
        "renorm_clipping",
        "renorm_momentum",
    ]
    assert config["momentum"] == 0.99 and config["epsilon"] == 1e-3


def test_batch_normalization_errors():
    with pytest.raises(ArgumentError, match="axis"):
        layers.BatchNormalization(axis="last")
    with pytest.raises(ArgumentError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1, "x": 2})
    with pytest.raises(ArgumentError, match="rmax"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmax": 1, "rmin": 2})
    with pytest.raises(ShapeError, match=r"axis 3 is out of bounds.*\(2, 3\)"):
        layers.BatchNormalization(axis=3)(torch.zeros(2, 3))
    layer = layers.BatchNormalization(name="bn")
    layer(torch.zeros(2, 3))
    with pytest.raises(ShapeError, match="bn"):
        layer(torch.zeros(2, 4))
    with pytest.raises(ShapeError, match="mask"):
        layer(torch.zeros(2, 3), mask=torch.ones(2, 3, dtype=torch.bool), training=True)


def test_batch_normalization_synchronized_single_process(tmp_path):
    """synchronized=True all-reduces the statistics over the process group."""
    import torch.distributed as dist

    if not dist.is_available():
        pytest.skip("torch.distributed is not available")
    dist.init_process_group(
        "gloo", init_method=f"file://{tmp_path}/store", rank=0, world_size=1
    )
    try:
        sync = layers.BatchNormalization(synchronized=True)
        local = layers.BatchNormalization()
        x = torch.randn(9, 4) * 2 + 1
        xs = x.clone().requires_grad_(True)
        xl = x.clone().requires_grad_(True)
        ys, yl = sync(xs, training=True), local(xl, training=True)
        close(ys, yl.detach().numpy())
        (ys * x).sum().backward()
        (yl * x).sum().backward()
        close(xs.grad, xl.grad.numpy(), tol=1e-4)
        close(sync.moving_variance, local.moving_variance.detach().numpy())
    finally:
        dist.destroy_process_group()


# ---------------------------------------------------------------- Layer / Group / RMS
SIMPLE_CASES = {
    "ln_last": (layers.LayerNormalization, {}),
    "ln_23": (layers.LayerNormalization, {"axis": [2, 3]}),
    "ln_12": (layers.LayerNormalization, {"axis": [1, 2]}),
    "ln_mid": (layers.LayerNormalization, {"axis": 1}),
    "ln_13": (layers.LayerNormalization, {"axis": [1, 3], "epsilon": 1e-5}),
    "ln_nocenter": (layers.LayerNormalization, {"center": False}),
    "ln_noscale": (layers.LayerNormalization, {"scale": False, "epsilon": 0.1}),
    "ln_rms": (layers.LayerNormalization, {"rms_scaling": True}),
    "gn_last": (layers.GroupNormalization, {"groups": 2}),
    "gn_inst": (layers.GroupNormalization, {"groups": -1, "epsilon": 1e-4}),
    "gn_one": (layers.GroupNormalization, {"groups": 1, "center": False}),
    "gn_first": (layers.GroupNormalization, {"groups": 3, "axis": 1}),
    "gn_mid": (layers.GroupNormalization, {"groups": 2, "axis": 2, "scale": False}),
    "rms_last": (layers.RMSNormalization, {}),
    "rms_12": (layers.RMSNormalization, {"axis": [1, 2], "epsilon": 1e-3}),
}


@pytest.mark.parametrize("key", sorted(SIMPLE_CASES))
def test_feature_normalization_matches_keras(key):
    cls, kwargs = SIMPLE_CASES[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = cls(**kwargs)
    x = t(f"{key}_x").requires_grad_(True)
    layer.build(tuple(x.shape))
    layer.set_weights([FIXTURE[f"{key}_w{i}"] for i in range(len(layer.weights))])
    y = layer(x)
    close(y, FIXTURE[f"{key}_y"])
    grads = torch.autograd.grad(
        (y * t(f"{key}_up")).sum(), [x, *layer.trainable_weights]
    )
    for i, g in enumerate(grads):
        close(g, FIXTURE[f"{key}_g{i}"], tol=1e-4)


def test_layer_normalization_basics():
    layer = run_layer_test(
        layers.LayerNormalization,
        {"axis": [1, 2]},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=2,
        expected_weight_shapes=[(3, 4), (3, 4)],
        supports_masking=True,
    )
    assert layer.get_config()["axis"] == [1, 2]
    built = layers.LayerNormalization()
    built(torch.zeros(2, 3))
    assert built.get_config()["axis"] == [-1]  # Keras lists the axis once built
    with pytest.warns(UserWarning, match="rms_scaling"):
        rms = layers.LayerNormalization(rms_scaling=True)
    rms(torch.zeros(2, 3))
    assert [w.name for w in rms.weights] == ["gamma"]
    with pytest.raises(ArgumentError, match="axis"):
        layers.LayerNormalization(axis="x")
    with pytest.raises(ShapeError, match="axis 3 is out of bounds"):
        layers.LayerNormalization(axis=3)(torch.zeros(2, 3))
    # Trailing axes: any rank with the same trailing sizes, as in Keras.
    shared = layers.LayerNormalization(name="ln")
    shared(torch.zeros(2, 5, 8))
    assert shared(torch.zeros(3, 8)).shape == (3, 8)
    with pytest.raises(ShapeError, match=r"ln.*axis -1.*value 8.*\(3, 7\)"):
        shared(torch.zeros(3, 7))
    middle = layers.LayerNormalization(axis=1)
    middle(torch.zeros(2, 5, 8))
    with pytest.raises(ShapeError, match="ndim=3"):
        middle(torch.zeros(2, 5))


def test_layer_normalization_half_precision_computes_in_float32():
    layer = layers.LayerNormalization(dtype="bfloat16")
    x = torch.randn(4, 8).to(torch.bfloat16) * 100
    y = layer(x)
    assert y.dtype == torch.bfloat16
    expected = torch.nn.functional.layer_norm(x.float(), (8,), eps=1e-3)
    close(y.float(), expected.numpy(), tol=2e-2)


def test_group_normalization_basics():
    layer = run_layer_test(
        layers.GroupNormalization,
        {"groups": 2},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=2,
        supports_masking=True,
    )
    assert layer.groups == 2
    instance = layers.GroupNormalization(groups=-1)
    instance(torch.zeros(2, 3, 5))
    assert instance.get_config()["groups"] == 5
    with pytest.raises(ArgumentError, match="groups=0"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ShapeError, match=r"number of groups \(4\).*channels \(3\)"):
        layers.GroupNormalization(groups=4)(torch.zeros(2, 3))
    with pytest.raises(ShapeError, match=r"channels \(6\).*groups \(4\)"):
        layers.GroupNormalization(groups=4)(torch.zeros(2, 6))


def test_rms_normalization_basics_and_non_trailing_axes():
    run_layer_test(
        layers.RMSNormalization,
        {},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_num_trainable_weights=1,
        expected_weight_shapes=[(4,)],
    )
    # Keras fails on these axes; the formula decides.
    layer = layers.RMSNormalization(axis=1, epsilon=1e-3)
    x = torch.randn(2, 3, 4)
    layer.build((2, 3, 4))
    scale = np.arange(1, 4, dtype="float32")
    layer.set_weights([scale])
    xn = x.numpy()
    expected = (
        xn / np.sqrt((xn**2).mean(axis=1, keepdims=True) + 1e-3) * scale[None, :, None]
    )
    close(layer(x), expected)


def test_unit_normalization_matches_keras():
    for key, axis in [("unit_last", -1), ("unit_12", [1, 2]), ("unit_1", 1)]:
        close(layers.UnitNormalization(axis=axis)(t(f"{key}_x")), FIXTURE[f"{key}_y"])
    run_layer_test(
        layers.UnitNormalization,
        {"axis": [1, 2]},
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        supports_masking=True,
    )


# ---------------------------------------------------------------- SpectralNormalization
@pytest.mark.parametrize("key", ["sn_dense", "sn_dense3", "sn_embedding", "sn_conv"])
def test_spectral_normalization_matches_keras(key):
    if key == "sn_conv" and not hasattr(layers, "Conv2D"):
        pytest.skip("lamina.layers.Conv2D is not available")
    inner, shape, iterations = {
        "sn_dense": (lambda: layers.Dense(4), (3, 5), 1),
        "sn_dense3": (lambda: layers.Dense(3, use_bias=False), (2, 6), 3),
        "sn_embedding": (lambda: layers.Embedding(6, 4), (2, 3), 2),
        "sn_conv": (lambda: layers.Conv2D(3, 2), (2, 4, 4, 2), 1),
    }[key]
    layer = layers.SpectralNormalization(inner(), power_iterations=iterations)
    layer.build(shape)
    count = len(layer.weights)
    layer.set_weights([FIXTURE[f"{key}_init{i}"] for i in range(count)])
    for step in range(2):
        close(layer(t(f"{key}_x{step}"), training=True), FIXTURE[f"{key}_y{step}"])
        for i, w in enumerate(layer.get_weights()):
            close(w, FIXTURE[f"{key}_w{step}_{i}"])
    close(layer(t(f"{key}_xinf"), training=False), FIXTURE[f"{key}_yinf"])


def test_spectral_normalization_basics():
    layer = run_layer_test(
        layers.SpectralNormalization,
        {"layer": layers.Dense(3), "power_iterations": 2},
        input_shape=(2, 4),
        expected_output_shape=(2, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
    )
    # Keras's order: the wrapped kernel, vector_u, then the rest.
    assert [w.name for w in layer.weights] == ["kernel", "vector_u", "bias"]
    zero = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    zero(torch.ones(1, 3), training=True)
    assert torch.isfinite(zero.layer.kernel).all()
    with pytest.raises(ArgumentError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ArgumentError, match="kernel"):
        layers.SpectralNormalization(layers.Flatten())(torch.ones(2, 3))


# ---------------------------------------------------------------- files
def test_loads_keras_file_and_round_trips(tmp_path):
    path = os.path.join(
        os.path.dirname(__file__), "..", "fixtures", "layers_normalization.keras"
    )
    model = lamina.models.load_model(path)
    close(model.predict(FIXTURE["file_x"], verbose=0), FIXTURE["file_y"])
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras")
    close(again.predict(FIXTURE["file_x"], verbose=0), FIXTURE["file_y"])
