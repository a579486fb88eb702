"""Dense's inference copy of its kernel (F.linear's layout) follows the kernel."""

from __future__ import annotations

import numpy as np
import torch

import lamina
from lamina.layers.layer import frozen_weights


def test_inference_copy_follows_a_replaced_kernel_and_new_weights():
    dense = lamina.layers.Dense(2, use_bias=False)
    x = torch.ones(1, 3)
    dense(x)
    with torch.inference_mode(), frozen_weights(None):
        first = dense(x).clone()
        with torch.no_grad():
            dense.kernel.data = dense.kernel.data * 2  # new storage, same variable
        np.testing.assert_allclose(dense(x).numpy(), 2 * first.numpy(), rtol=1e-6)
    dense.set_weights([np.ones((3, 2), "float32")])
    np.testing.assert_allclose(_predict(dense, x), [[3.0, 3.0]])


def _predict(layer, x):
    with torch.inference_mode(), frozen_weights(None):
        return layer(x).numpy()
