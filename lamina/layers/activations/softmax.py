"""Softmax: the softmax activation as a layer, with mask support."""

from __future__ import annotations

import torch

from lamina import activations
from lamina.errors import ShapeError
from lamina.layers.activations.activation_layer import ActivationLayer


def _large_negative_number(dtype: torch.dtype) -> float:
    # float16 cannot hold -1e9; Keras uses -3e4 there.
    return -3e4 if dtype == torch.float16 else -1e9


class Softmax(ActivationLayer):
    """Softmax over `axis`; positions where the mask is False get zero.

    Masked positions are set to a large negative number before the softmax
    (so they take no share) and to 0 after it, as in Keras.

    Example:
        >>> layer = lamina.layers.Softmax()
        >>> layer(torch.tensor([[1.0, 2.0, 1.0]]))
        tensor([[0.2119, 0.5761, 0.2119]])

    Args:
        axis: an int or a tuple of ints, the axes to normalize over (-1).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        inputs: the logits.
        mask: a boolean (or 0/1) tensor broadcastable to the inputs; True keeps.

    Input shape:
        any.

    Output shape:
        the input's.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, list) else axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._check_mask(inputs, mask)
            inputs = torch.where(mask, inputs, _large_negative_number(inputs.dtype))
        axis = self.axis
        if isinstance(axis, tuple) and len(axis) > 1:
            outputs = torch.exp(
                inputs - torch.logsumexp(inputs, dim=axis, keepdim=True)
            )
        else:
            outputs = activations.softmax(
                inputs, axis=axis[0] if isinstance(axis, tuple) else axis
            )
        if mask is not None:
            outputs = torch.where(mask, outputs, 0.0)
        return outputs

    def _check_mask(self, inputs: torch.Tensor, mask) -> torch.Tensor:
        mask = torch.as_tensor(mask, device=inputs.device)
        ok = mask.dim() <= inputs.dim() and all(
            m in (1, i) for m, i in zip(mask.shape[::-1], inputs.shape[::-1])
        )
        if not ok:
            raise ShapeError(
                f"Layer '{self.name}': the `mask` must be broadcastable to `inputs` "
                f"and must not have more dimensions. Received: "
                f"inputs.shape={tuple(inputs.shape)}, mask.shape={tuple(mask.shape)}"
            )
        return mask if mask.dtype == torch.bool else mask > 0.5

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
