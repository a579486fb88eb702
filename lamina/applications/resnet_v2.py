"""ResNet50V2, ResNet101V2 and ResNet152V2: ResNets of pre-activation blocks.

Reference: [Identity Mappings in Deep Residual Networks](
https://arxiv.org/abs/1603.05027) (CVPR 2016).
"""

from __future__ import annotations

from lamina.applications import imagenet_utils
from lamina.applications.resnet import variant

_DOC = """Instantiates the {} architecture.

    Reference: [Identity Mappings in Deep Residual Networks](
    https://arxiv.org/abs/1603.05027) (CVPR 2016).

    The default input size is 224x224 (at least 32x32 without the head). Call
    `lamina.applications.resnet_v2.preprocess_input` on the inputs first: it
    scales pixels to [-1, 1].
    """

ResNet50V2 = variant("ResNet50V2", (3, 4, 6, 3), 2, _DOC, __name__)
ResNet101V2 = variant("ResNet101V2", (3, 4, 23, 3), 2, _DOC, __name__)
ResNet152V2 = variant("ResNet152V2", (3, 8, 36, 3), 2, _DOC, __name__)

preprocess_input = imagenet_utils.preprocessor("tf", __name__)
decode_predictions = imagenet_utils.decode_predictions
