"""Keras 3's `keras.distribution` names on torch.distributed.

`DataParallel` (or simply starting the script with ``torchrun``) makes
`Model.fit`, `evaluate` and `predict` run one process per device, the model
wrapped in torch's `DistributedDataParallel` (see `data_parallel.py`).
`DeviceMesh`, `TensorLayout` and `LayoutMap` describe meshes and layouts as in
Keras; `distribute_tensor` hands them to torch's DTensor. Under `ModelParallel`,
`fit` shards the variables over the processes with torch's FSDP2 (see
`model_parallel.py`), each along the dimension its `LayoutMap` layout names.
"""

from __future__ import annotations

import collections.abc
import contextlib
import math
import os
import re
import warnings
from collections.abc import Iterator

import numpy as np
import torch

from lamina.backend import global_state
from lamina.distribution import process_group
from lamina.errors import ArgumentError

DEFAULT_BATCH_DIM_NAME = "batch"
_SETTING = "distribution"


def _device_type(device_type: str | None) -> str:
    if device_type is None:
        if torch.cuda.is_available():
            return "gpu"
        if torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    device_type = device_type.lower()
    if device_type == "cuda":
        return "gpu"
    if device_type not in ("cpu", "gpu", "mps"):
        raise ArgumentError(
            f"Unknown device_type {device_type!r}: expected 'cpu', 'gpu' or 'mps' "
            "(torch has no TPU backend in lamina)."
        )
    return device_type


def list_devices(device_type: str | None = None) -> list[str]:
    """The devices available for distributed computation, as ``"type:id"``.

    In a process group, or started by ``torchrun``, the global devices: one
    per process, numbered by rank. Otherwise this machine's: every GPU, else the
    CPU. Never a mix of types.

    Example:

    >>> lamina.distribution.list_devices("cpu")
    ['cpu:0']

    Args:
        device_type: ``"cpu"``, ``"gpu"`` (torch's ``cuda``) or ``"mps"``;
            by default GPUs when there are any, else the CPU.
    """
    kind = _device_type(device_type)
    if process_group.is_initialized():
        return [f"{kind}:{i}" for i in range(process_group.world_size())]
    if process_group.launched_by_torchrun():  # `fit` joins the group later
        return [f"{kind}:{i}" for i in range(int(os.environ["WORLD_SIZE"]))]
    if kind == "gpu":
        count = torch.cuda.device_count()
    else:
        count = 1 if kind == "cpu" or torch.backends.mps.is_available() else 0
    return [f"{kind}:{i}" for i in range(count)]


