"""`ModelParallel`: the variables sharded over the processes, trained by FSDP2.

Under `ModelParallel` with several processes, each new trainable variable is
made whole for a moment and each process keeps its part
(`shard_new_variable`). The first `fit` (or `evaluate`/`predict`) makes every
layer that owns weights a unit of torch's ``fully_shard`` (FSDP2): a layer's
whole weights are gathered just before its forward pass and freed after it
(and again for its backward pass), the gradients are reduce-scattered, and
the optimizer's state is made as shards. The `LayoutMap` picks the dimension
each variable is split along (its first named mesh axis; the first dimension
when the map has no layout for it). Each global batch is split over all the
processes, as with `DataParallel`, so the update is the one a single process
would make on the whole batch.

The model then stays sharded, after `fit` too: validation, `evaluate` and
`predict` run on the shards (each layer gathered for its forward pass only).
What reads or writes the weights whole (`get_weights`, `set_weights`, a
variable's ``numpy()``/``assign()``, saving and loading, the callbacks that
read them at an epoch's end) gathers them for that moment only, on every
process at once: every process must call it, as every process runs the same
script under ``torchrun``, into host memory. The optimizer's state is
gathered only for what saves it. So a process holds the whole weights only
while something reads them, and the whole optimizer state only to save it.
"""

from __future__ import annotations

import contextlib

import torch

from lamina.distribution import distribution_lib, process_group
from lamina.errors import ArgumentError


def active() -> bool:
    """Whether models are sharded: `ModelParallel` with several processes
    (under ``torchrun`` this joins the process group)."""
    if not isinstance(distribution_lib.distribution(), distribution_lib.ModelParallel):
        return False
    if process_group.launched_by_torchrun():
        process_group.init_process_group()
    return process_group.world_size() > 1


_KEPT_WHOLE = [0]  # depth of `kept_whole` contexts open


@contextlib.contextmanager
def kept_whole():
    """Variables made inside stay whole (`shard_new_variable` leaves them):
    a layer built by its first call on data computes with them at once."""
    _KEPT_WHOLE[0] += 1
    try:
        yield
    finally:
        _KEPT_WHOLE[0] -= 1


def sharding_of(model) -> _Sharded | None:
    """The sharding ``model`` is under (None: whole)."""
    return model.__dict__.get("_model_parallel")


def whole(model, optimizer: bool = False):
    """A context in which ``model``'s variables (and, with ``optimizer``, its
    optimizer's state) hold their whole values: gathered from the processes
    on entry and sharded again on exit, keeping what was written meanwhile.

    Every process must enter it together. A model that is not sharded (or
    is already whole) enters at no cost; one made under ModelParallel is
    sharded first (`prepare`).
    """
    sharding = prepare(model)
    if sharding is None:
        return contextlib.nullcontext()
    return sharding.whole(optimizer)


def missing_forward_passes(model, planned: int | None) -> int:
    """How many forward passes this process must add to the ``planned`` ones
    (its batches of an evaluation or prediction) under a sharded model.

    Every forward pass of a sharded model gathers each layer's weights from
    all the processes, so all must make the same number. An evaluation's or
    prediction's data is not padded: with fewer samples in the last global
    batch than processes, some processes get one batch less, and add a pass
    on an empty batch (`make_empty_passes`). Every process asks before its
    first batch. ``planned``: None when unknown (a generator's batches are
    split by rows, so each process gets as many).
    """
    if sharding_of(model) is None:
        return 0
    counts = process_group.all_gather_objects(planned, "counting the forward passes")
    known = [c for c in counts if c is not None]
    return max(known) - planned if known and planned is not None else 0


def make_empty_passes(model, missing: int, last_inputs) -> None:
    """Run ``model`` ``missing`` times on ``last_inputs[:0]`` (see
    `missing_forward_passes`)."""
    if not missing:
        return
    if last_inputs is None:
        raise ArgumentError(
            "This process received no batch of the data while the others did: "
            "the data has fewer samples than the processes of the sharded "
            "model (ModelParallel)."
        )
    from lamina.backend import tree

    empty = tree.map_structure(
        lambda t: t[:0] if hasattr(t, "shape") else t, last_inputs
    )
    for _ in range(missing):
        model._call_outermost(empty, False)


