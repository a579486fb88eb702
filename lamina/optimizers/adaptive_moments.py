"""The base of Adam, Adamax, Nadam, Lamb and ScheduleFreeAdamW: decaying moments."""

from __future__ import annotations

from lamina.optimizers.optimizer import Optimizer, _check_number, _f32


class AdaptiveMoments(Optimizer):
    """An optimizer steering by decaying averages of the gradient's moments.

    It checks and keeps the arguments they share and creates their two slots
    per variable as Keras names them: ``momentum``, then the second moment
    (``velocity``; Adamax's ``norm``, set by `_second_moment`). Each writes its
    update.

    Args:
        {arguments}
    """

    _config_arguments = ("beta_1", "beta_2", "epsilon")
    _second_moment = "velocity"

    def __init__(
        self,
        learning_rate=0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = _check_number("beta_1", beta_1, 0.0, 1.0, high_open=True)
        self.beta_2 = _check_number("beta_2", beta_2, 0.0, 1.0, high_open=True)
        self.epsilon = _check_number("epsilon", epsilon, low=0.0)
        # Keras raises the float32 betas to the step in float32; so do we.
        self._beta_1_f32 = _f32(beta_1)
        self._beta_2_f32 = _f32(beta_2)

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", self._second_moment]
        )
