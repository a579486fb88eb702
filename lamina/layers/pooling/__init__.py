"""Pooling layers: max, average, global and adaptive pooling over 1-3 axes."""

# ruff: noqa: F401 - the imports are re-exported through the computed __all__.

from lamina.layers.pooling.adaptive_average_pooling1d import AdaptiveAveragePooling1D
from lamina.layers.pooling.adaptive_average_pooling2d import AdaptiveAveragePooling2D
from lamina.layers.pooling.adaptive_average_pooling3d import AdaptiveAveragePooling3D
from lamina.layers.pooling.adaptive_max_pooling1d import AdaptiveMaxPooling1D
from lamina.layers.pooling.adaptive_max_pooling2d import AdaptiveMaxPooling2D
from lamina.layers.pooling.adaptive_max_pooling3d import AdaptiveMaxPooling3D
from lamina.layers.pooling.average_pooling1d import AveragePooling1D
from lamina.layers.pooling.average_pooling2d import AveragePooling2D
from lamina.layers.pooling.average_pooling3d import AveragePooling3D
from lamina.layers.pooling.global_average_pooling1d import GlobalAveragePooling1D
from lamina.layers.pooling.global_average_pooling2d import GlobalAveragePooling2D
from lamina.layers.pooling.global_average_pooling3d import GlobalAveragePooling3D
from lamina.layers.pooling.global_max_pooling1d import GlobalMaxPooling1D
from lamina.layers.pooling.global_max_pooling2d import GlobalMaxPooling2D
from lamina.layers.pooling.global_max_pooling3d import GlobalMaxPooling3D
from lamina.layers.pooling.max_pooling1d import MaxPooling1D
from lamina.layers.pooling.max_pooling2d import MaxPooling2D
from lamina.layers.pooling.max_pooling3d import MaxPooling3D

# Keras's short names for the same classes.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D
GlobalMaxPool1D = GlobalMaxPooling1D
GlobalMaxPool2D = GlobalMaxPooling2D
GlobalMaxPool3D = GlobalMaxPooling3D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D

# Every class and Keras alias above; lamina.layers imports them by name.
__all__ = sorted(name for name in dir() if name[0].isupper())