def unshard_without_it(model) -> None:
    """Gather ``model`` whole for good when ModelParallel is no longer the
    distribution (a `fit`, `evaluate` or `predict` without it; every process
    together): a sharded model, or one whose variables were made as parts."""
    sharding = sharding_of(model)
    if sharding is None and not _PARTS_MADE[0]:
        return  # nothing was ever made under ModelParallel here
    if active():
        return
    if sharding is not None:
        sharding.unshard()
        return
    for variable in model.weights:
        if _is_part(variable):
            variable.data = variable._sharding.whole_value(variable).to(variable.device)
            _set_back(variable)


def for_fit(model, custom_step: bool, callbacks: list) -> _Sharded | None:
    """The sharding ``model`` trains under (None without ModelParallel).

    The first `fit` under ModelParallel shards the model (if `prepare` has
    not) and its optimizer's state, which stay sharded; an optimizer compiled
    since gets its state sharded likewise (`unshard_without_it` gathers a
    model trained without ModelParallel). Checks first what lamina cannot
    run sharded, with the reason. ``callbacks`` are the ones the user gave
    (the same on every process).
    """
    sharding = sharding_of(model)
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
    if sharding is None:
        return _shard(model)
    if sharding.optimizer is not optimizer:
        sharding.adopt(optimizer)  # compiled since with another optimizer
    return sharding


def _check_mesh() -> None:
    mesh = distribution_lib.distribution().device_mesh
    world = process_group.world_size()
    if mesh.devices.size != world:
        raise ArgumentError(
            f"ModelParallel's device mesh has {mesh.devices.size} devices "
            f"(shape {mesh.shape}) but {world} processes run: lamina places "
            "one device per process. Make the mesh from "
            "lamina.distribution.list_devices()."
        )


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


def _placement(parameter):
    """Where the current `ModelParallel`'s `LayoutMap` splits ``parameter``:
    a torch ``Shard(dim)``."""
    from torch.distributed.tensor import Shard

    layout_map = distribution_lib.distribution().layout_map
    path = getattr(parameter, "path", None)
    layout = layout_map[path] if isinstance(path, str) else None
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


class _Parts:
    """Reads and writes of variables whose values are sharded away: each
    such variable points to its owner through ``_sharding``."""

    in_batches = False  # subclasses give `part_of(variable)`: its DTensor

    def check_readable(self, variable) -> None:
        """Refuse to gather in the middle of an epoch's batches (a callback
        there may run on rank 0 alone)."""
        if self.in_batches:
            raise ArgumentError(
                f"The value of '{getattr(variable, 'path', 'variable')}' is "
                "sharded over the processes during a ModelParallel epoch's "
                "batches: read the weights in on_epoch_end or after fit, when "
                "every process gathers them together."
            )

    def whole_value(self, variable) -> torch.Tensor:
        """``variable``'s whole value, gathered from every process (which must
        all ask for it)."""
        self.check_readable(variable)
        with (
            torch.no_grad(),
            process_group.collective(f"gathering '{variable.path}' (ModelParallel)"),
        ):
            return self.part_of(variable).full_tensor()

    def write(self, variable, value: torch.Tensor) -> None:
        """Set ``variable`` to the whole ``value``: this process keeps its part
        (no communication; every process writes the same value)."""
        self.check_readable(variable)
        part = self.part_of(variable)
        with torch.no_grad():
            part.to_local().copy_(_local_part(value.to(part.dtype), part))


class _Part(_Parts):
    """A trainable variable made under ModelParallel, before its model is
    sharded: only this process's part of it (see `shard_new_variable`)."""

    def __init__(self, part):
        self.part = part

    def part_of(self, variable):
        return self.part


def _is_part(variable) -> bool:
    return isinstance(getattr(variable, "_sharding", None), _Part)


def shard_new_variable(variable) -> None:
    """Under ModelParallel with several processes, keep only this process's
    part of a new trainable variable (`Layer.add_weight` calls this): the
    whole value exists for this moment only, so no process ever holds a whole
    model. Its layout is the `LayoutMap`'s (as `fit` will shard it); a layout
    that does not fit keeps it whole, for `fit` to refuse with the reason.
    """
    if _KEPT_WHOLE[0] or not (variable.requires_grad and active()):
        return
    from torch.distributed.tensor import DTensor

    try:
        placement = _placement(variable)
    except ArgumentError:
        return
    mesh = _mesh(variable.device.type)
    value = variable.detach()
    local = _local_part(value, _Layout(mesh, (placement,))).clone()
    part = DTensor.from_local(
        local,
        mesh,
        (placement,),
        run_check=False,
        shape=value.shape,
        stride=value.stride(),
    )
    _set_away(variable, _Part(part))
    _PARTS_MADE[0] += 1


