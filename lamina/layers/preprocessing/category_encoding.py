"""CategoryEncoding: integer features to one-hot, multi-hot or count vectors."""

from __future__ import annotations

import torch

from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import encoding


class CategoryEncoding(Layer):
    """Encodes integer indices in ``[0, num_tokens)`` as dense vectors.

    ``one_hot`` turns each index into a vector; ``multi_hot`` marks the
    indices present in each sample (row); ``count`` counts them (optionally
    weighted by ``count_weights``). Indices outside ``[0, num_tokens)`` give
    zero rows rather than an error (no device synchronisation per call).

    Example:
        >>> layer = lamina.layers.CategoryEncoding(num_tokens=4, output_mode="count")
        >>> layer(torch.tensor([[0, 1], [0, 0], [1, 2], [3, 1]])).tolist()
        [[1.0, 1.0, 0.0, 0.0], [2.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0], \
[0.0, 1.0, 0.0, 1.0]]

    Args:
        num_tokens: the number of categories, a positive integer.
        output_mode: ``"multi_hot"`` (default; Keras 2's ``"binary"`` too),
            ``"one_hot"`` or ``"count"``.
        sparse: must be False (torch has no sparse output here).

    Call arguments:
        inputs: integer tensor of rank 0, 1 or 2.
        count_weights: same shape as ``inputs``, weights for ``"count"`` mode.

    Output shape:
        ``(batch, num_tokens)`` for rank 2 inputs; ``one_hot`` appends a
        ``num_tokens`` axis (replacing a trailing axis of size 1).
    """

    def __init__(
        self,
        num_tokens=None,
        output_mode: str = "multi_hot",
        sparse: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        encoding.validate_output_mode(
            "CategoryEncoding", output_mode, ("count", "one_hot", "multi_hot")
        )
        if num_tokens is None:
            raise ArgumentError(
                "CategoryEncoding: `num_tokens` must be set. If the number of tokens "
                "is not known beforehand, use the IntegerLookup layer instead."
            )
        if (
            not isinstance(num_tokens, int)
            or isinstance(num_tokens, bool)
            or num_tokens < 1
        ):
            raise ArgumentError(
                f"CategoryEncoding: `num_tokens` must be an integer >= 1. Received: "
                f"num_tokens={num_tokens!r}"
            )
        if sparse:
            raise ArgumentError("CategoryEncoding: `sparse=True` is not supported.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse
        self.built = True

    def call(self, inputs, count_weights=None):
        if count_weights is not None:
            if self.output_mode != "count":
                raise ArgumentError(
                    "CategoryEncoding: `count_weights` is only used with "
                    f"output_mode='count'; this layer has output_mode="
                    f"{self.output_mode!r}."
                )
            count_weights = torch.as_tensor(count_weights, device=inputs.device)
            if tuple(count_weights.shape) != tuple(inputs.shape):
                raise ArgumentError(
                    f"CategoryEncoding '{self.name}': `count_weights` must have the "
                    f"shape of the inputs {tuple(inputs.shape)}, received "
                    f"{tuple(count_weights.shape)}"
                )
        if inputs.is_floating_point():
            inputs = inputs.long()
        return encoding.encode(
            inputs,
            self.output_mode,
            self.num_tokens,
            self._compute_dtype,
            count_weights=count_weights,
        )

    def compute_output_shape(self, input_shape):
        return encoding.encoded_shape(input_shape, self.output_mode, self.num_tokens)

    def compute_output_spec(self, inputs, count_weights=None):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config