def get_device_count(device_type: str | None = None) -> int:
    """The number of devices `list_devices` gives for ``device_type``."""
    return len(list_devices(device_type))


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Join the processes of a multi-process run (torch.distributed's group).

    Under ``torchrun`` call it without arguments (or not at all: `fit` joins
    by itself). Otherwise give every process the same ``job_addresses``
    (``"host:port"`` of process 0 first, comma separated), ``num_processes``,
    and its own ``process_id``; or set ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
    ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID``.
    The group uses NCCL when lamina's device is CUDA, else gloo.

    Example:
        >>> lamina.distribution.initialize("10.0.0.1:1234", 2, 0)  # on process 0
    """
    env = os.environ
    if job_addresses is None:
        job_addresses = env.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in env:
        num_processes = int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in env:
        process_id = int(env["KERAS_DISTRIBUTION_PROCESS_ID"])
    if job_addresses is None:
        if process_group.launched_by_torchrun():
            process_group.init_process_group()
        return
    if num_processes is None or process_id is None:
        raise ArgumentError(
            "initialize(job_addresses=...) also needs `num_processes` and "
            f"`process_id`. Received: num_processes={num_processes}, "
            f"process_id={process_id}"
        )
    coordinator = job_addresses.split(",")[0].strip()
    process_group.init_process_group(
        f"tcp://{coordinator}", int(num_processes), int(process_id)
    )


class DeviceMesh:
    """Devices laid out on named axes: ``(8,)`` for data parallelism, ``(2, 4)``
    for data and model axes.

    Example:

    >>> mesh = DeviceMesh(shape=(1,), axis_names=["batch"], devices=["cpu:0"])
    >>> mesh.devices
    array(['cpu:0'], dtype='<U5')

    Args:
        shape: the mesh's shape.
        axis_names: one name per axis.
        devices: the devices (``list_devices()`` by default).
    """

    def __init__(self, shape, axis_names, devices=None):
        if not shape or not axis_names:
            raise ArgumentError(
                "Shape and axis_names cannot be empty. Received: "
                f"shape={shape}, axis_names={axis_names}"
            )
        if len(shape) != len(axis_names):
            raise ArgumentError(
                "Shape and axis_names should have same size. "
                f"Received: shape={shape}, axis_names={axis_names}"
            )
        devices = np.array(list_devices() if devices is None else devices)
        if math.prod(shape) != devices.size:
            raise ArgumentError(
                "Shape does not match the number of devices. "
                f"Received: shape={shape}; devices.shape={devices.shape}"
            )
        self.shape = tuple(shape)
        self.axis_names = list(axis_names)
        self.devices = devices.reshape(shape)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} shape={self.shape}, axis_names={self.axis_names}>"
        )


class TensorLayout:
    """Which mesh axis each dimension of a tensor is split along (None: not split).

    Args:
        axes: one mesh axis name or None per tensor dimension.
        device_mesh: the `DeviceMesh` (can be set once, later).
    """

    def __init__(self, axes, device_mesh: DeviceMesh | None = None):
        self.axes = tuple(axes)
        self._device_mesh = None
        self.device_mesh = device_mesh

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh: DeviceMesh | None) -> None:
        if self._device_mesh is not None:
            raise ArgumentError(
                "Cannot override device mesh value. Existing value is "
                f"{self._device_mesh}"
            )
        if device_mesh is not None:
            unknown = set(self.axes) - {None} - set(device_mesh.axis_names)
            if unknown:
                raise ArgumentError(
                    "Invalid axis names for Layout. Valid axis names: "
                    f"{set(device_mesh.axis_names)}, Got {set(self.axes) - {None}}"
                )
        self._device_mesh = device_mesh

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} axes={self.axes}, device_mesh={self.device_mesh}>"
        )


class LayoutMap(collections.abc.MutableMapping):
    """Variable paths (regular expressions) to `TensorLayout`s.

    A lookup takes the exact key, else the one pattern that matches the whole
    path (two matches are an error), else None. A tuple is stored as a
    `TensorLayout` on the map's mesh.

    Example:

    >>> mesh = DeviceMesh((1,), ["model"], ["cpu:0"])
    >>> layout_map = LayoutMap(mesh)
    >>> layout_map[".*dense.*kernel"] = (None, "model")
    >>> layout_map["dense_1/kernel"].axes
    (None, 'model')

    Args:
        device_mesh: the `DeviceMesh` of the layouts.
    """

    def __init__(self, device_mesh: DeviceMesh):
        self._layouts: dict[str, TensorLayout] = {}
        self.device_mesh = device_mesh

    def __getitem__(self, key: str) -> TensorLayout | None:
        if key in self._layouts:
            return self._layouts[key]
        matches = [pattern for pattern in self._layouts if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ArgumentError(
                f"Path '{key}' matches multiple layout specification keys: "
                f"{matches}. Please make sure each tensor/variable path only "
                "matches at most one layout specification key in the LayoutMap."
            )
        return self._layouts[matches[0]] if matches else None

    def __setitem__(self, key: str, layout) -> None:
        if key in self._layouts:
            raise ArgumentError(
                f"{key} already exist in the LayoutMap with value "
                f"{self._layouts[key]}. Please make sure to not use duplicated keys."
            )
        if isinstance(layout, tuple):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ArgumentError(
                f"{layout} should be a TensorLayout type, got {type(layout)}"
            )
        if layout.device_mesh is None and self.device_mesh is not None:
            layout.device_mesh = self.device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key: str) -> None:
        del self._layouts[key]

    def __len__(self) -> int:
        return len(self._layouts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layouts)


class Distribution:
    """A way of spreading variables and data over a `DeviceMesh`.

    Args:
        device_mesh: the mesh.
        batch_dim_name: the mesh axis the batch is split along.
        auto_shard_dataset: split the data between the processes (True); False
            when each process already reads its own part.
    """

    def __init__(self, device_mesh, batch_dim_name=None, auto_shard_dataset=True):
        self.device_mesh = device_mesh
        self.batch_dim_name = batch_dim_name
        self.auto_shard_dataset = auto_shard_dataset

    @property
    def num_processes(self) -> int:
        return process_group.world_size()

    @property
    def data_shard_id(self) -> int:
        return process_group.rank()

    def get_data_layout(self, data_shape) -> TensorLayout:
        axes = [None] * len(data_shape)
        axes[0] = self.batch_dim_name
        return TensorLayout(axes, self.device_mesh)

    def get_variable_layout(self, variable) -> TensorLayout:
        layout = getattr(variable, "_layout", None)
        return layout or TensorLayout([None] * len(variable.shape), self.device_mesh)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return None

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Make this distribution the current one inside the block."""
        previous = distribution()
        set_distribution(self)
        try:
            yield
        finally:
            set_distribution(previous)

    def distribute_dataset(self, dataset):
        """The dataset unchanged: lamina's loops shard data themselves."""
        return dataset

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self.device_mesh}>"


