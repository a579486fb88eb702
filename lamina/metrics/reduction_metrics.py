"""Metrics that reduce values: `Sum`, `Mean`, `MeanMetricWrapper` and its classes.

`FunctionMetric` is the base of Keras's classes that average one function
(`Accuracy`, `MeanSquaredError`, `Hinge`, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from lamina.backend.tensor_ops import divide_no_nan, squeeze_or_expand_to_same_rank
from lamina.metrics._tensors import broadcast_weights, to_tensor
from lamina.metrics.metric import Metric
from lamina.metrics.metric_functions import FUNCTIONS
from lamina.serialization import (
    deserialize_keras_object,
    serialize_keras_object,
)


def apply_mask(sample_weight, mask: torch.Tensor | None) -> torch.Tensor | None:
    """Zero the weights of masked-out entries (the mask becomes the weights if none).

    This is Keras's `apply_mask` for sum reductions: masked entries weigh 0.
    """
    if mask is None:
        return sample_weight
    if sample_weight is None:
        return mask.to(
            torch.get_default_dtype() if not mask.is_floating_point() else mask.dtype
        )
    sample_weight = to_tensor(sample_weight, device=mask.device)
    if not sample_weight.is_floating_point():
        sample_weight = sample_weight.to(torch.get_default_dtype())
    float_mask = mask.to(sample_weight.dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(
        float_mask, sample_weight
    )
    return sample_weight * float_mask


def reduce_to_samplewise_values(
    values, sample_weight, reduce_fn: Callable, dtype: torch.dtype, device, where: str
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Weight ``values`` and reduce them to one value per sample, as Keras does.

    Weights of shape ``(batch,)`` apply per sample: the values are first reduced
    (with ``reduce_fn``) over their trailing axes down to the weights' rank.
    Returns the weighted per-sample values and the weights reduced alike.
    """
    mask = getattr(values, "_keras_mask", None)
    values = to_tensor(values, dtype=dtype, device=device)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=device)
        if mask is not None:
            # As in Keras, the values' mask (e.g. sparse crossentropy's
            # `ignore_class`) applies only when weights are given.
            sample_weight = apply_mask(sample_weight, mask)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.dim()
        if values.dim() > weight_ndim:
            values = reduce_fn(values, dim=tuple(range(weight_ndim, values.dim())))
        sample_weight = broadcast_weights(sample_weight, values.shape, where)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, dim=tuple(range(1, weight_ndim)))
    if values.dim() > 1:
        values = reduce_fn(values, dim=tuple(range(1, values.dim())))
    return values, sample_weight


class Sum(Metric):
    """Compute the (weighted) sum of the given values.

    If `values` is `[1, 3, 5, 7]` the sum is 16; with `sample_weight`
    `[1, 1, 0, 0]` it is 4.

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Sum()
    >>> m.update_state([1, 3, 5, 7])
    >>> float(m.result())
    16.0
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None) -> None:
        values, _ = reduce_to_samplewise_values(
            values, sample_weight, torch.sum, self._torch_dtype, self._device, self.name
        )
        self.total.add_(values.sum())

    def result(self) -> torch.Tensor:
        return self.total.clone()


class Mean(Metric):
    """Compute the (weighted) mean of the given values.

    If `values` is `[1, 3, 5, 7]` the mean is 4; with `sample_weight`
    `[1, 1, 0, 0]` it is 2. The state is `total` and `count`; the result is
    `total / count` (0 before any update).

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.Mean()
    >>> m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None) -> None:
        values, sample_weight = reduce_to_samplewise_values(
            values,
            sample_weight,
            torch.mean,
            self._torch_dtype,
            self._device,
            self.name,
        )
        self.total.add_(values.sum())
        if sample_weight is not None:
            self.count.add_(sample_weight.sum())
        else:
            # The sample count is a shape, known on the host: no device sync.
            self.count.add_(values.shape[0] if values.dim() >= 1 else 1)

    def result(self) -> torch.Tensor:
        return divide_no_nan(self.total, self.count)


