"""Masking: mark the timesteps whose features all equal a value as padding."""

from __future__ import annotations

import torch

from lamina.layers.layer import Layer


class Masking(Layer):
    """Masks timesteps whose features all equal `mask_value`.

    For an input ``(batch, timesteps, features)``, timestep ``t`` of a sample is
    masked (skipped by mask-aware downstream layers such as LSTM) when every
    feature equals `mask_value`; its outputs are set to 0.

    Example:
        >>> x = torch.tensor([[[1.0], [0.0], [2.0]]])
        >>> y = lamina.layers.Masking(mask_value=0.0)(x)
        >>> y._keras_mask
        tensor([[ True, False,  True]])

    Args:
        mask_value: the padding value (0.0).
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        ``(batch, ..., features)``.

    Output shape:
        the input's; the mask has shape ``(batch, ...)``.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config") is not None:
            from lamina.serialization import deserialize_keras_object

            mask_value = deserialize_keras_object(mask_value)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return torch.any(inputs != self.mask_value, dim=-1)

    def call(self, inputs):
        keep = torch.any(inputs != self.mask_value, dim=-1, keepdim=True)
        return torch.where(
            keep, inputs, torch.zeros((), dtype=inputs.dtype, device=inputs.device)
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
