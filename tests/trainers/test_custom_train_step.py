"""Overridable train_step / test_step / predict_step and compute_loss (Keras 3 on torch)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lamina
from lamina.layers import Dense, Input

rng = np.random.default_rng(0)
X = rng.standard_normal((64, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")).astype("float32")


class CustomModel(lamina.Model):
    """The train_step of Keras's "Customizing fit() with PyTorch" guide."""

    calls: list = []

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        CustomModel.calls.append(1)
        return {m.name: m.result() for m in self.metrics}


def test_custom_train_step_trains_and_logs():
    inputs = Input((3,))
    model = CustomModel(inputs, Dense(1)(inputs))
    model.compile(optimizer=lamina.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=3, batch_size=16, verbose=0)
    assert len(CustomModel.calls) == 12
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(X, Y, verbose=0)[0] == pytest.approx(
        float(np.mean((model.predict(X, verbose=0) - Y) ** 2)), rel=1e-4
    )


class TwoOptimizers(lamina.Model):
    """A GAN-like model: its own compile, metrics and steps, no compiled loss."""

    def __init__(self):
        super().__init__()
        self.first = Dense(1, name="first")
        self.second = Dense(1, name="second")
        self.first_loss = lamina.metrics.Mean(name="first_loss")
        self.second_loss = lamina.metrics.Mean(name="second_loss")

    def call(self, x):
        return self.first(x) + self.second(x)

    def compile(self, first_optimizer, second_optimizer):
        super().compile()
        self.first_optimizer = first_optimizer
        self.second_optimizer = second_optimizer

    @property
    def metrics(self):
        return [self.first_loss, self.second_loss]

    def train_step(self, data):
        x, y = data
        for layer, optimizer, tracker in (
            (self.first, self.first_optimizer, self.first_loss),
            (self.second, self.second_optimizer, self.second_loss),
        ):
            self.zero_grad()
            loss = torch.mean((self(x) - y) ** 2)
            loss.backward()
            optimizer.apply(
                [w.grad for w in layer.trainable_weights], layer.trainable_weights
            )
            tracker.update_state(loss.detach())
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        loss = torch.mean((self(x) - y) ** 2)
        self.first_loss.update_state(loss)
        return {"first_loss": self.first_loss.result()}

    def predict_step(self, data):
        (x,) = data
        return self(x) * 0 + 1


def test_gan_style_model_with_its_own_compile_metrics_and_steps():
    model = TwoOptimizers()
    model.compile(lamina.optimizers.SGD(0.05), lamina.optimizers.SGD(0.05))
    history = model.fit(
        X, Y, epochs=2, batch_size=16, verbose=0, validation_data=(X, Y)
    )
    assert set(history.history) == {"first_loss", "second_loss", "val_first_loss"}
    assert history.history["first_loss"][1] < history.history["first_loss"][0]
    assert model.evaluate(X, Y, verbose=0, return_dict=True).keys() == {"first_loss"}
    assert np.all(model.predict(X, verbose=0) == 1)


def test_on_batch_methods_use_custom_steps():
    model = TwoOptimizers()
    model.compile(lamina.optimizers.SGD(0.05), lamina.optimizers.SGD(0.05))
    logs = model.train_on_batch(X, Y, return_dict=True)
    assert set(logs) == {"first_loss", "second_loss"}
    assert isinstance(model.test_on_batch(X, Y), float)
