"""Keras 2's ``keras.layers.embeddings`` module path."""

from lamina.layers.core.embedding import Embedding

__all__ = ["Embedding"]
