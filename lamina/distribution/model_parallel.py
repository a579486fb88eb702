"""`ModelParallel` for `fit`: the variables sharded over the processes by FSDP2.

While an epoch's training batches run, every layer that owns weights is a
unit of torch's ``fully_shard`` (FSDP2): each process keeps 1/N of every
variable, of its gradient and of the optimizer state; a layer's whole weights
are gathered just before its forward pass and freed after it (and again for
its backward pass), and the gradients are reduce-scattered. The `LayoutMap`
picks the dimension each variable is split along (its first named mesh axis;
the first dimension when the map has no layout for it). Each global batch is
split over all the processes, as with `DataParallel`, so the update is the
one a single process would make on the whole batch.

At the epoch's end the variables and the optimizer state are gathered whole
into the model again, so validation, callbacks, saving, `evaluate` and
`predict` see an ordinary model; the next epoch shards them again.
"""

from __future__ import annotations

import contextlib

import torch

from lamina.distribution import distribution_lib, process_group
from lamina.errors import ArgumentError


def active() -> bool:
    """Whether `fit` shards the model: `ModelParallel` with several processes."""
    return (
        isinstance(distribution_lib.distribution(), distribution_lib.ModelParallel)
        and process_group.world_size() > 1
    )


def for_fit(model, custom_step: bool, callbacks: list) -> ShardedEpochs | None:
    """The sharding of ``model``'s training epochs (None without ModelParallel).

    Checks first what lamina cannot run sharded, with the reason.
    """
    if not active():
        return None
    name = type(model).__name__
    if custom_step:
        raise ArgumentError(
            f"{name} overrides train_step, which lamina does not run under "
            "ModelParallel: the sharded weights are gathered by the model's own "
            "call only. Train with the built-in step, or use DataParallel."
        )
    if getattr(model, "_jit_steps", None) is not None:
        raise ArgumentError(
            "compile(jit_compile=True) is not supported with ModelParallel in "
            "lamina (torch.compile of FSDP2 units is not wired in): compile "
            "with jit_compile=False."
        )
    optimizer = model.optimizer
    for inner in _optimizers_in(optimizer):
        kind = type(inner).__name__
        if kind in _UNSHARDABLE_OPTIMIZERS:
            raise ArgumentError(
                f"{kind} cannot update sharded variables in lamina "
                f"({_UNSHARDABLE_OPTIMIZERS[kind]}). Use another optimizer with "
                "ModelParallel, or DataParallel."
            )
    for callback in callbacks:
        save_freq = getattr(callback, "save_freq", "epoch")
        if save_freq != "epoch" and isinstance(save_freq, int):
            raise ArgumentError(
                f"{type(callback).__name__}(save_freq={save_freq}) saves in the "
                "middle of an epoch, when lamina's ModelParallel holds only "
                "shards of the weights: use save_freq='epoch'."
            )
    _check_torch()
    return ShardedEpochs(model, distribution_lib.distribution())


def _check_torch() -> None:
    """FSDP2 as lamina uses it: ``fully_shard`` with ``ignored_params``."""
    import inspect

    try:
        from torch.distributed.fsdp import fully_shard
    except ImportError:
        fully_shard = None
    if (
        fully_shard is None
        or "ignored_params" not in inspect.signature(fully_shard).parameters
    ):
        raise ArgumentError(
            f"ModelParallel needs FSDP2's fully_shard with `ignored_params`, "
            f"which torch {torch.__version__} lacks: use a newer torch (lamina "
            "tests it with 2.13), or DataParallel."
        )


_UNSHARDABLE_OPTIMIZERS = {
    "Adafactor": "its factored second moments are reduced in place along "
    "the sharded dimensions",
    "Ftrl": "its update copies into several state tensors at once, which "
    "torch's DTensor does not shard",
}


def _optimizers_in(optimizer) -> list:
    found = [optimizer]
    inner = getattr(optimizer, "inner_optimizer", None)
    if inner is not None:
        found += _optimizers_in(inner)
    for sub in getattr(optimizer, "optimizers", None) or ():
        found += _optimizers_in(sub)
    return found


