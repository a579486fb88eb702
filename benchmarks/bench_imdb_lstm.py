"""lamina `fit` vs a hand-written torch loop: the tutorial IMDB LSTM.

Embedding(20000, 128) -> LSTM(128) -> Dense(1, sigmoid), adam, binary
crossentropy, batch 32, sequences of 80 tokens (random tokens and labels: the
speed does not depend on them). Two variants: the plain LSTM (lamina runs
torch's fused kernel; the torch baseline is ``torch.nn.LSTM``) and the
tutorial's ``LSTM(128, dropout=0.2, recurrent_dropout=0.2)`` (a step loop in
both; the torch baseline is written by hand with Keras's mask semantics: one
input mask and one state mask per gate, drawn once per batch and kept for all
steps). Same process, same data; prints samples/s and the time ratio
lamina/torch (1.00 = as fast).

    python benchmarks/bench_imdb_lstm.py [--samples 4096] [--epochs 2] [--threads 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import lamina as keras
from lamina.layers import LSTM, Dense, Embedding

VOCAB, EMBED, UNITS, LENGTH, BATCH = 20000, 128, 128, 80, 32


class TorchLSTMClassifier(torch.nn.Module):
    """The baseline: ``torch.nn.LSTM``, or a step loop when dropout is on."""

    def __init__(self, dropout: float = 0.0, recurrent_dropout: float = 0.0):
        super().__init__()
        self.embedding = torch.nn.Embedding(VOCAB, EMBED)
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        if recurrent_dropout:
            self.kernel = torch.nn.Parameter(torch.randn(4, EMBED, UNITS) * 0.05)
            self.recurrent_kernel = torch.nn.Parameter(
                torch.randn(4, UNITS, UNITS) * 0.05
            )
            self.bias = torch.nn.Parameter(torch.zeros(4, 1, UNITS))
        else:
            self.lstm = torch.nn.LSTM(EMBED, UNITS, batch_first=True)
        self.head = torch.nn.Linear(UNITS, 1)

    def _masks(self, rate: float, shape) -> torch.Tensor:
        return (torch.rand(shape) >= rate).float().mul_(1.0 / (1.0 - rate))

    def forward(self, tokens):
        x = self.embedding(tokens)  # (batch, time, embed)
        if not self.recurrent_dropout:
            if self.training and self.dropout:
                x = x * self._masks(self.dropout, (x.shape[0], 1, EMBED))
            h = self.lstm(x)[1][0][0]
        else:
            batch = x.shape[0]
            in_masks = (
                self._masks(self.dropout, (4, batch, 1, EMBED))
                if self.training
                else 1.0
            )
            rec_masks = (
                self._masks(self.recurrent_dropout, (4, batch, UNITS))
                if self.training
                else None
            )
            # Input projections for all steps and gates: (4, batch, time, units).
            xs = torch.matmul(x.unsqueeze(0) * in_masks, self.kernel.unsqueeze(1))
            xs = xs + self.bias.unsqueeze(1)
            h = x.new_zeros(batch, UNITS)
            c = x.new_zeros(batch, UNITS)
            # unbind, not xs[:, :, t]: a slice's backward writes a full-size zero
            # tensor per step, unbind's backward stacks once.
            for x_t in xs.unbind(2):
                hs = (
                    h.unsqueeze(0) * rec_masks
                    if rec_masks is not None
                    else h.unsqueeze(0).expand(4, -1, -1)
                )
                z = x_t + torch.bmm(hs, self.recurrent_kernel)
                i, f, g, o = (
                    torch.sigmoid(z[0]),
                    torch.sigmoid(z[1]),
                    torch.tanh(z[2]),
                    torch.sigmoid(z[3]),
                )
                c = f * c + i * g
                h = o * torch.tanh(c)
        return self.head(h).squeeze(-1)


def lamina_model(dropout: float, recurrent_dropout: float):
    model = keras.Sequential(
        [
            keras.Input(shape=(LENGTH,), dtype="int32"),
            Embedding(VOCAB, EMBED),
            LSTM(UNITS, dropout=dropout, recurrent_dropout=recurrent_dropout),
            Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def torch_epoch(model, optimizer, x, y):
    """One plain torch epoch: shuffle, slice, forward, loss, backward, step."""
    loss_fn = torch.nn.functional.binary_cross_entropy_with_logits
    start = time.perf_counter()
    perm = torch.randperm(x.shape[0])
    model.train()
    for i in range(0, x.shape[0], BATCH):
        idx = perm[i : i + BATCH]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def lamina_epoch(model, x, y):
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    return time.perf_counter() - start


def report(name, n, t_lamina, t_torch):
    print(
        f"{name:42s} lamina {n / t_lamina:8.0f} samples/s   torch "
        f"{n / t_torch:8.0f} samples/s   time ratio lamina/torch "
        f"{t_lamina / t_torch:.3f}"
    )


def bench(n, epochs, dropout, recurrent_dropout, device):
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (n, LENGTH)).astype("int32")
    y = rng.integers(0, 2, (n, 1)).astype("float32")

    keras.utils.set_random_seed(0)
    model = lamina_model(dropout, recurrent_dropout)
    torch.manual_seed(0)
    tmodel = TorchLSTMClassifier(dropout, recurrent_dropout).to(device)
    # fused=True: the fastest torch Adam (lamina uses the same fused update).
    optimizer = torch.optim.Adam(tmodel.parameters(), lr=1e-3, eps=1e-7, fused=True)
    xt = torch.from_numpy(x).long().to(device)
    yt = torch.from_numpy(y[:, 0]).to(device)
    # Warm up both, then alternate epochs so that a change in the machine's load
    # hits both sides; keep the fastest epoch of each.
    lamina_epoch(model, x[: BATCH * 2], y[: BATCH * 2])
    torch_epoch(tmodel, optimizer, xt[: BATCH * 2], yt[: BATCH * 2])
    t_lamina = t_torch = float("inf")
    for _ in range(epochs):
        t_lamina = min(t_lamina, lamina_epoch(model, x, y))
        t_torch = min(t_torch, torch_epoch(tmodel, optimizer, xt, yt))
    name = (
        f"LSTM(dropout={dropout}, recurrent_dropout={recurrent_dropout})"
        if recurrent_dropout or dropout
        else "LSTM (fused kernel)"
    )
    report(name, n, t_lamina, t_torch)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    device = keras.backend.device()
    print(
        f"torch {torch.__version__}, {args.threads} threads, device {device}, "
        f"{args.samples} samples, batch {BATCH}, length {LENGTH}"
    )
    bench(args.samples, args.epochs, 0.0, 0.0, device)
    bench(args.samples, args.epochs, 0.2, 0.2, device)


if __name__ == "__main__":
    main()
