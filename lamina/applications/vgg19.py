"""VGG19: VGG16 with four convolutions in each of the last three blocks.

Reference: [Very Deep Convolutional Networks for Large-Scale Image
Recognition](https://arxiv.org/abs/1409.1556) (ICLR 2015).
"""

from __future__ import annotations

from lamina.applications import application as app
from lamina.applications import imagenet_utils
from lamina.applications.vgg16 import DOC, vgg

HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")


@app.application(name="vgg19", doc=DOC.format("VGG19", "vgg19"))
def VGG19(args):
    return vgg(args, (2, 2, 4, 4, 4), "vgg19", HASHES)


preprocess_input = imagenet_utils.preprocessor("caffe", __name__)
decode_predictions = imagenet_utils.decode_predictions
