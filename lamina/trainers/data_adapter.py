"""Turn what users pass to fit/evaluate/predict into batches of device tensors.

Arrays and tensors are converted and moved to the device once; each batch is
then an index gather (shuffled) or a view (not shuffled) of those tensors.
Generators, `PyDataset`/`Sequence` objects and torch `DataLoader`s are read
batch by batch and each batch is moved to the device as it comes.
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Iterator

import numpy as np
import torch

from lamina import backend
from lamina.backend import tree
from lamina.distribution.data_parallel import Shard, shared_seed
from lamina.errors import ArgumentError, ShapeError
from lamina.trainers.py_dataset import PyDataset


def is_array_like(x) -> bool:
    return isinstance(x, (np.ndarray, torch.Tensor)) or (
        hasattr(x, "__array__")
        and not isinstance(x, (str, bytes))
        and hasattr(x, "shape")
        and not inspect.isclass(x)
    )


def is_array_structure(x) -> bool:
    if x is None:
        return True
    if isinstance(x, dict):
        return all(is_array_structure(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float, bool, np.number)) for v in x):
            return True  # a plain list of numbers
        return all(is_array_structure(v) for v in x)
    return is_array_like(x) or isinstance(x, (int, float))


def to_tensor(
    x,
    device: torch.device,
    float_dtype: torch.dtype | None = None,
    keep_float64: bool = False,
    what: str = "model input",
) -> torch.Tensor | None:
    """An array-like as a tensor on ``device``; float64 becomes floatx.

    ``what`` names the data in errors (``"model input"``, ``"`y`"``...).
    """
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        t = x.detach()
    else:
        arr = _as_array(x, what)
        if arr.dtype == object:
            raise ArgumentError(
                "Cannot convert an array of Python objects (dtype=object) to a tensor "
                f"for {what}: pad variable-length sequences first "
                "(lamina.utils.pad_sequences)."
            )
        if arr.dtype.kind in "US":
            raise ArgumentError(
                f"Cannot use an array of strings (dtype={arr.dtype}) as {what}: "
                "encode it as numbers first (e.g. layers.StringLookup)."
            )
        if arr.dtype.kind == "c":
            raise ArgumentError(
                f"Cannot use an array of complex numbers (dtype={arr.dtype}) as "
                f"{what}: the model computes in real numbers; pass the real and "
                "imaginary parts as separate features."
            )
        if not arr.flags.writeable or not arr.flags.c_contiguous:
            arr = np.ascontiguousarray(arr).copy()
        t = torch.from_numpy(arr)
    if t.is_floating_point():
        target = float_dtype or backend.to_torch_dtype(backend.floatx())
        if t.dtype != target and not (keep_float64 and t.dtype == torch.float64):
            t = t.to(target)
    elif (
        t.dtype
        in (  # small integer labels/indices become int64 (what torch indexes with)
            torch.uint8,
            torch.int8,
            torch.int16,
            torch.int32,
            torch.uint16,
            torch.uint32,
        )
    ):
        t = t.to(torch.int64) if float_dtype is None else t
    return to_device(t, device)


def to_device(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """``t`` on ``device``; a host tensor goes to a GPU through pinned memory.

    From pinned (page-locked) memory the copy is asynchronous
    (``non_blocking``): the host goes on reading the next batch while the
    copy runs, and the GPU orders it before the step that uses it.
    """
    if device.type != "cuda" or t.device.type != "cpu":
        return t.to(device)
    return t.pin_memory().to(device, non_blocking=True)


def structure_to_tensors(x, device):
    return tree.map_structure(lambda v: to_tensor(v, device), x)


def num_samples(x) -> int:
    sizes = {int(v.shape[0]) for v in tree.flatten(x) if v is not None}
    if len(sizes) > 1:
        raise ShapeError(
            f"Data cardinality is ambiguous: the arrays have sizes {sorted(sizes)}. "
            "Make sure all arrays contain the same number of samples."
        )
    return sizes.pop() if sizes else 0


def _as_array(x, what: str) -> np.ndarray:
    """``np.asarray(x)``, with a clear error for ragged nested lists."""
    try:
        return np.asarray(x)
    except ValueError as err:  # numpy's "inhomogeneous shape"
        raise ArgumentError(
            f"Cannot convert {what} to an array: its nested lists have different "
            f"lengths ({err}). Pad variable-length sequences first "
            "(lamina.utils.pad_sequences)."
        ) from err


def check_cardinality(x, y, sample_weight) -> int:
    """The number of samples, or a ShapeError naming x, y and their sizes."""
    parts = [("x", x), ("y", y), ("sample_weight", sample_weight)]
    sizes = {}
    for label, value in parts:
        if value is None:
            continue
        found = sorted(
            {
                int(np.shape(v)[0])
                for v in tree.flatten(value)
                if v is not None and np.ndim(v) > 0
            }
        )
        if found:
            sizes[label] = found
    distinct = {s for found in sizes.values() for s in found}
    if len(distinct) > 1:
        detail = "\n".join(
            f"{label} sizes: {', '.join(map(str, found))}"
            for label, found in sizes.items()
        )
        raise ShapeError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same "
            f"number of samples.\n{detail}"
        )
    return distinct.pop() if distinct else 0


def unpack_x_y_sample_weight(data):
    """Split a batch into ``(x, y, sample_weight)`` as Keras does."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ArgumentError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
        f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements."
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """A batch as `fit` takes it: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, w)``.

    The reverse of `unpack_x_y_sample_weight`, for custom ``train_step``s and
    data pipelines. A single ``x`` stays as it is; an ``x`` that is a list or
    tuple is wrapped, so that it is not read as ``(x, y)``.

    Example:

    >>> pack_x_y_sample_weight([1, 2])
    ([1, 2],)
    >>> pack_x_y_sample_weight("x", "y")
    ('x', 'y')
    """
    if y is None:
        return x if not isinstance(x, (tuple, list)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def class_weight_to_sample_weight(y: torch.Tensor, class_weight: dict) -> torch.Tensor:
    """Per-sample weights from ``{class_index: weight}``, as Keras computes them."""
    if not class_weight:
        return None
    size = max(int(k) for k in class_weight) + 1
    table = torch.ones(size, dtype=torch.float32, device=y.device)
    for key, value in class_weight.items():
        table[int(key)] = float(value)
    if y.dim() > 1 and y.shape[-1] > 1:
        check_class_weight(class_weight, int(y.shape[-1]))
        classes = y.argmax(dim=-1)
    else:
        classes = (y.reshape(y.shape[0], -1)[:, 0]).round().to(torch.int64)
    if classes.numel() and int(classes.max()) >= size:
        raise ArgumentError(
            f"`class_weight` has no entry for class {int(classes.max())}: its keys "
            f"are {sorted(class_weight)}."
        )
    return table[classes]


class ArrayBatches:
    """Batches of tensors held on the device, gathered per step.

    Args:
        x, y, sample_weight: nested structures of tensors already on the device.
        batch_size: samples per batch.
        shuffle: True, False or "batch" (shuffle the order of batches only).
        steps: stop an epoch after this many batches (default: all the data).
        shard: this process's part of the data in a data-parallel run (None:
            all of it). ``batch_size`` is then the global batch; this process
            takes its share of every global batch (`Shard.sample_order`).
    """

    def __init__(
        self,
        x,
        y=None,
        sample_weight=None,
        batch_size: int = 32,
        shuffle=False,
        steps: int | None = None,
        shard: Shard | None = None,
    ):
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.num_samples = num_samples((x, y, sample_weight))
        self.shuffle = shuffle
        self.shard = shard
        self._epochs_started = 0
        if shard is not None:
            self._global_batch_size = batch_size
            self._seed = shared_seed() if shuffle else 0
            batch_size = shard.local_batch_size(batch_size)
            count = len(
                shard.sample_order(self.num_samples, torch.arange(self.num_samples))
            )
            full = math.ceil(count / batch_size) if count else 0
        else:
            full = math.ceil(self.num_samples / batch_size) if self.num_samples else 0
        self.batch_size = batch_size
        self.steps = full if steps is None else min(steps, full) if full else steps
        self._flat = [t for t in tree.flatten((x, y, sample_weight))]
        self.targets_checked = False  # set by the trainer once it checked `y`
        self._device = self._flat[0].device if self._flat else backend.device()

    def __len__(self) -> int:
        return self.steps

    def epoch(self) -> Iterator:
        n, bs = self.num_samples, self.batch_size
        structure = (self.x, self.y, self.sample_weight)
        flat = [t for t in self._flat if t is not None]
        if self.shard is not None:
            indices = self._shard_indices().to(self._device)
            for b in range(self.steps):
                idx = indices[b * bs : (b + 1) * bs]
                yield _repack(structure, [t.index_select(0, idx) for t in flat])
            return
        if self.shuffle == "batch":
            order = torch.randperm(self.steps).tolist()
            for b in order:
                sl = slice(b * bs, min((b + 1) * bs, n))
                yield _repack(structure, [t[sl] for t in flat])
            return
        if self.shuffle:
            perm = torch.randperm(n, device=self._device)
            for b in range(self.steps):
                idx = perm[b * bs : (b + 1) * bs]
                yield _repack(structure, [t.index_select(0, idx) for t in flat])
            return
        if flat and self.steps <= math.ceil(n / bs):
            # In order: every batch a view, all made by one `split` per tensor
            # (a Python slice per batch and tensor costs about 1 us each).
            pieces = [t.split(bs)[: self.steps] for t in flat]
            if len(flat) == 1 and isinstance(self.x, torch.Tensor):
                for xb in pieces[0]:
                    yield xb, None, None
                return
            for batch in zip(*pieces):
                yield _repack(structure, batch)
            return
        for b in range(self.steps):
            sl = slice(b * bs, min((b + 1) * bs, n))
            yield _repack(structure, [t[sl] for t in flat])

    def _shard_indices(self) -> torch.Tensor:
        """This process's samples for the next epoch, in order.

        The epoch's order of all samples is drawn from a generator seeded with
        the shared seed plus the epoch's number, so every process draws the
        same permutation and a new one each epoch (DistributedSampler's rule).
        """
        n = self.num_samples
        generator = torch.Generator().manual_seed(self._seed + self._epochs_started)
        self._epochs_started += 1
        if self.shuffle == "batch":
            size = self._global_batch_size
            blocks = torch.randperm(math.ceil(n / size), generator=generator)
            order = torch.arange(n).split(size)
            order = torch.cat([order[b] for b in blocks.tolist()])
        elif self.shuffle:
            order = torch.randperm(n, generator=generator)
        else:
            order = torch.arange(n)
        return self.shard.sample_order(n, order)


def _repack(structure, flat_values):
    x, y, sw = structure
    if (
        isinstance(x, torch.Tensor)
        and (y is None or isinstance(y, torch.Tensor))
        and (sw is None or isinstance(sw, torch.Tensor))
    ):  # the common case, quickly
        values = iter(flat_values)
        return (
            next(values),
            next(values) if y is not None else None,
            next(values) if sw is not None else None,
        )
    # `flat_values` skips the None leaves; put them back in flatten's order.
    values = iter(flat_values)
    full = [None if leaf is None else next(values) for leaf in tree.flatten(structure)]
    return tree.pack_sequence_as(structure, full)


class IteratorBatches:
    """Batches read from a generator, a PyDataset/Sequence or a DataLoader."""

    def __init__(
        self,
        source,
        steps: int | None = None,
        device=None,
        for_predict=False,
        batch_size: int | None = None,
        shuffle=False,
        shard: Shard | None = None,
    ):
        self.source = source
        self.shard = shard
        self._epochs_started = 0
        self.targets_checked = False
        self.device = device or backend.device()
        self.for_predict = for_predict
        length = None
        if hasattr(source, "__len__") and not inspect.isgenerator(source):
            try:
                length = len(source)
            except TypeError:
                length = None
        self.is_indexed = (
            hasattr(source, "__getitem__")
            and length is not None
            and not isinstance(source, torch.utils.data.DataLoader)
            and not isinstance(source, torch.utils.data.Dataset)
        )
        if steps is None and length is None:
            steps = None  # until exhausted
        self.steps = steps if steps is not None else length
        self._iterator = None
        self._dataset_loader = None
        if isinstance(source, torch.utils.data.Dataset) and not isinstance(
            source, torch.utils.data.IterableDataset
        ):
            # A map-style Dataset yields single samples; batch them (Keras does too).
            self._dataset_loader = _dataset_loader(source, batch_size, shuffle, shard)
            self.steps = steps if steps is not None else len(self._dataset_loader)
        loader = self._dataset_loader or source
        if isinstance(getattr(loader, "sampler", None), _DistributedSampler):
            self.shard = None  # each process already reads its own samples

    def __len__(self):
        return self.steps or 0

    def _raw_epoch(self):
        source = self._dataset_loader or self.source
        sampler = getattr(source, "sampler", None)
        if isinstance(sampler, torch.utils.data.DistributedSampler):
            # A DataLoader sharded by the user: a new shuffle each epoch.
            sampler.set_epoch(self._epochs_started)
        self._epochs_started += 1
        if isinstance(source, PyDataset):
            source.on_epoch_begin()
            yield from source.iterate(self.steps)
            source.on_epoch_end()
            return
        if self.is_indexed:
            count = len(source) if self.steps is None else self.steps
            for i in range(count):
                yield source[i % len(source)]
            if hasattr(source, "on_epoch_end"):
                source.on_epoch_end()
            return
        # A generator (its own iterator) continues across epochs, as in Keras;
        # an iterable such as a DataLoader starts again.
        iterator = iter(source)
        count = itertools.count() if self.steps is None else range(self.steps)
        for _ in count:
            try:
                yield next(iterator)
            except StopIteration:
                return

    def epoch(self) -> Iterator:
        batches = map(self._on_device, self._raw_epoch())
        if self.device.type != "cuda":
            yield from batches
            return
        # One batch ahead: the next batch's copy to the GPU (non-blocking, from
        # pinned memory) runs while the model computes on this one.
        ahead = next(batches, None)
        while ahead is not None:
            current, ahead = ahead, next(batches, None)
            yield current

    def _on_device(self, batch) -> tuple:
        """A batch as ``(x, y, sample_weight)`` on the device; in a data-parallel
        run only this process's rows of it (each process reads the same
        batches, each keeps every ``world``-th row)."""
        x, y, sw = unpack_x_y_sample_weight(batch)
        if self.shard is not None:
            x, y, sw = self.shard.rows((x, y, sw))
        return (
            structure_to_tensors(x, self.device),
            structure_to_tensors(y, self.device),
            structure_to_tensors(sw, self.device),
        )

    def peek(self):
        """The first batch, without consuming it for generators."""
        if self.is_indexed:
            x, y, sw = unpack_x_y_sample_weight(self.source[0])
        elif inspect.isgenerator(self.source) or isinstance(self.source, Iterator):
            first = next(self.source)
            self.source = itertools.chain([first], self.source)
            x, y, sw = unpack_x_y_sample_weight(first)
        else:
            x, y, sw = unpack_x_y_sample_weight(
                next(iter(self._dataset_loader or self.source))
            )
        return (
            structure_to_tensors(x, self.device),
            structure_to_tensors(y, self.device),
            structure_to_tensors(sw, self.device),
        )


_DistributedSampler = torch.utils.data.DistributedSampler


def _dataset_loader(dataset, batch_size, shuffle, shard):
    """The DataLoader that batches a map-style Dataset passed to a loop.

    For data-parallel training it reads only this process's samples through
    torch's DistributedSampler (same shuffle on every process, a new one each
    epoch, padded to equal steps), ``batch_size`` / processes at a time.
    """
    batch_size = batch_size or 32
    if shard is None or not shard.equal_steps or not shard.split_batches:
        return torch.utils.data.DataLoader(
            dataset, batch_size=batch_size, shuffle=bool(shuffle)
        )
    sampler = _DistributedSampler(
        dataset,
        num_replicas=shard.world,
        rank=shard.rank,
        shuffle=bool(shuffle),
        seed=shared_seed(),
    )
    return torch.utils.data.DataLoader(
        dataset, batch_size=shard.local_batch_size(batch_size), sampler=sampler
    )


def make_batches(
    x,
    y=None,
    sample_weight=None,
    batch_size=None,
    steps=None,
    shuffle=False,
    class_weight=None,
    device=None,
    for_predict=False,
    input_dtypes=None,
    input_names=None,
    shard=None,
    steps_name="steps",
):
    """The batch source for fit/evaluate/predict arguments (see module docstring).

    ``shard`` (a `Shard`) makes it this process's part of a data-parallel run;
    ``steps_name`` is the argument ``steps`` came from (for its error).
    """
    device = device or backend.device()
    if batch_size is not None:
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size <= 0
        ):
            raise ArgumentError(
                f"`batch_size` must be a positive integer, received batch_size="
                f"{batch_size!r}."
            )
    if steps is not None and (not isinstance(steps, (int, np.integer)) or steps <= 0):
        raise ArgumentError(
            f"`{steps_name}` must be a positive integer, received {steps!r}."
        )
    if x is None:
        raise ArgumentError("No input data was given: `x` is None.")
    if not is_array_structure(x):
        if y is not None or sample_weight is not None:
            raise ArgumentError(
                "When `x` is a generator, a PyDataset or a DataLoader, `y` and "
                "`sample_weight` must not be given: the batches carry them."
            )
        if class_weight:
            raise ArgumentError(
                "`class_weight` is only supported for arrays and tensors in lamina."
            )
        return IteratorBatches(
            x,
            steps=steps,
            device=device,
            for_predict=for_predict,
            batch_size=batch_size,
            shuffle=shuffle,
            shard=shard,
        )
    single_input = input_names is None or len(input_names) == 1
    x = _lists_to_arrays(x, whole=single_input)
    y = _lists_to_arrays(y)
    sample_weight = _lists_to_arrays(sample_weight)
    check_cardinality(x, y, sample_weight)
    _check_input_count(x, input_names)
    x_t = _convert_inputs(x, device, input_dtypes, input_names)
    y_t = (
        tree.map_structure(lambda v: to_tensor(v, device, what="targets `y`"), y)
        if y is not None
        else None
    )
    sw_t = (
        tree.map_structure(
            lambda v: to_tensor(v, device, what="`sample_weight`"), sample_weight
        )
        if sample_weight is not None
        else None
    )
    if class_weight:
        if y_t is None or len(tree.flatten(y_t)) != 1:
            raise ArgumentError(
                "`class_weight` is only supported for models with a single output."
            )
        cw = class_weight_to_sample_weight(tree.flatten(y_t)[0], class_weight)
        sw_t = cw if sw_t is None else sw_t * cw
    return ArrayBatches(
        x_t, y_t, sw_t, batch_size or 32, shuffle=shuffle, steps=steps, shard=shard
    )


