"""lamina `fit` vs a hand-written torch loop: the tutorial CIFAR-10 CNN.

Conv2D 32 3x3 same relu, Conv2D 32 3x3 relu, MaxPool 2, Dropout .25, Conv2D 64
same relu, Conv2D 64 relu, MaxPool 2, Dropout .25, Flatten, Dense 512 relu,
Dropout .5, Dense 10 softmax (1,250,858 parameters); RMSprop, batch 64, random
32x32x3 inputs. Same process; prints samples/s for each and the time ratio
lamina/torch (1.00 = as fast; the target is <= 1.10). The torch loop runs twice:
as a torch user usually writes it (NCHW tensors, default memory format) and
with torch's channels_last memory format (model and data), which is what
lamina's channels-last convolutions use underneath.

    python benchmarks/bench_cifar_cnn.py [--samples 2048] [--epochs 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import time  # noqa: E402

from bench_mlp import report, torch_epoch  # noqa: E402

import lamina as keras  # noqa: E402
from lamina import layers  # noqa: E402


def lamina_cnn():
    model = keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.25),
            layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    return model


def torch_cnn() -> torch.nn.Module:
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(32, 32, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(64, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(64 * 6 * 6, 512),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(512, 10),
    )


def bench_cnn(n, epochs, batch_size):
    rng = np.random.default_rng(0)
    x = rng.random((n, 32, 32, 3), dtype=np.float32)
    labels = rng.integers(0, 10, n)
    y = np.eye(10, dtype=np.float32)[labels]

    keras.utils.set_random_seed(0)
    model = lamina_cnn()
    assert model.count_params() == 1250858, model.count_params()
    model.fit(
        x[: batch_size * 2], y[: batch_size * 2], batch_size=batch_size, verbose=0
    )

    loss_fn = torch.nn.functional.cross_entropy
    runs = {}
    for memory_format in (torch.contiguous_format, torch.channels_last):
        torch.manual_seed(0)
        tmodel = torch_cnn().to(memory_format=memory_format)
        assert sum(p.numel() for p in tmodel.parameters()) == 1250858
        opt = torch.optim.RMSprop(tmodel.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        xt = torch.from_numpy(x).permute(0, 3, 1, 2)
        xt = xt.contiguous(memory_format=memory_format)
        yt = torch.from_numpy(labels)
        warm = batch_size * 2
        torch_epoch(tmodel, xt[:warm], yt[:warm], batch_size, loss_fn, opt)
        layout = "NCHW" if memory_format is torch.contiguous_format else "NHWC"
        runs[layout] = (tmodel, xt, yt, opt)

    # Epochs interleaved (lamina, torch NCHW, torch NHWC, again...), best of each:
    # the machine's load changes over minutes, so this keeps the ratios fair.
    t_lamina, t_torch = [], {layout: [] for layout in runs}
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        t_lamina.append(time.perf_counter() - start)
        for layout, (tmodel, xt, yt, opt) in runs.items():
            start = time.perf_counter()
            torch_epoch(tmodel, xt, yt, batch_size, loss_fn, opt)
            t_torch[layout].append(time.perf_counter() - start)
    for layout, times in t_torch.items():
        report(f"CIFAR CNN fit vs torch {layout}", n, min(t_lamina), min(times))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    print(f"torch {torch.__version__}, {args.threads} threads")
    bench_cnn(args.samples, args.epochs, args.batch_size)


if __name__ == "__main__":
    main()