class ShardedEpochs:
    """Shards ``model`` (and its optimizer's state) for each training epoch.

    ``with sharding.epoch() as params:`` runs the epoch's batches on the
    sharded model; ``params`` are the sharded trainable parameters (torch
    DTensors) in the order of the model's trainable variables, for the
    optimizer. Leaving the block gathers everything back whole.

    Args:
        model: the lamina model.
        distribution: the `ModelParallel` (its `LayoutMap` and mesh).
    """

    def __init__(self, model, distribution):
        mesh = distribution.device_mesh
        world = process_group.world_size()
        if mesh.devices.size != world:
            raise ArgumentError(
                f"ModelParallel's device mesh has {mesh.devices.size} devices "
                f"(shape {mesh.shape}) but {world} processes run: lamina places "
                "one device per process. Make the mesh from "
                "lamina.distribution.list_devices()."
            )
        self.model = model
        self.layout_map = distribution.layout_map

    @contextlib.contextmanager
    def epoch(self):
        from torch.distributed.tensor.experimental import implicit_replication

        state = _Sharded(self.model, self._placement)
        try:
            with implicit_replication():
                yield state.trainable
        finally:
            state.gather()

    def _placement(self, parameter):
        from torch.distributed.tensor import Shard

        path = getattr(parameter, "path", None)
        layout = self.layout_map[path] if isinstance(path, str) else None
        if layout is None:
            return Shard(0)
        for dim, axis in enumerate(layout.axes):
            if axis is not None:
                if dim >= parameter.dim():
                    raise ArgumentError(
                        f"The LayoutMap's layout {layout.axes} for '{path}' "
                        f"splits dimension {dim}, but the variable has shape "
                        f"{tuple(parameter.shape)}."
                    )
                world = process_group.world_size()
                if dim and parameter.shape[dim] % world:
                    raise ArgumentError(
                        f"The LayoutMap splits '{path}' (shape "
                        f"{tuple(parameter.shape)}) along dimension {dim}, whose "
                        f"size {parameter.shape[dim]} is not a multiple of the "
                        f"{world} processes (FSDP2 pads only the first dimension)."
                    )
                return Shard(dim)
        return Shard(0)


