"""Which samples each process reads in a data-parallel loop, checked in one
process by building every rank's batches side by side (no process group)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lamina.distribution import data_parallel, process_group
from lamina.distribution.data_parallel import Shard
from lamina.trainers import data_adapter


@pytest.fixture(autouse=True)
def same_seed_everywhere(monkeypatch):
    # In a real run rank 0's seed is broadcast; here every "rank" gets 7.
    monkeypatch.setattr(data_adapter, "shared_seed", lambda: 7)


def ranks_batches(n, batch_size, world=2, equal_steps=True, epochs=1, **options):
    """[rank][epoch] -> list of the sample ids of each batch."""
    x = np.arange(n, dtype="float32").reshape(n, 1)
    result = []
    for rank in range(world):
        batches = data_adapter.make_batches(
            x,
            x,
            batch_size=batch_size,
            shard=Shard(rank, world, equal_steps),
            **options,
        )
        result.append(
            [
                [xb[:, 0].int().tolist() for xb, _, _ in batches.epoch()]
                for _ in range(epochs)
            ]
        )
    return result


def test_the_b_th_batches_of_all_ranks_are_the_b_th_global_batch():
    (r0,), (r1,) = ranks_batches(24, batch_size=8, shuffle=False)
    assert r0 == [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18, 20, 22]]
    assert r1 == [[1, 3, 5, 7], [9, 11, 13, 15], [17, 19, 21, 23]]
    for b in range(3):
        assert sorted(r0[b] + r1[b]) == list(range(8 * b, 8 * b + 8))


def test_training_pads_to_equal_steps_evaluation_does_not():
    (r0,), (r1,) = ranks_batches(11, batch_size=4, shuffle=False)
    assert r0 == [[0, 2], [4, 6], [8, 10]]
    assert r1 == [[1, 3], [5, 7], [9, 0]]  # padded with the first sample
    (e0,), (e1,) = ranks_batches(11, batch_size=4, equal_steps=False, shuffle=False)
    assert e0 == [[0, 2], [4, 6], [8, 10]]
    assert e1 == [[1, 3], [5, 7], [9]]


def test_shuffle_is_one_permutation_per_epoch_split_between_ranks():
    r0, r1 = ranks_batches(16, batch_size=4, epochs=3, shuffle=True)
    orders = []
    for epoch in range(3):
        seen0 = sum(r0[epoch], [])
        seen1 = sum(r1[epoch], [])
        assert sorted(seen0 + seen1) == list(range(16))
        orders.append(seen0)
    assert orders[0] != orders[1] != orders[2]


def test_batch_shuffle_moves_whole_global_batches():
    r0, r1 = ranks_batches(16, batch_size=4, epochs=1, shuffle="batch")
    for b0, b1 in zip(r0[0], r1[0]):
        block = sorted(b0 + b1)
        assert block == list(range(block[0], block[0] + 4)) and block[0] % 4 == 0


def test_batch_size_is_the_global_batch_and_must_split_evenly():
    with pytest.raises(ValueError, match="global batch of 2 processes"):
        ranks_batches(10, batch_size=5)


def test_generator_batches_are_split_by_rows():
    def batches():
        for start in range(0, 12, 6):
            x = np.arange(start, start + 6, dtype="float32").reshape(6, 1)
            yield x, x

    seen = []
    for rank in range(2):
        source = data_adapter.make_batches(batches(), shard=Shard(rank, 2, True))
        seen.append([xb[:, 0].int().tolist() for xb, _, _ in source.epoch()])
    assert seen == [[[0, 2, 4], [6, 8, 10]], [[1, 3, 5], [7, 9, 11]]]


def test_a_map_style_dataset_is_read_through_a_distributed_sampler():
    dataset = torch.utils.data.TensorDataset(torch.arange(12.0).reshape(12, 1))
    seen = []
    for rank in range(2):
        source = data_adapter.make_batches(
            dataset, batch_size=4, shuffle=True, shard=Shard(rank, 2, True)
        )
        sampler = source._dataset_loader.sampler
        assert isinstance(sampler, torch.utils.data.DistributedSampler)
        assert source.shard is None  # the sampler already chose the samples
        epochs = [sum((xb[:, 0].int().tolist() for xb, _, _ in source.epoch()), [])]
        epochs.append(sum((xb[:, 0].int().tolist() for xb, _, _ in source.epoch()), []))
        seen.append(epochs)
    assert sorted(seen[0][0] + seen[1][0]) == list(range(12))
    assert seen[0][0] != seen[0][1]  # set_epoch: a new shuffle each epoch


def test_auto_shard_dataset_false_leaves_generator_batches_whole():
    x = np.arange(4, dtype="float32").reshape(4, 1)
    source = data_adapter.make_batches(
        iter([(x, x)]), shard=Shard(1, 2, True, split_batches=False)
    )
    assert next(iter(source.epoch()))[0].shape == (4, 1)


def test_predict_outputs_are_gathered_back_in_order(monkeypatch):
    # Rank r predicted rows r, r + 2, ... of each global batch (here 4 rows,
    # then 3): rank 0 [0, 2], [4, 6]; rank 1 [1, 3], [5].
    parts = [
        [torch.tensor([[0.0], [2.0]]), torch.tensor([[4.0], [6.0]])],
        [torch.tensor([[1.0], [3.0]]), torch.tensor([[5.0]])],
    ]
    monkeypatch.setattr(process_group, "world_size", lambda: 2)
    monkeypatch.setattr(process_group, "all_gather_objects", lambda value, what: parts)
    merged = data_parallel.gather_batches(parts[0])
    assert [m[:, 0].tolist() for m in merged] == [[0, 1, 2, 3], [4, 5, 6]]
    # A rank with one batch fewer (9 rows in batches of 4, 4, 1).
    parts[0].append(torch.tensor([[8.0]]))
    parts[1][1] = torch.tensor([[5.0], [7.0]])
    parts[0][1] = torch.tensor([[4.0], [6.0]])
    merged = data_parallel.gather_batches(parts[0])
    assert torch.cat(merged)[:, 0].tolist() == list(range(9))


def test_a_custom_train_step_is_refused_with_several_processes(monkeypatch):
    monkeypatch.setattr(process_group, "world_size", lambda: 2)
    with pytest.raises(ValueError, match="overrides train_step"):
        data_parallel.wrap_model(torch.nn.Linear(1, 1), custom_step=True)
