"""AdamW: Adam with decoupled weight decay."""

from __future__ import annotations

from lamina.errors import ArgumentError
from lamina.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (``w *= 1 - weight_decay * lr`` each step).

    Args:
        learning_rate: float, schedule or callable. Defaults to 0.001.
        weight_decay: float, required. Defaults to 0.004.
        beta_1: float in [0, 1). Defaults to 0.9.
        beta_2: float in [0, 1). Defaults to 0.999.
        epsilon: float. Defaults to 1e-7.
        amsgrad: bool. Defaults to False.
        **kwargs: the base arguments of `Optimizer`.

    Example:
        >>> opt = AdamW(learning_rate=1e-3, weight_decay=0.01)
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
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
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
