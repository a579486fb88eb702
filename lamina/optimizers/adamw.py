"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (``w *= 1 - weight_decay * lr`` each step).

    Example:
        >>> opt = AdamW(learning_rate=1e-3, weight_decay=0.01)

    Args:
        weight_decay: float, required (not None).
        amsgrad: bool, use the AMSGrad variant.
        {arguments}
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs,
    ):
        if weight_decay is None:
            raise ArgumentError(
                "Argument `weight_decay` must be a float. Received: weight_decay=None"
            )
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