def _check_input_count(x, input_names) -> None:
    """A list or tuple of arrays must give one array per model input."""
    if (
        input_names is not None
        and isinstance(x, (list, tuple))
        and len(x) != len(input_names)
    ):
        raise ArgumentError(
            f"The model expects {len(input_names)} input(s) {input_names}, but `x` "
            f"is a {type(x).__name__} of {len(x)} arrays. Pass one array per input "
            "(a single array for a single-input model)."
        )


def check_class_weight(class_weight, num_classes: int | None = None) -> None:
    """``class_weight`` must map class indices (0 to num_classes - 1) to weights."""
    if not isinstance(class_weight, dict):
        raise ArgumentError(
            "`class_weight` must be a dict mapping class indices to weights, "
            f"received a {type(class_weight).__name__}: {class_weight!r}."
        )
    for key in class_weight:
        if isinstance(key, bool) or not isinstance(key, (int, np.integer)) or key < 0:
            raise ArgumentError(
                "`class_weight` keys must be class indices (integers >= 0), "
                f"received the key {key!r}."
            )
    if num_classes is not None:
        extra = sorted(int(k) for k in class_weight if k >= num_classes)
        if extra:
            raise ArgumentError(
                f"`class_weight` has keys {extra} for classes the model does not "
                f"have: its output has {num_classes} classes (0 to "
                f"{num_classes - 1})."
            )


