"""Keras 2's ``keras.utils.vis_utils`` module path."""

from lamina.utils.model_visualization import model_to_dot, plot_model

__all__ = ["model_to_dot", "plot_model"]
