"""lamina `fit`/`predict` vs a hand-written torch loop: the tutorial MLP and wide&deep.

Same model, same data, same batch size, same process. Prints samples/s for each
and the time ratio lamina/torch (1.00 = as fast; the target is <= 1.10).

    python benchmarks/bench_mlp.py [--samples 12800] [--epochs 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import lamina as keras
from lamina.layers import Concatenate, Dense, Dropout, Input


def torch_mlp() -> torch.nn.Module:
    layers = []
    width = 784
    for _ in range(3):
        layers += [torch.nn.Linear(width, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2)]
        width = 512
    layers.append(torch.nn.Linear(width, 10))
    return torch.nn.Sequential(*layers)


def lamina_mlp():
    model = keras.Sequential([keras.Input(shape=(784,))])
    for _ in range(3):
        model.add(Dense(512, activation="relu"))
        model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    return model


def torch_epoch(model, x, y, batch_size, loss_fn, optimizer):
    """One epoch of a plain torch loop: shuffle, slice, forward, loss, backward, step."""
    n = x.shape[0]
    perm = torch.randperm(n)
    model.train()
    for i in range(0, n, batch_size):
        idx = perm[i : i + batch_size]
        xb, yb = x[idx], y[idx]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()


def best_times(first, second, rounds):
    """Best time of each of two functions, run alternately so that a busy moment
    on a shared machine hits both alike."""
    times = ([], [])
    for _ in range(rounds):
        for fn, out in zip((first, second), times):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def report(name, n, t_lamina, t_torch):
    print(
        f"{name:28s} lamina {n / t_lamina:9.0f} samples/s   torch {n / t_torch:9.0f} "
        f"samples/s   time ratio lamina/torch {t_lamina / t_torch:.3f}"
    )


def bench_mlp(n, epochs, batch_size):
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    labels = rng.integers(0, 10, n)
    y = np.eye(10, dtype=np.float32)[labels]

    keras.utils.set_random_seed(0)
    model = lamina_mlp()
    model.fit(
        x[: batch_size * 2], y[: batch_size * 2], batch_size=batch_size, verbose=0
    )
    torch.manual_seed(0)
    tmodel = torch_mlp()
    opt = torch.optim.RMSprop(tmodel.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)
    t_lamina, t_torch = best_times(
        lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0),
        lambda: torch_epoch(
            tmodel, xt, yt, batch_size, torch.nn.functional.cross_entropy, opt
        ),
        epochs,
    )
    report("MLP fit (RMSprop, bs 128)", n, t_lamina, t_torch)

    def torch_predict():
        tmodel.eval()
        with torch.no_grad():
            outs = [
                torch.softmax(tmodel(xt[i : i + batch_size]), -1)
                for i in range(0, n, batch_size)
            ]
            return torch.cat(outs).numpy()

    t_lamina, t_torch = best_times(
        lambda: model.predict(x, batch_size=batch_size, verbose=0),
        torch_predict,
        epochs + 2,
    )
    report("MLP predict", n, t_lamina, t_torch)


class WideDeep(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.h1, self.h2 = torch.nn.Linear(8, 30), torch.nn.Linear(30, 30)
        self.out = torch.nn.Linear(38, 1)

    def forward(self, x):
        h = torch.relu(self.h2(torch.relu(self.h1(x))))
        return self.out(torch.cat([x, h], dim=-1))


def bench_wide_deep(n, epochs, batch_size=32):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((n, 8), dtype=np.float32)
    y = (x @ rng.standard_normal(8).astype(np.float32))[:, None]

    keras.utils.set_random_seed(0)
    inp = Input(shape=(8,))
    h1 = Dense(30, activation="relu")(inp)
    h2 = Dense(30, activation="relu")(h1)
    out = Dense(1)(Concatenate()([inp, h2]))
    model = keras.Model(inp, out)
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-3))
    model.fit(x[:64], y[:64], verbose=0)
    torch.manual_seed(0)
    tmodel = WideDeep()
    opt = torch.optim.SGD(tmodel.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    t_lamina, t_torch = best_times(
        lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0),
        lambda: torch_epoch(
            tmodel, xt, yt, batch_size, torch.nn.functional.mse_loss, opt
        ),
        epochs,
    )
    report("wide&deep fit (SGD, bs 32)", n, t_lamina, t_torch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-flush-denormal", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.no_flush_denormal:
        torch.set_flush_denormal(True)
    print(
        f"torch {torch.__version__}, {args.threads} threads, flush_denormal="
        f"{not args.no_flush_denormal}"
    )
    bench_mlp(args.samples, args.epochs, 128)
    bench_wide_deep(args.samples, args.epochs)


if __name__ == "__main__":
    main()
