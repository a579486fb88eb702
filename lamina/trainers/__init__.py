"""Training: `compile`, `fit`, `evaluate`, `predict` and the data they read.

`Trainer` is the mixin that `lamina.Model` inherits (as Keras's `Model` inherits
its backend trainer); its steps call the layers, losses, metrics and optimizers
of the floors below and report to the callbacks. One concept per module:

- `trainer`: `Trainer`: compile, fit, evaluate, predict, the ``*_on_batch``
  methods, and the overridable `train_step`/`test_step`/`predict_step`.
- `builtin_steps`: the built-in step (forward, loss, backward, optimizer,
  metric updates) and the loss trackers and logs it keeps.
- `compile_utils`: what `compile()` turns losses and metrics into.
- `loop_data`: the batches a loop reads for a model, and the checks on them.
- `data_adapter`: arrays, generators, `PyDataset`s and DataLoaders as batches.
- `py_dataset`: `PyDataset` (Keras 2's `Sequence`).
- `logs`: the ``{name: value}`` logs handed to callbacks.
- `keras2`: Keras 2's methods and arguments, as thin aliases.
"""
