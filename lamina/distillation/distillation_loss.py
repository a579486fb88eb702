"""The distillation losses: how a student's outputs are compared with a teacher's.

`DistillationLoss` is the base class a `Distiller` calls once per step with the
teacher's and the student's outputs (or, for `FeatureDistillation` with layer
names, the outputs of two intermediate layers); `LogitsDistillation` compares
temperature-softened logits, `FeatureDistillation` compares features directly.
"""

from __future__ import annotations

from lamina import losses, ops
from lamina.backend import tree
from lamina.errors import ArgumentError


def to_loss_function(loss):
    """A loss identifier (``"mse"``) as the loss function; a callable or None as is."""
    if loss is None or not isinstance(loss, str):
        return loss
    function = losses.get(loss)
    if function is None:
        raise ArgumentError(f"Unknown loss function: '{loss}'.")
    return function


def _losses_of(loss, owner: str):
    """``loss`` (one loss, or a structure of them per output) as loss functions."""
    converted = tree.map_structure(to_loss_function, loss)
    if all(item is None for item in tree.flatten(converted)):
        raise ArgumentError(owner)
    return converted


def _summed(values) -> object:
    """The 0-d sum of a structure of per-output losses (0.0 for a skipped output)."""
    return ops.sum(ops.stack(tree.flatten(values)))


class DistillationLoss:
    """Base class of the losses a `Distiller` adds to the student's own loss.

    Subclass it and override `compute_loss` (and, to check models or outputs
    before training, `validate_model_compatibility` / `validate_outputs`).

    Example:
        >>> class MeanGap(lamina.distillation.DistillationLoss):
        ...     def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        ...         return lamina.ops.mean(
        ...             lamina.ops.abs(teacher_outputs - student_outputs)
        ...         )
    """

    _keras_module = "keras.distillation"  # the module Keras writes in configs

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The 0-d loss between the teacher's and the student's outputs.

        Args:
            teacher_outputs: a tensor, or a list / dict of them.
            student_outputs: the student's, of the same structure.
            **kwargs: for subclasses.
        """
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        """Raise if the two outputs differ in structure."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student) -> None:
        """Raise if the two models cannot be distilled with this loss (never here)."""


class FeatureDistillation(DistillationLoss):
    """Compares features: the models' outputs, or two intermediate layers' outputs.

    Example:
        >>> loss = lamina.distillation.FeatureDistillation(
        ...     loss="mse", teacher_layer_name="dense_1", student_layer_name="dense"
        ... )

    Args:
        loss: a loss name (``"mse"``, ``"cosine_similarity"``, ...), function or
            `Loss`; or a list / dict of them per output, ``None`` skipping an
            output. At least one must not be None.
        teacher_layer_name: the teacher's layer whose output is compared; None
            for the teacher's final output.
        student_layer_name: likewise for the student.
    """

    _keras_module = "keras.distillation"  # the module Keras writes in configs

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = _losses_of(
            loss,
            "The `loss` argument in `FeatureDistillation` must contain at least one "
            "non-`None` value.",
        )

    def validate_model_compatibility(self, teacher, student) -> None:
        """Layer names need models with symbolic inputs, and layers of those names."""
        if self.teacher_layer_name is not None or self.student_layer_name is not None:
            subclassed = [
                role
                for role, model in (("teacher", teacher), ("student", student))
                if getattr(model, "inputs", None) is None
            ]
            if subclassed:
                raise ArgumentError(
                    "FeatureDistillation with specific layer names requires "
                    "Functional or Sequential models. The "
                    f"{' and '.join(subclassed)} model(s) appear to be subclassed "
                    "(no symbolic inputs/outputs). Either use Functional/Sequential "
                    "models, or use FeatureDistillation without layer names (to "
                    "distill final outputs only), or use LogitsDistillation instead."
                )
        for role, model, layer_name in (
            ("teacher", teacher, self.teacher_layer_name),
            ("student", student, self.student_layer_name),
        ):
            if layer_name is not None:
                try:
                    model.get_layer(name=layer_name)
                except ValueError as error:
                    raise ArgumentError(f"In {role} model: {error}") from None

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as error:
            raise ArgumentError(
                f"Loss structure mismatch. Loss structure: {self.loss}, output "
                f"structure: {tree.map_structure(lambda _: '*', teacher_outputs)}. "
                f"Error: {error}"
            ) from None

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The sum over outputs of each output's mean loss."""

        def apply(loss_fn, teacher_features, student_features):
            if loss_fn is None:
                return 0.0
            return ops.mean(loss_fn(teacher_features, student_features))

        return _summed(
            tree.map_structure(apply, self.loss, teacher_outputs, student_outputs)
        )

    def get_config(self) -> dict:
        return {
            "loss": losses.serialize(self.loss),
            "teacher_layer_name": self.teacher_layer_name,
            "student_layer_name": self.student_layer_name,
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["loss"] = losses.deserialize(config["loss"])
        return cls(**config)


class LogitsDistillation(DistillationLoss):
    """Compares the models' logits, both divided by a temperature.

    With a `KLDivergence` loss object, the softened logits become probabilities
    (softmax) first and the loss is scaled by ``temperature ** 2``; any other
    loss (the ``"kl_divergence"`` name included, as in Keras) gets the softened
    logits themselves.

    Example:
        >>> loss = lamina.distillation.LogitsDistillation(temperature=3.0)

    Args:
        temperature: a positive number dividing both models' logits (3.0).
        loss: a loss name, function or `Loss` (``"kl_divergence"``); or a list /
            dict of them per output, ``None`` skipping an output.
    """

    _keras_module = "keras.distillation"  # the module Keras writes in configs

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = _losses_of(loss, "At least one loss must be non-`None`.")
        if not isinstance(temperature, (int, float)) or isinstance(temperature, bool):
            raise ArgumentError(
                f"temperature must be a number, got {type(temperature)}"
            )
        if temperature <= 0.0:
            raise ArgumentError("temperature must be positive.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The sum over outputs of each output's mean loss on softened logits."""
        temperature = self.temperature

        def soften(logits):
            return ops.divide(logits, temperature)

        def apply(loss_fn, teacher_logits, student_logits):
            if loss_fn is None:
                return 0.0
            if isinstance(loss_fn, losses.KLDivergence):
                teacher_probs = ops.softmax(teacher_logits, axis=-1)
                student_probs = ops.softmax(student_logits, axis=-1)
                loss = ops.mean(loss_fn(teacher_probs, student_probs))
                return loss * temperature**2
            return ops.mean(loss_fn(teacher_logits, student_logits))

        return _summed(
            tree.map_structure(
                apply,
                self.loss,
                tree.map_structure(soften, teacher_outputs),
                tree.map_structure(soften, student_outputs),
            )
        )

    def get_config(self) -> dict:
        return {
            "temperature": self.temperature,
            "loss": losses.serialize(self.loss),
        }

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["loss"] = losses.deserialize(config["loss"])
        return cls(**config)
