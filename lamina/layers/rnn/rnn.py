"""RNN: run a recurrent cell over the timesteps of a sequence."""

from __future__ import annotations

import inspect

import numpy as np
import torch

from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.errors import ArgumentError, ShapeError
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.rnn import fused_kernels
from lamina.layers.rnn.base_rnn_cell import BaseRNNCell
from lamina.layers.rnn.dropout_rnn_cell import DropoutRNNCell
from lamina.layers.rnn.stacked_rnn_cells import StackedRNNCells
from lamina.serialization import deserialize_keras_object, serialize_keras_object

# A mask with gaps (or a fully masked sample): no fused kernel.
_NOT_PADDING = object()


class RNN(Layer):
    """Base class for recurrent layers: applies ``cell`` at each timestep.

    A cell is any object with ``state_size`` (an int, or a list of ints, one
    per state) and ``call(inputs_t, states) -> (output_t, new_states)``;
    optionally ``output_size`` and ``get_initial_state(batch_size)``. A list
    of cells is stacked with `StackedRNNCells`.

    Masking (from ``Embedding(mask_zero=True)`` or `Masking`) follows Keras: at
    a masked step the states keep their previous values and the output repeats
    the previous output (0 before the first valid step), or is 0 with
    ``zero_output_for_mask=True``.

    Example:
        >>> class MinimalRNNCell(lamina.layers.Layer):
        ...     def __init__(self, units, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.units = self.state_size = units
        ...     def build(self, input_shape):
        ...         self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
        ...     def call(self, inputs, states):
        ...         output = inputs @ self.kernel + states[0]
        ...         return output, [output]
        >>> layer = lamina.layers.RNN(MinimalRNNCell(8))
        >>> layer(torch.zeros(4, 10, 5)).shape
        torch.Size([4, 8])

    Args:
        cell: an RNN cell, or a list of cells (stacked).
        return_sequences: return the output of every step ``(batch, time,
            units)`` instead of the last one ``(batch, units)``.
        return_state: also return the final states (``[output, *states]``).
        go_backwards: process the sequence backwards (and return the outputs
            in that reversed order).
        stateful: keep the final states of each batch as the initial states of
            the next (sample ``i`` continues sample ``i``); `reset_states` zeroes
            them.
        unroll: Keras's graph unrolling; here a Python step loop either way, so
            it only turns off the fused kernels.
        zero_output_for_mask: output 0 (not the previous output) at masked steps.
        time_major: Keras 2: inputs and sequence outputs are ``(time, batch,
            ...)``.
        **kwargs: standard layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        sequences: ``(batch, timesteps, features)``.
        initial_state: list of initial state tensors (zeros by default).
        mask: boolean ``(batch, timesteps)``, True for the steps to use.
        training: whether dropout is active.

    Input shape:
        ``(batch, timesteps, ...)``.

    Output shape:
        ``(batch, units)``, or ``(batch, timesteps, units)`` with
        ``return_sequences``; with ``return_state`` a list ``[output, *states]``.
    """

    # Subclasses (LSTM, GRU, SimpleRNN, ConvLSTM) accept exactly this input rank.
    _input_rank: int | None = None
    _input_layout = "(batch, timesteps, features)"

    def __init__(
        self,
        cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ArgumentError(
                f"Argument `cell` should have a `call` method. Received: cell={cell!r}"
            )
        if "state_size" not in dir(cell):
            raise ArgumentError(
                "The RNN cell should have a `state_size` attribute (single integer "
                "or list of integers, one integer per RNN state). "
                f"Received: cell={cell!r}"
            )
        self.time_major = bool(kwargs.pop("time_major", False))  # Keras 2
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ArgumentError(
                "state_size must be an integer, or a list/tuple of integers (one for "
                f"each state tensor). Received: state_size={state_size!r}"
            )
        self.state_size = (
            [state_size] if isinstance(state_size, int) else list(state_size)
        )
        self._cell_takes_training = _takes_training(cell)

    # ------------------------------------------------------------------ shapes
    def _check_rank(self, shape) -> None:
        rank = self._input_rank
        if (rank is not None and len(shape) != rank) or len(shape) < 3:
            expected = (
                f"a {rank}-D input {self._input_layout}"
                if rank
                else "an input of rank >= 3 (batch, timesteps, ...)"
            )
            raise ShapeError(
                f"{type(self).__name__} layer '{self.name}' expects {expected}, "
                f"received shape {tuple(shape)}."
            )

    def build(self, sequences_shape) -> None:
        shape = tuple(sequences_shape)
        self._check_rank(shape)
        if self.time_major:
            shape = (shape[1], shape[0], *shape[2:])
        step_shape = (shape[0], *shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build(step_shape)
            self.cell.built = True
        if self.stateful and shape[0] is not None and self.states is None:
            self.states = self._zero_states(shape[0], None)
        spec_rank = {"ndim": len(shape)} if self._input_rank else {"min_ndim": 3}
        self.input_spec = InputSpec(axes={-1: shape[-1]}, **spec_rank)
        self.built = True

    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = self.state_size[0]
            size = tree.flatten(size)[0]
        if not isinstance(size, int):
            raise ArgumentError(f"output_size must be an integer, received {size!r}.")
        return size

    def _state_shapes(self, batch):
        return [
            (batch, s) if isinstance(s, int) else [(batch, d) for d in s]
            for s in self.state_size
        ]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        self._check_rank(shape)
        if self.time_major:
            shape = (shape[1], shape[0], *shape[2:])
        batch, length = shape[0], shape[1]
        size = self._output_size()
        if self.return_sequences:
            output = (length, batch, size) if self.time_major else (batch, length, size)
        else:
            output = (batch, size)
        if self.return_state:
            return [output, *self._state_shapes(batch)]
        return output

    def compute_output_spec(
        self, sequences, initial_state=None, mask=None, training=None, **kwargs
    ):
        return shapes_to_specs(
            self.compute_output_shape(sequences.shape), self.compute_dtype
        )

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    # ------------------------------------------------------------------ states
    def get_initial_state(self, batch_size: int):
        """The zero states for ``batch_size`` samples, as a list."""
        return self._zero_states(batch_size, None)

    def _zero_states(self, batch_size, like: torch.Tensor | None):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            states = fn(batch_size=batch_size)
            states = list(states) if tree.is_nested(states) else [states]
        else:
            states = [
                torch.zeros((batch_size, d), dtype=self._compute_dtype)
                for d in self.state_size
            ]
        if like is not None:
            states = tree.map_structure(
                lambda s: s.to(device=like.device, dtype=like.dtype), states
            )
        return states

    def reset_state(self, states=None) -> None:
        """Zero the states of a stateful layer (or set them to ``states``)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' must be stateful.")
        if self.states is None:
            return
        flat = tree.flatten(self.states)
        if states is None:
            new = [torch.zeros_like(s) for s in flat]
        else:
            values = tree.flatten(states) if tree.is_nested(states) else [states]
            if len(values) != len(flat):
                raise ShapeError(
                    f"Layer '{self.name}' expects {len(flat)} states, but it received "
                    f"{len(values)} state values."
                )
            new = []
            for current, value in zip(flat, values):
                value = torch.as_tensor(
                    np.asarray(value) if not isinstance(value, torch.Tensor) else value
                )
                if tuple(value.shape) != tuple(current.shape):
                    raise ShapeError(
                        f"Layer '{self.name}': state of shape {tuple(current.shape)} "
                        f"cannot be set to a value of shape {tuple(value.shape)}."
                    )
                new.append(value.to(device=current.device, dtype=current.dtype))
        self.states = tree.pack_sequence_as(self.states, new)

    def reset_states(self, states=None) -> None:
        """Keras 2 name of `reset_state`."""
        self.reset_state(states)

    def _initial_states(self, sequences, initial_state):
        batch = sequences.shape[0]
        if initial_state is None:
            if not self.stateful:
                return self._zero_states(batch, sequences)
            if self.states is None:
                self.states = self._zero_states(batch, sequences)
            expected = tree.flatten(self.states)[0].shape[0]
            if expected != batch:
                raise ShapeError(
                    f"If an RNN is stateful, the batch size of the input sequences "
                    f"must be the same as the batch size of the initial state. "
                    f"Layer '{self.name}': expected batch size {expected}, received "
                    f"{batch}."
                )
            return self.states
        states = (
            list(initial_state) if tree.is_nested(initial_state) else [initial_state]
        )
        template = self._zero_states(1, None)
        flat = tree.flatten(states)
        if len(flat) != len(tree.flatten(template)):
            raise ShapeError(
                f"Layer '{self.name}' expects {len(tree.flatten(template))} initial "
                f"states, but it received {len(flat)}."
            )
        flat = [
            torch.as_tensor(s).to(device=sequences.device, dtype=sequences.dtype)
            for s in flat
        ]
        return tree.pack_sequence_as(template, flat)

    # ------------------------------------------------------------------ calling
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if self.time_major:
            sequences = sequences.transpose(0, 1)
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None:
            mask = mask.to(torch.bool)
            if self.time_major:  # (time, batch), like the time-major inputs
                mask = mask.transpose(0, 1)
        states = self._initial_states(sequences, initial_state)
        _reset_dropout_masks(self.cell)
        try:
            result = None
            if not self.unroll and getattr(self, "use_cudnn", "auto") is not False:
                result = self._fused_call(sequences, states, mask, training)
            if result is None:
                result = self._step_loop(sequences, states, mask, training)
        finally:
            _reset_dropout_masks(self.cell)
        last_output, outputs, new_states = result
        if self.stateful:
            self.states = tree.map_structure(lambda s: s.detach(), new_states)
        if self.return_sequences:
            output = outputs.transpose(0, 1) if self.time_major else outputs
        else:
            output = last_output
        if self.return_state:
            return (output, *new_states)
        return output

    def _fused_call(self, sequences, states, mask, training):
        """Run torch's fused kernel if this layer's configuration allows it;
        return ``(last_output, outputs, states)`` or None (use the step loop)."""
        return None

    def _run_fused(self, kind: str, weights, sequences, states, mask, training):
        """The fused kernel for LSTM / GRU / SimpleRNN layers (see `_fused_call`).

        A padding mask is honoured exactly: with right padding (in processing
        order) the kernel runs on packed sequences and the padded outputs repeat
        each sample's last output; with left padding (pad_sequences's default,
        or right padding seen by ``go_backwards``) each sample's valid steps are
        moved to the front, run packed, and moved back, the padded outputs being
        0 and the states untouched as Keras's step loop leaves them.
        """
        cell = self.cell
        x = sequences
        dropout_mask = cell._training_dropout_mask(x[:, 0], training)
        if dropout_mask is not None:
            # One mask for the whole sequence, as in Keras's cuDNN path.
            x = x * dropout_mask[:, None]
        if self.go_backwards:
            x = x.flip(1)
            mask = mask.flip(1) if mask is not None else None
        padding = _padding(mask) if mask is not None else None
        if padding is _NOT_PADDING:
            return None
        if padding is None:
            outputs, finals = fused_kernels.run(kind, x, list(states), weights)
            return finals[0], outputs, finals
        side, lengths, host_lengths = padding
        steps = torch.arange(x.shape[1], device=x.device)[None]
        offset = (x.shape[1] - lengths)[:, None]
        if side == "left":
            index = (steps + offset).clamp(max=x.shape[1] - 1)
            x = x.gather(1, index[..., None].expand_as(x))
        outputs, finals = fused_kernels.run(
            kind, x, list(states), weights, host_lengths
        )
        keep = mask[..., None]
        if side == "left":
            index = (steps - offset).clamp(min=0)
            outputs = outputs.gather(1, index[..., None].expand_as(outputs))
            outputs = torch.where(keep, outputs, 0.0)
        elif not self.zero_output_for_mask:
            # Past a sample's end the output repeats its last valid output.
            outputs = torch.where(keep, outputs, finals[0][:, None])
        return outputs[:, -1], outputs, finals

    def _step_loop(self, sequences, states, mask, training):
        cell = self.cell
        builtin = isinstance(cell, BaseRNNCell)
        if builtin:
            # Input projections of all steps in one product; the loop is recurrent only.
            inputs = cell.project_inputs(sequences, training)
            step = cell.step
            kwargs = {"training": training}
        else:
            inputs = sequences
            step = cell if isinstance(cell, Layer) else cell.call
            kwargs = {"training": training} if self._cell_takes_training else {}
        steps = inputs.unbind(1)
        masks = mask.unbind(1) if mask is not None else None
        if self.go_backwards:
            steps = steps[::-1]
            masks = masks[::-1] if masks is not None else None
        outputs = []
        output = previous = None
        for t, x_t in enumerate(steps):
            output, new_states = step(x_t, states, **kwargs)
            if not tree.is_nested(new_states):
                new_states = [new_states]
            if masks is not None:
                keep = masks[t]
                if previous is None or self.zero_output_for_mask:
                    previous = torch.zeros_like(output)
                output = torch.where(_expand(keep, output), output, previous)
                flat = [
                    torch.where(_expand(keep, new), new, old)
                    for new, old in zip(tree.flatten(new_states), tree.flatten(states))
                ]
                new_states = tree.pack_sequence_as(new_states, flat)
                previous = output
            states = new_states
            if self.return_sequences:
                outputs.append(output)
        sequence = torch.stack(outputs, dim=1) if self.return_sequences else None
        return output, sequence, list(states)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
            }
        )
        if self.time_major:
            config["time_major"] = True
        config["cell"] = serialize_keras_object(self.cell)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if "cell" in config:  # LSTM, GRU, SimpleRNN store their cell's arguments
            config["cell"] = deserialize_keras_object(
                config["cell"], custom_objects=custom_objects
            )
        return super().from_config(config)


def shapes_to_specs(shapes, dtype: str):
    """KerasTensors for an output shape, or a list (possibly nested) of them."""
    if isinstance(shapes, tuple) and all(
        d is None or isinstance(d, int) for d in shapes
    ):
        return KerasTensor(shapes, dtype)
    specs = [shapes_to_specs(s, dtype) for s in shapes]
    return (
        tuple(specs)
        if isinstance(shapes, list) and all(isinstance(s, KerasTensor) for s in specs)
        else specs
    )


def _takes_training(cell) -> bool:
    if isinstance(cell, Layer):
        return cell._call_takes_training
    try:
        return "training" in inspect.signature(cell.call).parameters
    except (TypeError, ValueError):
        return False


def _expand(mask: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A ``(batch,)`` step mask shaped to broadcast over ``like``."""
    return mask.view(mask.shape[0], *([1] * (like.dim() - 1)))


def _reset_dropout_masks(cell) -> None:
    if isinstance(cell, DropoutRNNCell):
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
    if isinstance(cell, StackedRNNCells):
        for inner in cell.cells:
            _reset_dropout_masks(inner)


def _padding(mask: torch.Tensor):
    """How a boolean ``(batch, time)`` mask pads: None when nothing is masked,
    ``(side, lengths, host_lengths)`` for right or left padding, or
    `_NOT_PADDING` for gaps or fully masked samples (step loop).

    This reads one small tensor back to the host: packing needs the lengths
    there, and which path runs depends on them.
    """
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)[None]
    right = (mask == (steps < lengths[:, None])).all()
    left = (mask == (steps >= mask.shape[1] - lengths[:, None])).all()
    flags = torch.stack(
        [right, left, (lengths > 0).all(), (lengths == mask.shape[1]).all()]
    )
    summary = torch.cat([flags.long(), lengths.long()]).cpu()  # the one host read
    right, left, nonempty, full = (bool(v) for v in summary[:4])
    if full:
        return None
    if not nonempty or not (right or left):
        return _NOT_PADDING
    return ("right" if right else "left"), lengths, summary[4:]