class MeanMetricWrapper(Mean):
    """Wrap a stateless metric function with the `Mean` metric.

    The function has the signature `fn(y_true, y_pred, **kwargs)` and returns
    per-sample values; `result()` is their (weighted) mean over every sample
    seen so far.

    Args:
        fn: the metric function to wrap.
        name: name of the metric instance.
        dtype: dtype of the metric result.
        **kwargs: keyword arguments passed on to `fn`.

    Example:

    >>> def squared(y_true, y_pred):
    ...     return (y_true - y_pred) ** 2
    >>> m = lamina.metrics.MeanMetricWrapper(fn=squared)
    >>> float(m([0.0, 1.0], [1.0, 3.0]))
    2.5
    """

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        module = getattr(fn, "__module__", None) or type(fn).__module__
        if module.startswith("lamina.losses"):
            self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        # A mask on the predictions (from a Masking or Embedding layer) leaves
        # the masked entries out, as in Keras.
        mask = getattr(y_pred, "_keras_mask", None)
        # Functions get tensors even when the caller passed lists or arrays.
        y_true, y_pred = to_tensor(y_true), to_tensor(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=apply_mask(sample_weight, mask))

    def get_config(self) -> dict[str, Any]:
        config = {
            "name": self.name,
            "dtype": self.dtype,
            "fn": serialize_keras_object(self._fn),
        }
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_keras_object(
                config["fn"],
                module_objects=FUNCTIONS,
                printable_module_name="metric function",
            )
        return cls(**config)


_COMPARISON_DOC = """Computes the {what} between `y_true` and `y_pred`.{details}

    Args:
        name: name of the metric instance.
        dtype: dtype of the metric result.

    Example:

    >>> m = lamina.metrics.{cls}()
    >>> m.update_state({data})
    >>> round(float(m.result()), 4)
    {result}
    """


def comparison_doc(cls: str, what: str, data: str, result, details: str = "") -> str:
    """The docstring of a metric comparing `y_true` with `y_pred` (`Hinge`, ...).

    Args:
        cls: the class name.
        what: what it computes (`"mean squared error"`).
        data: the example's `y_true, y_pred`, as Python source.
        result: the example's result, rounded to 4 digits.
        details: paragraphs after the summary line, each starting with a
            blank line.
    """
    return _COMPARISON_DOC.format(
        cls=cls, what=what, data=data, result=result, details=details
    )


class FunctionMetric(MeanMetricWrapper):
    """Base of Keras's metric classes that average one fixed function.

    The class stands for its function, so the config leaves `fn` out; the
    function's keyword arguments (`threshold`, `from_logits`, ...) are the
    class's own arguments: attributes of the instance and keys of its config.

    A class whose only arguments are `name` and `dtype` names its function
    and default name in its header and gets Keras's constructor
    `(name=<default>, dtype=None)`:

    ```python
    class Hinge(FunctionMetric, fn=hinge, name="hinge"): ...
    ```

    Args:
        fn: the metric function the class averages.
        name: name of the metric instance.
        dtype: dtype of the metric result.
        **options: keyword arguments passed on to `fn`.
    """

    def __init_subclass__(cls, fn: Callable | None = None, name: str = "", **kwargs):
        super().__init_subclass__(**kwargs)
        if fn is not None:
            cls.__init__ = _name_and_dtype_constructor(cls, fn, name)

    def __init__(self, fn: Callable, name: str, dtype=None, **options):
        super().__init__(fn, name=name, dtype=dtype, **options)
        for key, value in options.items():
            setattr(self, key, value)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, **self._fn_kwargs}


def _name_and_dtype_constructor(cls: type, fn: Callable, default_name: str):
    """``cls``'s ``__init__(self, name=default_name, dtype=None)`` over ``fn``."""

    def __init__(self, name: str = default_name, dtype=None):  # noqa: N807 (it is an __init__)
        FunctionMetric.__init__(self, fn, name, dtype)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__