def _is_number(v) -> bool:
    return isinstance(v, (int, float, bool, np.number))


def _is_numeric_list(x) -> bool:
    """A (nested) Python list of numbers, such as ``[[0.1, 2], [3, 4]]``."""
    if not isinstance(x, (list, tuple)) or not x:
        return False
    if all(_is_number(v) for v in x):
        return True
    return all(_is_numeric_list(v) for v in x)


def _lists_to_arrays(x, whole: bool = False):
    """Python lists of numbers as arrays, so they are not read as structures.

    A flat list of numbers is always one array (one value per sample). A list
    of lists is one array only for a single-input model (``whole``); otherwise
    it is one list per input or output, as in Keras.
    """
    if x is None or is_array_like(x):
        return x
    if isinstance(x, (list, tuple)) and x and all(_is_number(v) for v in x):
        return np.asarray(x)
    if whole and _is_numeric_list(x):
        return _as_array(x, "`x`")
    if isinstance(x, dict):
        return {k: _lists_to_arrays(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_lists_to_arrays(v) for v in x)
    return x


def _convert_inputs(x, device, input_dtypes, input_names=None):
    """Inputs as device tensors, each cast to its model input's dtype."""
    flat = tree.flatten(x)
    if (
        input_dtypes is not None
        and isinstance(x, dict)
        and input_names
        and set(x) == set(input_names)
    ):
        # A dict is flattened in key order; the dtypes follow the inputs' order.
        by_name = dict(zip(input_names, input_dtypes))
        input_dtypes = [by_name[key] for key in sorted(x)]
    if input_dtypes is not None and len(input_dtypes) == len(flat):
        converted = []
        for value, dtype in zip(flat, input_dtypes):
            t = to_tensor(value, device)
            if (
                dtype is not None
                and t.dtype != dtype
                and (t.is_floating_point() or dtype.is_floating_point)
            ):
                t = t.to(dtype)
            converted.append(t)
        return tree.pack_sequence_as(x, converted)
    return tree.map_structure(lambda v: to_tensor(v, device), x)


def split_validation(x, y, sample_weight, validation_split: float, input_names=None):
    """Keras's validation_split: the last fraction of the arrays, before shuffling."""
    if not 0.0 < validation_split < 1.0:
        raise ArgumentError(
            f"`validation_split` must be between 0 and 1, received {validation_split}."
        )
    if not is_array_structure(x):
        raise ArgumentError(
            "`validation_split` is only supported for Tensors or NumPy arrays; found "
            f"a {type(x).__name__}. Pass `validation_data` instead."
        )
    x = _lists_to_arrays(x, whole=input_names is None or len(input_names) == 1)
    y = _lists_to_arrays(y)
    sample_weight = _lists_to_arrays(sample_weight)
    n = check_cardinality(x, y, sample_weight)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ArgumentError(
            f"Training data contains {n} samples, which is not sufficient to split it "
            f"into a validation and training set as specified by `validation_split="
            f"{validation_split}`. Either provide more data, or a different value."
        )

    def part(structure, sl):
        if structure is None:
            return None
        return tree.map_structure(lambda v: v[sl] if v is not None else None, structure)

    train = tuple(part(s, slice(0, split_at)) for s in (x, y, sample_weight))
    val = tuple(part(s, slice(split_at, None)) for s in (x, y, sample_weight))
    return train, val
