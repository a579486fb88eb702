"""Conv2D's training-step gradients equal Keras's (fixture: make_conv_gradients.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lamina.layers import Conv2D

DATA = np.load(Path(__file__).parents[1] / "fixtures" / "conv_gradients.npz")
CASES = json.loads(str(DATA["cases"]))


@pytest.mark.parametrize("index", range(len(CASES)))
def test_conv2d_gradients_match_keras(index):
    kwargs = dict(CASES[index])
    if isinstance(kwargs["kernel_size"], list):
        kwargs["kernel_size"] = tuple(kwargs["kernel_size"])
    layer = Conv2D(**kwargs)
    x = torch.tensor(DATA[f"{index}/x"], requires_grad=True)
    layer.build(tuple(x.shape))
    layer.set_weights([DATA[f"{index}/kernel"], DATA[f"{index}/bias"]])
    out = layer(x)
    np.testing.assert_allclose(
        out.detach().numpy(), DATA[f"{index}/out"], rtol=1e-5, atol=1e-5
    )
    (out * torch.tensor(DATA[f"{index}/g"])).sum().backward()
    np.testing.assert_allclose(
        layer.kernel.grad.numpy(), DATA[f"{index}/grad_kernel"], rtol=1e-5, atol=1e-4
    )
    np.testing.assert_allclose(
        layer.bias.grad.numpy(), DATA[f"{index}/grad_bias"], rtol=1e-5, atol=1e-4
    )
    np.testing.assert_allclose(
        x.grad.numpy(), DATA[f"{index}/grad_x"], rtol=1e-5, atol=1e-4
    )
