"""`Distiller`: a model that trains a student against a frozen teacher."""

from __future__ import annotations

import torch

from lamina import metrics, ops
from lamina.backend import tree
from lamina.distillation.distillation_loss import to_loss_function
from lamina.errors import ArgumentError
from lamina.models import Model, Sequential
from lamina.serialization import deserialize_keras_object, serialize_keras_object
from lamina.trainers.compile_utils import flatten_targets
from lamina.trainers.data_adapter import unpack_x_y_sample_weight
from lamina.trainers.loop_data import batch_size_of

_FINAL = "final_output"


class Distiller(Model):
    """Knowledge distillation: the student learns from labels and from a teacher.

    The loss of each step is ``student_loss_weight * student_loss + (1 -
    student_loss_weight) * distillation_loss``: the student's loss on the labels
    (the ``loss`` given to `compile`) and the weighted sum of the distillation
    losses between the teacher's and the student's outputs (or intermediate
    features). The teacher is frozen (``trainable = False``) and runs without
    gradients; calling the distiller runs the student. The logs add
    ``student_loss``, ``distillation_loss`` and ``total_loss`` to ``loss``.

    Example:
        >>> distiller = lamina.distillation.Distiller(
        ...     teacher=teacher,
        ...     student=student,
        ...     distillation_losses=lamina.distillation.LogitsDistillation(3.0),
        ... )
        >>> distiller.compile(optimizer="adam",
        ...                   loss="sparse_categorical_crossentropy")
        >>> distiller.fit(x_train, y_train, epochs=3)
        >>> trained = distiller.student

    Args:
        teacher: a trained `Model`, the knowledge source (frozen).
        student: the `Model` to train.
        distillation_losses: a `DistillationLoss` (`LogitsDistillation`,
            `FeatureDistillation`, or your own), or a list of them.
        distillation_loss_weights: one weight per distillation loss (all 1.0
            when None).
        student_loss_weight: the share of the student's own loss, in [0, 1]
            (0.5).
        name: the model's name (``"distiller"``).
        **kwargs: other `Model` arguments (``trainable``, ``dtype``).
    """

    _keras_module = "keras.distillation"  # the module Keras writes in configs

    def __init__(
        self,
        teacher,
        student,
        distillation_losses,
        distillation_loss_weights=None,
        student_loss_weight=0.5,
        name="distiller",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        _check_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if not isinstance(student_loss_weight, (int, float)) or isinstance(
            student_loss_weight, bool
        ):
            raise ArgumentError(
                f"student_loss_weight must be a number, got {type(student_loss_weight)}"
            )
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ArgumentError(
                "student_loss_weight must be between 0.0 and 1.0, got "
                f"{student_loss_weight}"
            )
        self.student_loss_weight = student_loss_weight
        if distillation_losses is None:
            raise ArgumentError(
                "'distillation_losses' cannot be `None`. Provide a distillation loss "
                "(e.g., LogitsDistillation or FeatureDistillation) or a list of "
                "distillation losses."
            )
        if not isinstance(distillation_losses, (list, tuple)):
            distillation_losses = [distillation_losses]
            distillation_loss_weights = [1.0]
        elif distillation_loss_weights is None:
            distillation_loss_weights = [1.0] * len(distillation_losses)
        elif len(distillation_loss_weights) != len(distillation_losses):
            raise ArgumentError(
                "Number of distillation_loss_weights "
                f"({len(distillation_loss_weights)}) must match number of "
                f"distillation_losses ({len(distillation_losses)})"
            )
        self.distillation_losses = list(distillation_losses)
        self.distillation_loss_weights = list(distillation_loss_weights)
        for distillation_loss in self.distillation_losses:
            distillation_loss.validate_model_compatibility(teacher, student)
        self._teacher_feature_extractor = _feature_extractor(
            teacher, _layer_names(self.distillation_losses, "teacher_layer_name")
        )
        self._student_feature_extractor = _feature_extractor(
            student, _layer_names(self.distillation_losses, "student_layer_name")
        )
        self.teacher.trainable = False
        self.student_loss_tracker = metrics.Mean(name="student_loss")
        self.distillation_loss_tracker = metrics.Mean(name="distillation_loss")
        self.total_loss_tracker = metrics.Mean(name="total_loss")
        self._student_loss = None

    # ------------------------------------------------------------ compile
    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Set the optimizer (for the student), the student's loss and metrics.

        Args:
            optimizer: the optimizer (``"adam"``).
            loss: the student's loss on the labels (required): a name, function
                or `Loss`, or a structure of them per output.
            metrics: a list of metrics of the student's outputs.
            **kwargs: other `compile` arguments.
        """
        if loss is None:
            raise ArgumentError("'loss' cannot be `None`.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ArgumentError(f"metrics must be a list or tuple, got {type(metrics)}")
        self._student_loss = tree.map_structure(to_loss_function, loss)
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)
        # Kept in the compile config, so a saved distiller compiles again on load.
        self._compile_config["loss"] = loss

    # ------------------------------------------------------------ forward and loss
    def call(self, inputs, training=None, **kwargs):
        """The student's outputs."""
        return self.student(inputs, training=training, **kwargs)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        """The combined loss of one batch (and the trackers' updates).

        Args:
            x: the inputs (the teacher's and the feature extractors').
            y: the targets of the student's loss (skipped when None).
            y_pred: the student's outputs (computed from ``x`` when None).
            sample_weight: unused, as in Keras.
            training: whether the student runs in training mode.

        Returns:
            a 0-d tensor.
        """
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = 0.0
        if self.student_loss_weight > 0.0 and y is not None:
            values = tree.flatten(
                tree.map_structure(
                    lambda loss, target, output: loss(target, output),
                    self._student_loss,
                    y,
                    y_pred,
                )
            )
            student_loss = ops.sum(ops.stack(values)) if len(values) > 1 else values[0]
            if len(getattr(student_loss, "shape", ())) > 0:
                student_loss = ops.mean(student_loss)
        distillation_loss = 0.0
        if self.student_loss_weight < 1.0:
            distillation_loss = self._distillation_loss(x, y_pred)
        total_loss = ops.add(
            ops.multiply(self.student_loss_weight, student_loss),
            ops.multiply(1.0 - self.student_loss_weight, distillation_loss),
        )
        with torch.no_grad():
            self.student_loss_tracker.update_state(student_loss)
            self.distillation_loss_tracker.update_state(distillation_loss)
            self.total_loss_tracker.update_state(total_loss)
        return total_loss

    def _distillation_loss(self, x, y_pred):
        """The weighted sum of the distillation losses on one batch."""
        with torch.no_grad():
            if self._teacher_feature_extractor is not None:
                teacher_features = self._teacher_feature_extractor(x, training=False)
            else:
                teacher_features = {_FINAL: self.teacher(x, training=False)}
        if self._student_feature_extractor is not None:
            student_features = self._student_feature_extractor(x, training=True)
        else:
            student_features = {_FINAL: y_pred}
        total = 0.0
        for loss_fn, weight in zip(
            self.distillation_losses, self.distillation_loss_weights
        ):
            teacher_layer = getattr(loss_fn, "teacher_layer_name", None)
            if teacher_layer is not None:
                student_layer = loss_fn.student_layer_name or _FINAL
                teacher_out = _feature(teacher_features, teacher_layer, loss_fn)
                student_out = _feature(student_features, student_layer, loss_fn)
            else:
                teacher_out, student_out = teacher_features[_FINAL], y_pred
            loss_fn.validate_outputs(teacher_out, student_out)
            value = loss_fn.compute_loss(teacher_out, student_out)
            if len(getattr(value, "shape", ())) > 0:
                raise ArgumentError(
                    f"Distillation loss {type(loss_fn).__name__} returned a "
                    f"non-scalar loss with shape {tuple(value.shape)}. The "
                    "compute_loss method must return a scalar tensor."
                )
            total = ops.add(total, ops.multiply(weight, value))
        return total

    # ------------------------------------------------------------ steps and metrics
    def train_step(self, data):
        """One step: the student's forward pass, the combined loss, one update."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        self._ready_for(x, y)
        params = self._trainable_params()
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        for p in params:
            p.grad = None
        loss.backward()
        self.optimizer.step(params)
        return self._step_logs(x, y, y_pred, sample_weight, loss)

    def test_step(self, data):
        """One evaluation step: the combined loss and the metrics, no update."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        self._ready_for(x, y)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        return self._step_logs(x, y, y_pred, sample_weight, loss)

    def _ready_for(self, x, y) -> None:
        """Build the loss tracker and compiled metrics from the first batch."""
        if self._compiled_loss is None:
            self._ensure_built_for(x, y)
            self._prepare_for_steps()

    def _step_logs(self, x, y, y_pred, sample_weight, loss) -> dict:
        names = self._output_names_cache
        with torch.no_grad():
            self._trackers["loss"].update(loss, batch_size_of(x))
            if y is not None:
                self._compiled_metrics.update(
                    flatten_targets(y, names),
                    tree.flatten(y_pred),
                    flatten_targets(sample_weight, names, "sample_weight"),
                )
        logs = {name: result() for name, result in self._log_sources().items()}
        logs.update({m.name: m.result() for m in self._loss_trackers()})
        return logs

    def _loss_trackers(self) -> list:
        return [
            self.student_loss_tracker,
            self.distillation_loss_tracker,
            self.total_loss_tracker,
        ]

    @property
    def metrics(self) -> list:
        """The loss, the compiled metrics and the student, distillation and total
        loss trackers."""
        return super().metrics + self._loss_trackers()

    # ------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "teacher": serialize_keras_object(self.teacher),
                "student": serialize_keras_object(self.student),
                "distillation_losses": [
                    serialize_keras_object(loss) for loss in self.distillation_losses
                ],
                "distillation_loss_weights": self.distillation_loss_weights,
                "student_loss_weight": self.student_loss_weight,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config["teacher"] = deserialize_keras_object(config["teacher"])
        config["student"] = deserialize_keras_object(config["student"])
        config["distillation_losses"] = [
            deserialize_keras_object(loss) for loss in config["distillation_losses"]
        ]
        return cls(**config)


def _check_models(teacher, student) -> None:
    """Both are models, with inputs and outputs of compatible shapes and dtypes."""
    for role, model in (("Teacher", teacher), ("Student", student)):
        if not isinstance(model, Model):
            raise ArgumentError(f"{role} must be a keras.Model, got {type(model)}")
    for kind in ("input", "output"):
        teacher_tensors = getattr(teacher, f"{kind}s", None)
        student_tensors = getattr(student, f"{kind}s", None)
        if teacher_tensors is None or student_tensors is None:
            continue
        tree.map_structure(
            lambda t, s, kind=kind: _check_pair(t, s, kind),
            teacher_tensors,
            student_tensors,
        )


def _check_pair(teacher_tensor, student_tensor, kind: str) -> None:
    t_shape, s_shape = tuple(teacher_tensor.shape), tuple(student_tensor.shape)
    if len(t_shape) != len(s_shape):
        raise ArgumentError(
            f"Teacher and student {kind} shapes have different dimensions. "
            f"Teacher: {t_shape}, Student: {s_shape}."
        )
    for a, b in zip(t_shape, s_shape):
        if a is not None and b is not None and a != b:
            raise ArgumentError(
                f"Teacher and student {kind} shapes are incompatible. Teacher: "
                f"{t_shape}, Student: {s_shape}. All dimensions must match."
            )
    if teacher_tensor.dtype != student_tensor.dtype:
        raise ArgumentError(
            f"Teacher and student {kind} dtypes must match. Teacher: "
            f"{teacher_tensor.dtype}, Student: {student_tensor.dtype}."
        )


def _layer_names(distillation_losses, attribute: str) -> list[str]:
    names = [getattr(loss, attribute, None) for loss in distillation_losses]
    return list(dict.fromkeys(name for name in names if name))


def _feature_extractor(model, layer_names: list[str]):
    """A functional model giving the final output and each named layer's output."""
    if not layer_names:
        return None
    if getattr(model, "inputs", None) is None:
        raise ArgumentError(
            f"Cannot create feature extractor for {model.name}. The model has no "
            "symbolic inputs attribute."
        )
    final = model.layers[-1].output if isinstance(model, Sequential) else model.output
    outputs = {_FINAL: final}
    for name in layer_names:
        outputs[name] = model.get_layer(name=name).output
    return Model(
        inputs=model.inputs,
        outputs=outputs,
        name=f"{model.name}_multi_feature_extractor",
    )


def _feature(features: dict, layer_name: str, loss_fn):
    if layer_name not in features:
        raise RuntimeError(
            f"Failed to extract features for {type(loss_fn).__name__} targeting "
            f"teacher layer '{loss_fn.teacher_layer_name}' and student layer "
            f"'{loss_fn.student_layer_name}'. Original error: Layer '{layer_name}' "
            f"not found in extracted features. Available: {list(features)}"
        )
    return features[layer_name]
