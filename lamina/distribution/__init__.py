"""Keras 3's `keras.distribution` on torch.distributed.

Run the unchanged script with ``torchrun --nproc_per_node=N script.py`` (or set
``DataParallel()``): `fit`, `evaluate` and `predict` then run one process per
device, with torch's `DistributedDataParallel` averaging the gradients. Under
``ModelParallel(layout_map=...)`` each process keeps its part of every
trainable variable from the moment it is made, and torch's FSDP2 trains them.
"""

from lamina.distribution.distribution_lib import (
    DataParallel,
    DeviceMesh,
    Distribution,
    LayoutMap,
    ModelParallel,
    TensorLayout,
    distribute_tensor,
    distribution,
    get_device_count,
    initialize,
    list_devices,
    set_distribution,
)

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "Distribution",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "set_distribution",
]
