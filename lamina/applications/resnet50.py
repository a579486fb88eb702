"""ResNet50 under Keras's older module path, `keras.applications.resnet50`."""

from lamina.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