_PARTS_MADE = [0]  # variables made as parts in this process (a cheap test)


class _Layout:
    """A mesh and placements, laid out as a DTensor's for `_local_part`."""

    def __init__(self, device_mesh, placements):
        self.device_mesh = device_mesh
        self.placements = placements
        self.device = torch.device(device_mesh.device_type)


_MESHES: dict = {}


def _mesh(device_type: str):
    """The 1-D mesh of all the processes on ``device_type`` (made once per
    process group)."""
    key = (device_type, id(torch.distributed.group.WORLD))
    if key not in _MESHES:
        from torch.distributed.device_mesh import init_device_mesh

        _MESHES.clear()
        _MESHES[key] = init_device_mesh(device_type, (process_group.world_size(),))
    return _MESHES[key]


def prepare(model) -> _Sharded | None:
    """Shard ``model`` with FSDP2 before its first forward pass if it holds
    variables made under ModelParallel (only their parts exist); the sharding
    it is under, or None."""
    unshard_without_it(model)
    sharding = sharding_of(model)
    if sharding is not None or not _PARTS_MADE[0] or not active():
        return sharding
    if not any(_is_part(v) for v in model.weights):
        return None
    return _shard(model)


def _shard(model) -> _Sharded:
    """Shard ``model`` with FSDP2, once torch and the mesh are checked."""
    _check_torch()
    _check_mesh()
    return _Sharded(model)


