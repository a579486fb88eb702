"""DropoutRNNCell: the dropout masks a recurrent cell reuses at every timestep."""

from __future__ import annotations

import torch

from lamina.layers.regularization.dropout import scaled_keep_mask
from lamina.random.seed_generator import layer_generator


class DropoutRNNCell:
    """Mixin for cells with ``dropout`` and ``recurrent_dropout``.

    As in Keras, one mask is drawn per call of the RNN layer and reused at
    every timestep (variational dropout, Gal & Ghahramani 2016). The RNN layer
    clears the cached masks after each call with `reset_dropout_mask` and
    `reset_recurrent_dropout_mask`. A cell whose ``dropout_mask_count`` is set
    (LSTM: 4, GRU: 3, when ``recurrent_dropout`` is used) draws one mask per
    gate, stacked along a leading axis.

    The cell needs ``dropout``, ``recurrent_dropout`` and ``seed`` attributes.

    Example:
        >>> cell = lamina.layers.LSTMCell(4, dropout=0.5)
        >>> cell.get_dropout_mask(torch.ones(2, 3)).shape
        torch.Size([2, 3])
    """

    _dropout_mask = None
    _recurrent_dropout_mask = None
    _generator = None  # `layer_generator`'s, with a seed

    def _create_dropout_mask(self, step_input: torch.Tensor, rate: float):
        count = getattr(self, "dropout_mask_count", None)
        shape = tuple(step_input.shape) if count is None else (count, *step_input.shape)
        generator = layer_generator(self, step_input.device)
        return scaled_keep_mask(shape, rate, step_input, generator)

    def get_dropout_mask(self, step_input: torch.Tensor):
        """The input dropout mask of this call (drawn on first use), or None."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input: torch.Tensor):
        """The recurrent-state dropout mask of this call, or None."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(
                step_input, self.recurrent_dropout
            )
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self) -> None:
        """Forget the cached input mask (the next call draws a new one)."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self) -> None:
        """Forget the cached recurrent mask."""
        self._recurrent_dropout_mask = None
