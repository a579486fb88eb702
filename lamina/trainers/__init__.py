"""Training: `compile`, `fit`, `evaluate`, `predict` and the data they read.

`Trainer` is the mixin that `lamina.Model` inherits (as Keras's `Model` inherits
its backend trainer); its steps call the layers, losses, metrics and optimizers
of the floors below and report to the callbacks.
"""