class _Sharded:
    """One epoch's sharded model: made by ``fully_shard``, undone by `gather`.

    torch has no inverse of ``fully_shard``; `gather` puts back what it
    changed on each module (class, hooks, the registry of its state, the
    parameters) after copying the trained values into lamina's variables.
    """

    def __init__(self, model, placement):
        from torch.distributed.device_mesh import init_device_mesh
        from torch.distributed.fsdp import fully_shard

        self.model = model
        device = next(iter(model.parameters())).device
        mesh = init_device_mesh(device.type, (process_group.world_size(),))
        modules = list(model.modules())
        self.classes = {m: type(m) for m in modules}
        self.parameters = {m: dict(m._parameters) for m in modules}
        self.whole = {}  # id(variable) -> the variables that are sharded
        variables = [p for p in model.trainable_weights if p.requires_grad]
        # Weights without gradients (BatchNormalization's moving statistics,
        # frozen layers) stay whole: their layers update them in the forward
        # pass, which FSDP2 would not write back into the shards.
        frozen = {p for p in model.parameters() if not p.requires_grad}
        # The model's own layers that hold weights (a nested model or an RNN
        # with its cell is one unit), then the model for anything left.
        self.units = [
            layer
            for layer in model._flatten_layers(include_self=False, recursive=False)
            if any(p.requires_grad for p in layer.parameters())
        ]
        self.units.append(model)
        # Every layout is checked before any module changes.
        placements = {id(p): placement(p) for p in variables}
        self.layers = [m for m in modules if hasattr(m, "_casts_variables")]
        try:
            with process_group.collective("sharding the model (ModelParallel)"):
                for unit in self.units:
                    fully_shard(
                        unit,
                        mesh=mesh,
                        shard_placement_fn=lambda p: placements.get(id(p)),
                        ignored_params=frozen,
                        mp_policy=_precision(unit),
                    )
            # A mixed policy's casts are FSDP2's now (it gathers the weights
            # in the compute dtype): the layers' own casting is switched off.
            for layer in self.layers:
                layer.__dict__["_variables_cast"] = True
            self.sharded = {}  # id(variable) -> its sharded parameter
            for m, params in self.parameters.items():
                for key, variable in params.items():
                    if variable is not None and m._parameters[key] is not variable:
                        self.sharded[id(variable)] = m._parameters[key]
                        self.whole[id(variable)] = variable
            self.trainable = [self.sharded[id(v)] for v in variables]
            if not model.optimizer.built:
                # Built on the whole variables, whose paths a MultiOptimizer's
                # map reads (a DTensor has none); the state is sharded below.
                model.optimizer.build(variables)
            self.optimizers = _optimizers_in(model.optimizer)
            self._shard_optimizer_state()
        except BaseException:
            self._take_off_fsdp()  # the model as it was (the variables are whole)
            raise
        # The whole values are not needed until the epoch ends: free them.
        for variable in self.whole.values():
            variable.data = variable.data.new_empty(0)
            variable._sharded_away = True  # reads say why (get_weights, numpy)

    def _shard_optimizer_state(self) -> None:
        from torch.distributed.tensor import distribute_tensor

        for optimizer in self.optimizers:
            if not optimizer.built:
                continue  # a MultiOptimizer's inner one without variables
            swaps = {id(v): self.sharded[id(v)] for v in optimizer._params}
            for slot in optimizer._slot_variables:
                reference = optimizer._params[slot._reference_position]
                target = self.sharded[id(reference)]
                if slot.shape == reference.shape:
                    swaps[id(slot)] = distribute_tensor(
                        slot, target.device_mesh, target.placements, src_data_rank=None
                    )
            optimizer._replace_tensors(swaps)

    def gather(self) -> None:
        """The trained values back in lamina's variables; FSDP2 taken off."""
        from torch.distributed.tensor import DTensor

        with (
            torch.no_grad(),
            process_group.collective("gathering the sharded weights (ModelParallel)"),
        ):
            for key, variable in self.whole.items():
                variable.data = self.sharded[key].full_tensor().contiguous()
                variable._sharded_away = False
            by_sharded = {id(self.sharded[k]): v for k, v in self.whole.items()}
            for optimizer in self.optimizers:
                swaps = dict(by_sharded)
                for slot in optimizer._slot_variables:
                    if isinstance(slot, DTensor):
                        swaps[id(slot)] = slot.full_tensor()
                optimizer._replace_tensors(swaps)
        self._take_off_fsdp()

    def _take_off_fsdp(self) -> None:
        from torch.distributed._composable.contract import REGISTRY_KEY, STATE_KEY
        from torch.distributed._composable_state import _module_state_mapping
        from torch.distributed.fsdp import fully_shard

        for unit in self.units:
            state = fully_shard.state(unit)
            if state is not None and hasattr(state, "_pre_forward_hook_handle"):
                state._pre_forward_hook_handle.remove()
                state._post_forward_hook_handle.remove()
        for layer in self.layers:
            layer.__dict__["_variables_cast"] = False
        for module, params in self.parameters.items():
            module.__class__ = self.classes[module]
            for key in (STATE_KEY, REGISTRY_KEY):
                module.__dict__.pop(key, None)
            for key in ("_is_fsdp_managed_module", "_fsdp_use_orig_params"):
                module.__dict__.pop(key, None)
            _module_state_mapping.pop(module, None)
            module._parameters.clear()
            module._parameters.update(params)


def _precision(unit):
    """FSDP2's mixed precision for a unit of a mixed policy (``mixed_float16``:
    weights gathered in float16, gradients reduced in float32)."""
    from torch.distributed.fsdp import MixedPrecisionPolicy

    dtype = getattr(unit, "_compute_dtype", None)
    if not getattr(unit, "_casts_variables", False) or dtype is None:
        return MixedPrecisionPolicy()
    return MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32)
