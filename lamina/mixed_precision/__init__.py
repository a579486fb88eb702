"""`keras.mixed_precision`: Keras 3's (legacy) names for mixed precision.

``set_global_policy("mixed_float16")`` (or ``"mixed_bfloat16"``) makes the
layers created afterwards keep their weights in float32 and compute in half
precision; `LossScaleOptimizer` scales the loss so that float16 gradients do
not underflow (``compile`` wraps the optimizer in one under
``"mixed_float16"``). The same objects live in `lamina.dtype_policies`,
`lamina.config` and `lamina.optimizers`.

Example:

>>> set_global_policy("mixed_bfloat16")
>>> global_policy()
<DTypePolicy "mixed_bfloat16">
>>> set_global_policy("float32")
"""

from __future__ import annotations

from lamina.dtype_policies.dtype_policy import (
    DTypePolicy,
    dtype_policy,
    set_dtype_policy,
)
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer

# Keras 2's names of the same objects.
Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = [
    "DTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "dtype_policy",
    "global_policy",
    "set_dtype_policy",
    "set_global_policy",
]
