"""The hand-written torch twins of the benchmark models (see bench_models.py).

Same shapes, optimizer and batch size as the Keras definitions; weights drawn
as Keras draws them (Glorot-uniform kernels, zero biases, orthogonal recurrent
kernels with the forget gate's bias at 1, uniform(-0.05, 0.05) embeddings).
"""

from __future__ import annotations

import math
import time

import torch
from bench_models import EMBED, MODELS, UNITS, VOCAB, mlp_layer_sizes

nn, F = torch.nn, torch.nn.functional


class WideDeep(nn.Module):
    def __init__(self):
        super().__init__()
        self.h1, self.h2 = nn.Linear(8, 30), nn.Linear(30, 30)
        self.out = nn.Linear(38, 1)

    def forward(self, x):
        h = torch.relu(self.h2(torch.relu(self.h1(x))))
        return self.out(torch.cat([x, h], dim=-1))


class LSTMClassifier(nn.Module):
    """``torch.nn.LSTM``, or a step loop when recurrent dropout is on (written by
    hand with Keras's mask semantics: one input mask and one state mask per
    gate, drawn once per batch and kept for all steps)."""

    def __init__(self, dropout: float = 0.0, recurrent_dropout: float = 0.0):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, EMBED)
        self.dropout, self.recurrent_dropout = dropout, recurrent_dropout
        if recurrent_dropout:
            self.kernel = nn.Parameter(torch.empty(4, EMBED, UNITS))
            self.recurrent_kernel = nn.Parameter(torch.empty(4, UNITS, UNITS))
            self.bias = nn.Parameter(torch.zeros(4, 1, UNITS))
        else:
            self.lstm = nn.LSTM(EMBED, UNITS, batch_first=True)
        self.head = nn.Linear(UNITS, 1)

    def _masks(self, rate: float, shape) -> torch.Tensor:
        mask = torch.rand(shape, device=self.head.weight.device) >= rate
        return mask.float().mul_(1.0 / (1.0 - rate))

    def forward(self, tokens):
        x = self.embedding(tokens)  # (batch, time, embed)
        if not self.recurrent_dropout:
            if self.training and self.dropout:
                x = x * self._masks(self.dropout, (x.shape[0], 1, EMBED))
            return self.head(self.lstm(x)[1][0][0]).squeeze(-1)
        batch = x.shape[0]
        in_masks, rec_masks = 1.0, None
        if self.training:
            in_masks = self._masks(self.dropout, (4, batch, 1, EMBED))
            rec_masks = self._masks(self.recurrent_dropout, (4, batch, UNITS))
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
            i, f = torch.sigmoid(z[0]), torch.sigmoid(z[1])
            g, o = torch.tanh(z[2]), torch.sigmoid(z[3])
            c = f * c + i * g
            h = o * torch.tanh(c)
        return self.head(h).squeeze(-1)


def _rmsprop(params):
    return torch.optim.RMSprop(params, lr=1e-3, alpha=0.9, eps=1e-7)


def _adam(params):
    # fused=True: torch's fastest Adam (lamina uses a fused update too).
    return torch.optim.Adam(params, lr=1e-3, eps=1e-7, fused=True)


def _softmax(logits):
    return torch.softmax(logits, -1)


