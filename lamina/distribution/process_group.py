"""The process group lamina trains over, and the few collectives the loops use.

Everything here is torch.distributed: the group is made by
`torch.distributed.init_process_group` (gloo on the CPU, NCCL on CUDA) from
the environment `torchrun` sets (``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``,
``MASTER_PORT``, ``LOCAL_RANK``) or from `lamina.distribution.initialize`.
Without a group every function here is a no-op for one process: rank 0 of 1.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime
import os
import time
from collections.abc import Iterator

import torch
import torch.distributed as dist

from lamina.backend import config
from lamina.errors import ArgumentError

# The environment torchrun sets for each process it starts.
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")

# How long a collective waits for the other processes before it fails, in
# seconds (torch's default is 30 minutes): a dead rank then ends the others
# with an error instead of a hang.
TIMEOUT_VARIABLE = "LAMINA_DISTRIBUTED_TIMEOUT"


class DistributedError(RuntimeError):
    """A collective failed: another process died, or did not answer in time."""


def is_initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def world_size() -> int:
    """The number of processes in the group (1 without one)."""
    return dist.get_world_size() if is_initialized() else 1


def rank() -> int:
    """This process's rank in the group (0 without one)."""
    return dist.get_rank() if is_initialized() else 0


def is_chief() -> bool:
    """Whether this process prints and writes files: rank 0."""
    return rank() == 0


def launched_by_torchrun() -> bool:
    """Whether a launcher such as torchrun started several processes."""
    return (
        all(name in os.environ for name in TORCHRUN_VARIABLES)
        and int(os.environ["WORLD_SIZE"]) > 1
    )


def timeout() -> datetime.timedelta:
    seconds = float(os.environ.get(TIMEOUT_VARIABLE, 1800))
    return datetime.timedelta(seconds=seconds)


def init_process_group(
    init_method: str | None = None,
    world_size: int | None = None,
    rank: int | None = None,
) -> None:
    """Join the process group (once): NCCL when this process uses CUDA, else gloo.

    Under torchrun each process takes the GPU of its ``LOCAL_RANK``, which then
    becomes lamina's device.
    """
    if is_initialized():
        return
    if not dist.is_available():
        raise ArgumentError("This build of torch has no torch.distributed.")
    backend = "gloo"
    if config.device().type == "cuda":
        local_rank = int(os.environ.get("LOCAL_RANK", 0))
        torch.cuda.set_device(local_rank)
        config.set_device(f"cuda:{local_rank}")
        backend = "nccl"
    options = {"backend": backend, "timeout": timeout()}
    if init_method is not None:
        options.update(init_method=init_method, world_size=world_size, rank=rank)
    dist.init_process_group(**options)
    atexit.register(_leave_group)


# How long the interpreter waits at exit, with the GIL released, for torch's
# communication threads to drop their last finished collectives (see below).
EXIT_GRACE_SECONDS = 0.1


def _leave_group() -> None:
    """End the group lamina made, then let its worker threads settle.

    A gloo worker thread drops a finished collective (DDP's gradient
    all-reduce, for one) a moment after the waiting thread resumes, and that
    releases the Python context the collective captured, which takes the GIL.
    Once the interpreter is finalizing, a thread that asks for the GIL is ended
    from inside a destructor, and the process aborts (SIGABRT, "terminate
    called without an active exception"): a quarter of 2-process runs that
    exit right after a DDP step did. Waiting at exit with the GIL released
    lets the threads finish first (0 aborts in 60 such runs).
    """
    if is_initialized():
        with contextlib.suppress(Exception):
            dist.destroy_process_group()
    time.sleep(EXIT_GRACE_SECONDS)


@contextlib.contextmanager
def collective(what: str) -> Iterator[None]:
    """Turn a failed collective into a `DistributedError` that says what happened."""
    try:
        yield
    except DistributedError:
        raise
    except RuntimeError as error:  # torch's DistError and gloo's errors included
        raise DistributedError(lost_contact_message(what, error)) from error


def lost_contact_message(what: str, error: BaseException) -> str:
    return (
        f"Data-parallel training stopped on rank {rank()} of {world_size()}: "
        f"{what} failed, because another process died or did not answer within "
        f"the process group's timeout ({timeout().total_seconds():g} s, "
        f"${TIMEOUT_VARIABLE}). Cause: {error}"
    )


def all_reduce_sum_(tensor: torch.Tensor, what: str) -> torch.Tensor:
    """Sum ``tensor`` over the processes, in place."""
    with collective(what):
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def broadcast_object(value, what: str):
    """Rank 0's ``value`` on every process."""
    box = [value]
    with collective(what):
        dist.broadcast_object_list(box, src=0)
    return box[0]


def all_gather_objects(value, what: str) -> list:
    """Every process's ``value``, in rank order."""
    gathered = [None] * world_size()
    with collective(what):
        dist.all_gather_object(gathered, value)
    return gathered