class DataParallel(Distribution):
    """Data parallelism: every process holds the whole model and trains on its
    part of each batch; gradients are averaged by torch's
    DistributedDataParallel.

    Start one process per device with ``torchrun --nproc_per_node=N
    script.py`` (several machines: ``--nnodes`` and a rendezvous address).
    ``batch_size`` is the global batch, split evenly between the processes,
    as in Keras.

    Example:
        >>> lamina.distribution.set_distribution(lamina.distribution.DataParallel())
        >>> model.fit(x, y, batch_size=64)  # 32 samples per process with 2

    Args:
        device_mesh: a 1-D `DeviceMesh` (the first axis is used if not 1-D).
        devices: the devices, instead of a mesh (``list_devices()`` by default).
        auto_shard_dataset: split the data between the processes (True); False
            when each process already reads its own part.
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        if device_mesh is not None:
            if not isinstance(device_mesh, DeviceMesh):
                raise ArgumentError(
                    "Expect `mesh` to be an instance of `DeviceMesh`. "
                    f"Received: mesh={device_mesh} (of type {type(device_mesh)})"
                )
            if device_mesh.devices.ndim != 1:
                warnings.warn(
                    "Expect the input mesh to be 1D, but received mesh.devices.ndim="
                    f"{device_mesh.devices.ndim}. The first axis will be used for "
                    "data-parallel sharding.",
                    stacklevel=2,
                )
        else:
            devices = np.array(list_devices() if not devices else devices)
            device_mesh = DeviceMesh(
                devices.shape, [DEFAULT_BATCH_DIM_NAME], devices=devices
            )
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)

    @property
    def num_model_replicas(self) -> int:
        return int(self.device_mesh.devices.size)


class ModelParallel(Distribution):
    """Variables sharded over the processes by a `LayoutMap` (Keras 3's name):
    each process keeps its part of every trainable variable made from now on,
    and `fit` trains them with torch's FSDP2 (see `model_parallel.py`).

    Args:
        layout_map: the `LayoutMap` of variable paths to layouts.
        batch_dim_name: the mesh axis the batch is split along (the first).
        auto_shard_dataset: split the data between the processes.
    """

    def __init__(
        self, *, layout_map=None, batch_dim_name=None, auto_shard_dataset=True, **kwargs
    ):
        kwargs.pop("device_mesh", None)
        if layout_map is None:
            raise ArgumentError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ArgumentError(
                "Argument `layout_map` must be a `LayoutMap` instance. "
                f"Received: layout_map={layout_map}"
            )
        mesh = layout_map.device_mesh
        super().__init__(mesh, batch_dim_name or mesh.axis_names[0], auto_shard_dataset)
        self.layout_map = layout_map

    @property
    def num_model_replicas(self) -> int:
        return self.device_mesh.shape[
            self.device_mesh.axis_names.index(self.batch_dim_name)
        ]

    def get_variable_layout(self, variable) -> TensorLayout:
        layout = getattr(variable, "_layout", None) or self.layout_map[variable.path]
        return layout or super().get_variable_layout(variable)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return self.layout_map[path]


def distribution() -> Distribution | None:
    """The current distribution (None: one process, as without Keras's API)."""
    return global_state.get_setting(_SETTING)


def set_distribution(value: Distribution | None) -> None:
    """Make ``value`` the current distribution (`clear_session` resets it).

    Under ``torchrun``, `ModelParallel` joins the process group here: the
    variables made from now on are sharded (each process takes its device
    first, a GPU under NCCL).
    """
    global_state.set_setting(_SETTING, value)
    if isinstance(value, ModelParallel) and process_group.launched_by_torchrun():
        process_group.init_process_group()


def distribute_tensor(tensor, layout: TensorLayout):
    """``tensor`` laid out by ``layout``: a torch DTensor over the process group.

    With one process (or a layout that splits nothing) the tensor comes back
    as it is. Otherwise the layout's mesh must have one device per process.
    """
    if not isinstance(tensor, torch.Tensor) or layout is None:
        return tensor
    mesh = layout.device_mesh
    if (
        process_group.world_size() == 1
        or mesh is None
        or all(axis is None for axis in layout.axes)
    ):
        return tensor
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor import distribute_tensor as torch_distribute

    torch_mesh = init_device_mesh(
        tensor.device.type, mesh.shape, mesh_dim_names=tuple(mesh.axis_names)
    )
    placements = [Replicate()] * len(mesh.axis_names)
    for dim, axis in enumerate(layout.axes):
        if axis is not None:
            placements[mesh.axis_names.index(axis)] = Shard(dim)
    return torch_distribute(tensor, torch_mesh, placements)