def torch_model(name: str, width: int = 512):
    """``name``'s twin: ``(module, loss_fn, make_optimizer, output_fn)``.

    ``loss_fn(output, y_torch)``; ``output_fn`` turns the module's output into
    what Keras's ``predict`` returns (the softmax or sigmoid Keras has inside).
    """
    if name == "mlp":
        modules = []
        for fan_in, fan_out in mlp_layer_sizes(width)[:-1]:
            modules += [nn.Linear(fan_in, fan_out), nn.ReLU(), nn.Dropout(0.2)]
        modules.append(nn.Linear(width, 10))
        model = nn.Sequential(*modules)
        spec = (F.cross_entropy, _rmsprop, _softmax)
    elif name == "cnn":
        model = nn.Sequential(
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
        spec = (F.cross_entropy, _rmsprop, _softmax)
    elif name in ("lstm", "lstm_dropout"):
        rate = 0.2 if name == "lstm_dropout" else 0.0
        model = LSTMClassifier(rate, rate)
        spec = (
            F.binary_cross_entropy_with_logits,
            _adam,
            lambda logits: torch.sigmoid(logits)[:, None],
        )
    elif name == "wide_deep":
        model = WideDeep()
        spec = (
            F.mse_loss,
            lambda params: torch.optim.SGD(params, lr=1e-3),
            lambda out: out,
        )
    else:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    keras_init(model)
    if name == "cnn":
        model = model.to(memory_format=torch.channels_last)
    return (model, *spec)


def torch_inputs(name: str, x):
    """The numpy inputs as the twin takes them: token ids as int64, images NCHW
    in channels_last memory (the faster format for torch's CPU convolutions)."""
    xt = torch.from_numpy(x)
    if name == "cnn":
        return xt.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
    if name in ("lstm", "lstm_dropout"):
        return xt.long()
    return xt


@torch.no_grad()
def keras_init(model: nn.Module) -> None:
    """Redraw ``model``'s weights with Keras's default initializers."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.uniform_(module.weight, -0.05, 0.05)
        elif isinstance(module, nn.LSTM):
            # torch's (4 units, in) weights are Keras's (in, 4 units) kernels
            # transposed, with the same gate order (i, f, c, o).
            _keras_lstm_init(
                module.weight_ih_l0.T, module.weight_hh_l0.T, module.bias_ih_l0
            )
            nn.init.zeros_(module.bias_hh_l0)
        elif isinstance(module, LSTMClassifier) and module.recurrent_dropout:
            # (4, in, units): Keras's (in, 4 units) kernel cut in four.
            kernel = module.kernel.new_empty(EMBED, 4 * UNITS)
            recurrent = module.kernel.new_empty(UNITS, 4 * UNITS)
            bias = module.kernel.new_empty(4 * UNITS)
            _keras_lstm_init(kernel, recurrent, bias)
            module.kernel.copy_(kernel.view(EMBED, 4, UNITS).transpose(0, 1))
            module.recurrent_kernel.copy_(
                recurrent.view(UNITS, 4, UNITS).transpose(0, 1)
            )
            module.bias.copy_(bias.view(4, 1, UNITS))


def _keras_lstm_init(kernel, recurrent_kernel, bias) -> None:
    """Keras's LSTM initializers on ``(in, 4 units)`` views."""
    fan_in, fan_out = kernel.shape
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    kernel.uniform_(-limit, limit)
    nn.init.orthogonal_(recurrent_kernel)
    bias.zero_()
    bias[UNITS : 2 * UNITS] = 1.0  # Keras's unit_forget_bias


def mlp_gemm_peak(width: int, batch_size: int, seconds: float = 0.5) -> float:
    """FLOP/s of torch.matmul on the MLP step's own GEMMs (the best of several
    passes): forward ``x @ W``, weight gradients ``x.T @ dy`` and input
    gradients ``dy @ W.T`` but the first layer's, at the step's shapes."""
    products = []
    for index, (fan_in, fan_out) in enumerate(mlp_layer_sizes(width)):
        x = torch.rand(batch_size, fan_in)
        w = torch.rand(fan_in, fan_out)
        dy = torch.rand(batch_size, fan_out)
        products += [(x, w), (x.T, dy)]
        if index:
            products.append((dy, w.T))
    flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b in products)
    best, deadline = math.inf, time.perf_counter() + seconds
    while best == math.inf or time.perf_counter() < deadline:
        start = time.perf_counter()
        for a, b in products:
            torch.matmul(a, b)
        best = min(best, time.perf_counter() - start)
    return flops / best