class _Sharded(_Parts):
    """A model sharded by ``fully_shard``, kept as ``model._model_parallel``.

    `epoch` runs an epoch's batches on it; `whole` gathers the values for a
    moment; `adopt` shards a new optimizer's state; `unshard` takes FSDP2
    off for good (torch has no inverse of ``fully_shard``: it puts back what
    that changed on each module, its class, hooks, state registry and
    parameters).

    lamina's variables keep their shape and attributes but not their values
    (a NaN broadcast to their shape, one element of memory): each is marked
    ``_sharded_away`` and points here through ``_sharding``, so reading or
    writing it goes through `whole_value` and `write`. Variables made under
    ModelParallel arrive as their parts (`_Part`): FSDP2 shards meta-device
    stand-ins of them, whose parts are then these.
    """

    def __init__(self, model):
        from torch.distributed.fsdp import fully_shard

        self.model = model
        self.optimizer = None
        self.optimizers = []
        self.in_batches = False
        self._weights_whole = self._optimizer_whole = False  # inside `whole`
        device = next(iter(model.parameters())).device
        mesh = _mesh(device.type)
        modules = list(model.modules())
        self.classes = {m: type(m) for m in modules}
        self.parameters = {m: dict(m._parameters) for m in modules}
        self.whole_variables = {}  # id(variable) -> the variables that are sharded
        # A variable made under ModelParallel and frozen since is made whole:
        # weights without gradients (BatchNormalization's moving statistics,
        # frozen layers) stay whole, as their layers may update them in the
        # forward pass, which FSDP2 would not write back into the shards.
        for variable in model.weights:
            if not variable.requires_grad and _is_part(variable):
                variable.data = variable._sharding.whole_value(variable)
                _set_back(variable)
        variables = [p for p in model.trainable_weights if p.requires_grad]
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
        placements = {id(p): _placement(p) for p in variables}
        self.layers = [m for m in modules if hasattr(m, "_casts_variables")]
        self.sharded = {}  # id(variable) -> its sharded parameter
        try:
            # FSDP2 shards a meta-device stand-in of each variable that exists
            # as its part only; the part then takes the stand-in's place.
            for m, params in self.parameters.items():
                for key, variable in params.items():
                    if variable is not None and _is_part(variable):
                        stand_in = torch.nn.Parameter(
                            torch.empty(
                                variable.shape, dtype=variable.dtype, device="meta"
                            )
                        )
                        m._parameters[key] = stand_in
                        placements[id(stand_in)] = placements[id(variable)]
            with process_group.collective("sharding the model (ModelParallel)"):
                for unit in self.units:
                    fully_shard(
                        unit,
                        mesh=mesh,
                        shard_placement_fn=lambda p: placements.get(id(p)),
                        ignored_params=frozen,
                        mp_policy=_precision(unit),
                    )
            self.fsdp_classes = {m: type(m) for m in modules}
            # A mixed policy's casts are FSDP2's now (it gathers the weights
            # in the compute dtype): the layers' own casting is switched off.
            for layer in self.layers:
                layer.__dict__["_variables_cast"] = True
            for m, params in self.parameters.items():
                for key, variable in params.items():
                    if variable is None or m._parameters[key] is variable:
                        continue
                    sharded = m._parameters[key]
                    if _is_part(variable):
                        sharded = torch.nn.Parameter(
                            _with_local(sharded, variable._sharding.part.to_local())
                        )
                        m._parameters[key] = sharded
                    self.sharded[id(variable)] = sharded
                    self.whole_variables[id(variable)] = variable
            for unit in self.units:
                _repoint_fsdp(unit)
            self.trainable = [self.sharded[id(v)] for v in variables]
        except BaseException:
            self._take_off_fsdp()  # the model as it was
            raise
        for variable in self.whole_variables.values():
            _set_away(variable, self)
        # Outside the batches each module keeps its own class (its name is in
        # summaries and saved files); FSDP2's hooks and state do not need the
        # class FSDP2 gave it.
        _set_classes(self.classes)
        model.__dict__["_model_parallel"] = self
        if model.optimizer is not None:
            self.adopt(model.optimizer)

    def part_of(self, variable):
        return self.sharded[id(variable)]

    def adopt(self, optimizer) -> None:
        """Make ``optimizer`` (the model's, maybe compiled since the model was
        sharded) update the shards, with its state sharded likewise."""
        if not optimizer.built:
            # Built on the whole variables, whose paths a MultiOptimizer's map
            # reads (a DTensor has none); each state tensor is made as a shard
            # (`Optimizer.add_variable_from_reference` asks `part_of`).
            by_sharded = {
                id(self.sharded[k]): v for k, v in self.whole_variables.items()
            }
            optimizer.build([by_sharded[id(p)] for p in self.trainable])
        self.optimizer = optimizer
        self.optimizers = _optimizers_in(optimizer)
        self._shard_optimizer_state()

    def _shard_optimizer_state(self) -> None:
        from torch.distributed.tensor import DTensor, distribute_tensor

        for optimizer in self.optimizers:
            if not optimizer.built:
                continue  # a MultiOptimizer's inner one without variables
            swaps = {
                id(v): self.sharded[id(v)]
                for v in optimizer._params
                if id(v) in self.sharded
            }
            for slot in optimizer._slot_variables:
                reference = optimizer._params[slot._reference_position]
                target = self.sharded.get(id(reference))
                if (
                    target is not None
                    and not isinstance(slot, DTensor)
                    and slot.shape == reference.shape
                ):
                    swaps[id(slot)] = distribute_tensor(
                        slot, target.device_mesh, target.placements, src_data_rank=None
                    )
            optimizer._replace_tensors(swaps)

    @contextlib.contextmanager
    def epoch(self):
        """Runs an epoch's batches: yields the sharded trainable parameters
        (torch DTensors, in the order of the model's trainable variables)."""
        from torch.distributed.tensor.experimental import implicit_replication

        self.in_batches = True
        _set_classes(self.fsdp_classes)
        try:
            with implicit_replication():
                yield self.trainable
        finally:
            _set_classes(self.classes)
            self.in_batches = False

    @contextlib.contextmanager
    def whole(self, optimizer: bool = False):
        """Every variable (and, with ``optimizer``, the optimizer's sharded
        state) whole inside, in host memory (a device holds its shards only);
        sharded again on exit, with what was written inside. Every process
        must enter it together; what an enclosing `whole` gathered stays."""
        weights = not self._weights_whole
        optimizer = optimizer and not self._optimizer_whole
        if not (weights or optimizer):
            yield
            return
        if self.in_batches:
            raise ArgumentError(
                "The model's weights are sharded over the processes during a "
                "ModelParallel epoch's batches: save or read them in "
                "on_epoch_end or after fit."
            )
        from torch.distributed.tensor import DTensor

        slots = []  # (sharded slot, its whole value)
        swapped = []  # (optimizer, the swaps that undo its own)
        try:
            with (
                torch.no_grad(),
                process_group.collective(
                    "gathering the sharded weights (ModelParallel)"
                ),
            ):
                if weights:
                    self._weights_whole = True
                    for key, variable in self.whole_variables.items():
                        variable.data = self.sharded[key].full_tensor().cpu()
                        variable._sharded_away = False
                if optimizer:
                    self._optimizer_whole = True
                    to_whole = {
                        id(self.sharded[k]): v for k, v in self.whole_variables.items()
                    }
                    to_sharded = {
                        id(v): self.sharded[k] for k, v in self.whole_variables.items()
                    }
                    for inner in self.optimizers:
                        swaps, back = dict(to_whole), dict(to_sharded)
                        for slot in inner._slot_variables:
                            if isinstance(slot, DTensor):
                                full = slot.full_tensor().cpu()
                                slots.append((slot, full))
                                swaps[id(slot)] = full
                                back[id(full)] = slot
                        inner._replace_tensors(swaps)
                        swapped.append((inner, back))
            yield
        finally:
            with torch.no_grad():
                for slot, full in slots:
                    slot.to_local().copy_(_local_part(full, slot))
                for inner, back in swapped:
                    inner._replace_tensors(back)
                if optimizer:
                    self._optimizer_whole = False
                if weights:
                    for key, variable in self.whole_variables.items():
                        if not variable._sharded_away:
                            shard = self.sharded[key]
                            shard.to_local().copy_(_local_part(variable.data, shard))
                            _set_away(variable, self, shard.device)
                    self._weights_whole = False

    def unshard(self) -> None:
        """The values back in lamina's variables for good; FSDP2 taken off."""
        from torch.distributed.tensor import DTensor

        self.check_readable(next(iter(self.whole_variables.values()), None))
        with (
            torch.no_grad(),
            process_group.collective("gathering the sharded weights (ModelParallel)"),
        ):
            for key, variable in self.whole_variables.items():
                variable.data = self.sharded[key].full_tensor().contiguous()
            by_sharded = {
                id(self.sharded[k]): v for k, v in self.whole_variables.items()
            }
            for optimizer in self.optimizers:
                swaps = dict(by_sharded)
                for slot in optimizer._slot_variables:
                    if isinstance(slot, DTensor):
                        swaps[id(slot)] = slot.full_tensor()
                optimizer._replace_tensors(swaps)
        for variable in self.whole_variables.values():
            variable._sharded_away = False
            variable.__dict__.pop("_sharding", None)
        self._take_off_fsdp()
        self.model.__dict__.pop("_model_parallel", None)

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


