"""What `fit`, `evaluate` and `predict` do differently with several processes.

- `shard_for` says which part of the data this process reads (`Shard`).
- `wrap_model` wraps the model in torch's `DistributedDataParallel` for the
  training step: it broadcasts rank 0's weights once, then averages the
  gradients during `backward()`.
- `gather_batches` collects `predict`'s batches from every process, in order.

The metric states are summed over the processes where the trainer reads them
(`trainers/compile_utils.py`), and only rank 0 runs the callbacks that print
or write files (`callbacks/callback_list.py`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from lamina.backend import tree
from lamina.distribution import distribution_lib, model_parallel, process_group
from lamina.errors import ArgumentError


def world_size_for_fit() -> int:
    """How many processes the loops run on; joins the process group if needed.

    Data-parallel when `DataParallel` or `ModelParallel` (the data is split
    the same way; see `model_parallel.py`) is the current distribution, or
    when no distribution is set and the script runs under a launcher (``torchrun``)
    or in a process group of several processes.
    """
    current = distribution_lib.distribution()
    if current is None and not (
        process_group.launched_by_torchrun() or process_group.world_size() > 1
    ):
        return 1
    if process_group.launched_by_torchrun():
        process_group.init_process_group()
    return process_group.world_size()


@dataclass(frozen=True)
class Shard:
    """This process's part of the data: rank ``rank`` of ``world``.

    Args:
        rank, world: this process and the number of processes.
        equal_steps: pad the samples so that every process runs the same number
            of steps (training: every step is a collective); evaluation and
            prediction do not pad.
        split_batches: whether generators' and datasets' batches are split
            (``auto_shard_dataset``); arrays are always split.
    """

    rank: int
    world: int
    equal_steps: bool
    split_batches: bool = True

    def local_batch_size(self, batch_size: int) -> int:
        if batch_size % self.world:
            raise ArgumentError(
                f"batch_size={batch_size} is the global batch of {self.world} "
                "processes and must be a multiple of it; each process takes "
                "batch_size / processes samples per step."
            )
        return batch_size // self.world

    def sample_order(self, num_samples: int, order: torch.Tensor) -> torch.Tensor:
        """This process's samples of an epoch (DistributedSampler's rule).

        ``order`` is the epoch's order of all samples, the same on every
        process; for training it is padded with its first samples to a
        multiple of the number of processes. Rank ``r`` takes positions
        ``r, r + world, ...``, so the ``b``-th batches of all processes
        together are the ``b``-th global batch.
        """
        if self.equal_steps:
            total = math.ceil(num_samples / self.world) * self.world
            if total > num_samples:
                repeats = math.ceil(total / num_samples)
                order = order.repeat(repeats)[:total]
        return order[self.rank :: self.world]

    def rows(self, structure):
        """Rows ``rank, rank + world, ...`` of a batch from a generator or dataset."""
        if not self.split_batches:
            return structure
        return tree.map_structure(
            lambda v: v[self.rank :: self.world] if hasattr(v, "shape") else v,
            structure,
        )


def shard_for(purpose: str) -> Shard | None:
    """The `Shard` of data read for ``purpose`` ("train", "eval", "predict").

    None with one process.
    """
    world = world_size_for_fit()
    if world == 1:
        return None
    current = distribution_lib.distribution()
    auto_shard = current is None or current.auto_shard_dataset
    return Shard(process_group.rank(), world, purpose == "train", auto_shard)


def shared_seed() -> int:
    """A seed for the shuffles, drawn by every process and taken from rank 0."""
    seed = int(torch.randint(0, 2**31 - 1, ()))
    return process_group.broadcast_object(seed, "agreeing on the shuffle seed")


def wrap_model(model, custom_step: bool = False) -> torch.nn.Module | None:
    """``model`` in a `DistributedDataParallel` for the training step (None: one
    process).

    DDP broadcasts rank 0's parameters and buffers here, so every process
    starts from the same weights, and averages the gradients in ``backward()``.
    The gradient all-reduce goes through `_average_gradients`, which turns a
    lost process into a `DistributedError`.
    """
    if process_group.world_size() == 1 or model_parallel.active():
        return None  # one process, or FSDP2 shards the model per epoch
    if custom_step:
        raise ArgumentError(
            f"{type(model).__name__} overrides train_step, which lamina does not "
            "run data-parallel yet: its gradients would not be averaged over the "
            f"{process_group.world_size()} processes. Train with the built-in "
            "step, or in one process."
        )
    if not any(p.requires_grad for p in model.parameters()):
        return None
    device = next(model.parameters()).device
    ddp = _DataParallelModel(
        model,
        device_ids=[device] if device.type == "cuda" else None,
        forward_sync_buffers=False,  # buffers are broadcast once, here
    )
    ddp.register_comm_hook(process_group.world_size(), _average_gradients)
    return ddp


class _DataParallelModel(torch.nn.parallel.DistributedDataParallel):
    """DDP whose forward pass (synchronized BatchNormalization all-reduces
    there) turns a lost process into a `DistributedError`."""

    def forward(self, *args, **kwargs):
        with process_group.collective("a training step's forward pass"):
            return super().forward(*args, **kwargs)


def _average_gradients(world: int, bucket):
    """DDP's default all-reduce of a gradient bucket, with a clear error.

    (No return annotation: DDP checks it against the real type, and this
    module's annotations are strings.)
    """
    buffer = bucket.buffer().div_(world)
    future = torch.distributed.all_reduce(buffer, async_op=True).get_future()

    def finish(done: torch.futures.Future) -> torch.Tensor:
        try:
            return done.value()[0]
        except RuntimeError as error:
            raise process_group.DistributedError(
                process_group.lost_contact_message(
                    "the gradient all-reduce of a training step", error
                )
            ) from error

    return future.then(finish)


def gather_batches(outputs: list) -> list:
    """`predict`'s per-batch outputs of every process, as global batches in order.

    Process ``r`` predicted rows ``r, r + world, ...`` of each global batch
    (see `Shard`); the rows are put back in place.
    """
    world = process_group.world_size()
    if world == 1:
        return outputs
    local = [tree.map_structure(lambda t: t.detach().cpu(), out) for out in outputs]
    everyone = process_group.all_gather_objects(local, "gathering predict's outputs")
    merged = []
    for b in range(max(len(part) for part in everyone)):
        pieces = [part[b] for part in everyone if b < len(part)]
        flat = [tree.flatten(p) for p in pieces]
        leaves = []
        for i in range(len(flat[0])):
            rows = [f[i] for f in flat]
            whole = rows[0].new_empty((sum(len(r) for r in rows), *rows[0].shape[1:]))
            for r, part in enumerate(rows):
                whole[r :: len(rows)] = part
            leaves.append(whole)
        merged.append(tree.pack_sequence_as(pieces[0], leaves))
    return merged
