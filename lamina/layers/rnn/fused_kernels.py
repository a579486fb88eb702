"""torch's fused recurrent kernels (cuDNN on CUDA) fed with Keras-layout weights.

The layers keep one set of trainable weights, in Keras layout
(``kernel (in, gates*units)``, ``recurrent_kernel (units, gates*units)``). Each
call builds torch's weight list from them by transposes (views) and, for the
GRU, one gate reordering; gradients flow back to the Keras-layout weights, so
training updates a single set of parameters.

torch's gate order is LSTM ``i, f, g, o`` (Keras's ``i, f, c, o``: the same) and
GRU ``r, z, n`` (Keras's ``z, r, h``: reordered here). torch's GRU computes
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, which is Keras's
``reset_after=True`` GRU.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

_ZEROS: dict = {}


def _zeros(size: int, like: torch.Tensor) -> torch.Tensor:
    """A cached zero bias (torch wants both an input and a recurrent bias)."""
    key = (size, like.dtype, like.device)
    zeros = _ZEROS.get(key)
    if zeros is None:
        # Not an inference tensor, though `predict` may be the first to ask: a
        # training step reuses it later.
        with torch.inference_mode(False):
            zeros = torch.zeros(size, dtype=like.dtype, device=like.device)
        _ZEROS[key] = zeros
    return zeros


def _transpose(weight: torch.Tensor) -> torch.Tensor:
    # cuDNN copies its weights into one flat buffer anyway; contiguous here lets
    # it take the fast path. On the CPU the transposed view costs nothing.
    return weight.t().contiguous() if weight.is_cuda else weight.t()


def lstm_weights(cell) -> list[torch.Tensor]:
    """torch's ``[w_ih, w_hh, b_ih, b_hh]`` from an LSTMCell's Keras weights."""
    weights = [_transpose(cell.kernel), _transpose(cell.recurrent_kernel)]
    if cell.bias is not None:
        weights += [cell.bias, _zeros(cell.bias.shape[0], cell.bias)]
    return weights


def _zrh_to_rzh(weight: torch.Tensor, units: int) -> torch.Tensor:
    z, r, h = (
        weight[..., :units],
        weight[..., units : 2 * units],
        weight[..., 2 * units :],
    )
    return torch.cat((r, z, h), dim=-1)


def gru_weights(cell) -> list[torch.Tensor]:
    """torch's GRU weights (gates ``r, z, n``) from a reset_after GRUCell."""
    units = cell.units
    weights = [
        _transpose(_zrh_to_rzh(cell.kernel, units)),
        _transpose(_zrh_to_rzh(cell.recurrent_kernel, units)),
    ]
    if cell.bias is not None:
        bias = _zrh_to_rzh(cell.bias, units)  # (2, 3 * units): input, recurrent
        weights += [bias[0], bias[1]]
    return weights


def simple_rnn_weights(cell) -> list[torch.Tensor]:
    weights = [_transpose(cell.kernel), _transpose(cell.recurrent_kernel)]
    if cell.bias is not None:
        weights += [cell.bias, _zeros(cell.bias.shape[0], cell.bias)]
    return weights


_KERNELS = {
    "lstm": torch._VF.lstm,
    "gru": torch._VF.gru,
    "rnn_tanh": torch._VF.rnn_tanh,
    "rnn_relu": torch._VF.rnn_relu,
}


def run(
    kind: str,
    inputs: torch.Tensor,
    states: list[torch.Tensor],
    weights: list[torch.Tensor],
    lengths: torch.Tensor | None = None,
):
    """Run a one-layer fused RNN over ``inputs (batch, time, features)``.

    Args:
        kind: ``"lstm"``, ``"gru"``, ``"rnn_tanh"`` or ``"rnn_relu"``.
        inputs: the (already dropped-out) input sequence, batch first.
        states: ``[h0]`` or, for the LSTM, ``[h0, c0]``, each ``(batch, units)``.
        weights: torch's weight list for the cell.
        lengths: per-sample lengths (int64, on the CPU) of right-padded
            sequences, or None when every step is valid.

    Returns:
        ``(outputs (batch, time, units), final states)``; with ``lengths`` the
        final states are those after each sample's last valid step and the
        outputs past it are 0.
    """
    kernel = _KERNELS[kind]
    has_bias = len(weights) == 4
    train = torch.is_grad_enabled()
    if lengths is None:
        hx = tuple(s.unsqueeze(0) for s in states)
        result = kernel(
            inputs,
            hx if kind == "lstm" else hx[0],
            weights,
            has_bias,
            1,
            0.0,
            train,
            False,
            True,
        )
        return result[0], [s.squeeze(0) for s in result[1:]]
    packed = pack_padded_sequence(
        inputs, lengths, batch_first=True, enforce_sorted=False
    )
    order = packed.sorted_indices
    hx = tuple(s.index_select(0, order).unsqueeze(0) for s in states)
    result = kernel(
        packed.data,
        packed.batch_sizes,
        hx if kind == "lstm" else hx[0],
        weights,
        has_bias,
        1,
        0.0,
        train,
        False,
    )
    outputs, _ = pad_packed_sequence(
        PackedSequence(result[0], packed.batch_sizes, order, packed.unsorted_indices),
        batch_first=True,
        total_length=inputs.shape[1],
    )
    finals = [s.squeeze(0).index_select(0, packed.unsorted_indices) for s in result[1:]]
    return outputs, finals