def _set_classes(classes: dict) -> None:
    for module, cls in classes.items():
        module.__class__ = cls


def _set_away(variable, sharding: _Parts, device=None) -> None:
    """Free ``variable``'s whole value, keeping its shape: a NaN broadcast to
    it (on ``device``, its own by default), so a read that bypasses
    `_Parts.whole_value` shows it."""
    device = variable.device if device is None else device
    nan = torch.full((), float("nan"), dtype=variable.dtype, device=device)
    variable.data = nan.expand(variable.shape)
    variable._sharded_away = True
    variable._sharding = sharding


def _set_back(variable) -> None:
    """``variable`` holds its whole value again (set by the caller)."""
    variable._sharded_away = False
    variable.__dict__.pop("_sharding", None)


def _with_local(sharded, local: torch.Tensor):
    """A DTensor laid out as ``sharded`` (a meta-device one) with ``local`` as
    this process's part."""
    from torch.distributed.tensor import DTensor

    return DTensor.from_local(
        local,
        sharded.device_mesh,
        sharded.placements,
        run_check=False,
        shape=sharded.shape,
        stride=sharded.stride(),
    )


def _repoint_fsdp(unit) -> None:
    """FSDP2 takes the parts put in its meta-device stand-ins' place (pads
    them as it pads its own; what ``to_empty`` then an init would do)."""
    from torch.distributed.fsdp import fully_shard

    state = fully_shard.state(unit)
    for group in getattr(state, "_fsdp_param_groups", None) or ():
        for param in group.fsdp_params:
            param.reset_sharded_param()


def _local_part(whole: torch.Tensor, sharded) -> torch.Tensor:
    """This process's part of ``whole``, laid out as the DTensor ``sharded``."""
    from torch.distributed.tensor import distribute_tensor

    part = distribute_tensor(
        whole.to(sharded.device),
        sharded.device_mesh,
        sharded.placements,
        src_data_rank=None,
    )
    return part.to_local()


def _precision(unit):
    """FSDP2's mixed precision for a unit of a mixed policy (``mixed_float16``:
    weights gathered in float16, gradients reduced in float32)."""
    from torch.distributed.fsdp import MixedPrecisionPolicy

    dtype = getattr(unit, "_compute_dtype", None)
    if not getattr(unit, "_casts_variables", False) or dtype is None:
        return MixedPrecisionPolicy()
    return MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32)
