"""`compile(jit_compile=True)`: the train and test steps through torch.compile.

What is compiled, per model (made at the first full batch, kept across `fit`
calls until the next `compile()`):

- the forward pass, the compiled loss (with the model's `losses`) and the
  metric updates, as one graph (`fullgraph=True`); AOTAutograd derives the
  backward graph from it, so ``loss.backward()`` runs compiled code too;
- the optimizer's update of the weights from their gradients (its ``_update``,
  for optimizers whose update traces: RMSprop, SGD, Adagrad, Adadelta, Ftrl,
  Lion, ...), with the learning rate as a tensor so that schedules and
  callbacks that change it never recompile. Adam and AdamW already run one
  fused kernel (``torch._fused_adam_``) and keep it.

In a data-parallel fit the train step goes through DistributedDataParallel,
whose forward dynamo cannot trace whole (the reducer's bookkeeping): that step
is compiled without ``fullgraph``, DDP's forward runs eagerly around the
compiled forward of the model (which dynamo splits at DDP's gradient buckets)
and the loss and metrics after it are compiled as their own graph. A layer
that breaks the graph then runs eagerly in place instead of warning.

A batch whose size differs from the first one (the last, partial batch of an
epoch) runs the eager step instead, on the same weights and optimizer state,
so there is one graph per step and no recompilation. If dynamo cannot trace the
model (a layer that breaks the graph) or the compiler fails, the model goes on
eagerly, with one warning that says why.

Each model gets its own copy of the step function's code object: torch.compile
keeps its cache and its recompile limit per code object, so many models in one
process (a test suite, a hyper-parameter search) do not share, and exhaust, one
limit.
"""

from __future__ import annotations

import types
import warnings

import torch


def _compile_errors() -> tuple[type[BaseException], ...]:
    """Errors from dynamo (tracing, graph breaks under fullgraph, recompile
    limits) and from the backend compiler (inductor, a missing C++ toolchain):
    after them the step is run eagerly. Errors raised by the model itself are
    not caught here: the eager rerun raises them with lamina's message.
    (Looked up when an error is raised: importing torch._dynamo takes about a
    second, which `import lamina` does not pay.)"""
    import torch._dynamo

    return (torch._dynamo.exc.TorchDynamoException,)


def _train_forward(model, x, y_flat, sw_flat):
    """Forward, loss and metric updates of one training batch (compiled)."""
    total, per_output, y_pred_flat = model._forward_loss(x, y_flat, sw_flat, True)
    with torch.no_grad():
        model._compiled_metrics.update(y_flat, y_pred_flat, sw_flat)
    return total, per_output


def _test_forward(model, x, y_flat, sw_flat):
    """Forward, loss and metric updates of one evaluation batch (compiled)."""
    total, per_output, y_pred_flat = model._forward_loss(x, y_flat, sw_flat, False)
    model._compiled_metrics.update(y_flat, y_pred_flat, sw_flat)
    return total, per_output


def _optimizer_update(optimizer, params, grads, lr):
    """The optimizer's own update of ``params`` (compiled)."""
    optimizer._update(params, grads, None, lr)


def _own_copy(function):
    """``function`` with a code object of its own (its own torch.compile cache)."""
    return types.FunctionType(
        function.__code__.replace(),
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )


def _compile(function, fullgraph: bool = True):
    return torch.compile(_own_copy(function), fullgraph=fullgraph, dynamic=False)


class JitSteps:
    """The compiled steps of one model, and when to use them.

    A step kind ('train', 'test') runs compiled for batches of the size of its
    first compiled batch; other sizes run eagerly. ``failed`` is set (with one
    warning) when compiling failed: the model then runs eagerly until its next
    `compile()`.
    """

    def __init__(self):
        self.failed = False
        self._batch_sizes: dict[str, int] = {}
        self._functions: dict[tuple[str, bool], object] = {}

    def __reduce__(self):
        # A copied or pickled model compiles afresh: compiled code is not data.
        return (JitSteps, ())

    def accepts(self, kind: str, batch_size: int) -> bool:
        """Whether a ``kind`` step on a batch of this size runs compiled."""
        if self.failed:
            return False
        return self._batch_sizes.setdefault(kind, batch_size) == batch_size

    def run(self, kind: str, owner, *args):
        """Run compiled function ``kind`` ('train', 'test' or 'update').

        ``owner`` (the model or the optimizer) is its first argument. Returns
        `FAILED` (after warning once) when it cannot be compiled: the caller
        then runs the eager code.
        """
        # Data-parallel: DDP's forward (its reducer's bookkeeping) cannot be
        # traced; dynamo runs it eagerly and compiles the model's forward
        # inside it (split at DDP's gradient buckets) and the loss after it.
        fullgraph = kind != "train" or getattr(owner, "_ddp", None) is None
        function = self._functions.get((kind, fullgraph))
        if function is None:
            function = _compile(_TEMPLATES[kind], fullgraph)
            self._functions[(kind, fullgraph)] = function
        try:
            return function(owner, *args)
        except _compile_errors() as error:
            self._fall_back(owner, error)
            return FAILED

    def update(self, optimizer, params: list, grads: list, lr) -> None:
        """The optimizer's update hook: its `_update`, compiled."""
        if not self.failed:
            if not isinstance(lr, torch.Tensor):
                # A tensor, not a float: a new rate must not recompile.
                lr = torch.tensor(lr, dtype=torch.float32)
            if self.run("update", optimizer, params, grads, lr) is not FAILED:
                return
        optimizer._update(params, grads, None, lr)

    def _fall_back(self, owner, error: BaseException) -> None:
        self.failed = True
        self._functions.clear()
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else ""
        name = getattr(owner, "name", type(owner).__name__)
        warnings.warn(
            f"jit_compile: torch.compile could not compile the step of '{name}' "
            f"({type(error).__name__}: {reason}); it runs eagerly instead.",
            UserWarning,
            stacklevel=4,
        )


FAILED = object()  # what `JitSteps.run` returns when it could not compile
_TEMPLATES = {
    "train": _train_forward,
    "test": _test_forward,
    "update": _optimizer_update,
}


def compiles_update(optimizer) -> bool:
    """Whether the compiled step should compile this optimizer's update.

    Adam and AdamW already run one fused kernel, and optimizers whose update
    depends on the step count as a Python number (bias corrections: Adamax,
    Nadam, Adafactor) would recompile every step; they keep their eager update.
    """
    return bool(getattr(optimizer, "_jit_update", False))
