"""VGG16 (and the VGG builder VGG19 shares).

Reference: [Very Deep Convolutional Networks for Large-Scale Image
Recognition](https://arxiv.org/abs/1409.1556) (ICLR 2015).
"""

from __future__ import annotations

from lamina import layers
from lamina.applications import application as app
from lamina.applications import imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/"
FILTERS = (64, 128, 256, 512, 512)


def vgg(args, convs_per_block, family, hashes):
    """A VGG network: five blocks of 3x3 convolutions (``convs_per_block``)
    each ending in 2x2 max pooling; the head is two 4096-unit layers."""
    img_input = app.start(args, 224, 32)
    x = img_input
    for block, (filters, convs) in enumerate(zip(FILTERS, convs_per_block), 1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(
                filters,
                (3, 3),
                activation="relu",
                padding="same",
                name=f"block{block}_conv{conv}",
            )(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if args.include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = app.dense_predictions(x, args)
    else:
        x = app.pooling_head(x, args.pooling)
    base = f"{BASE_WEIGHTS_PATH}{family}/"
    imagenet = app.tf_kernels_file(family, base, hashes, args.include_top)
    return app.finish(args, img_input, x, imagenet)


DOC = """Instantiates the {} model.

    Reference: [Very Deep Convolutional Networks for Large-Scale Image
    Recognition](https://arxiv.org/abs/1409.1556) (ICLR 2015).

    The default input size is 224x224 (at least 32x32 without the head). Call
    `lamina.applications.{}.preprocess_input` on the inputs first: it converts
    RGB to BGR and zero-centres each channel on ImageNet's mean, without
    scaling.
    """
HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")


@app.application(name="vgg16", doc=DOC.format("VGG16", "vgg16"))
def VGG16(args):
    return vgg(args, (2, 2, 3, 3, 3), "vgg16", HASHES)


preprocess_input = imagenet_utils.preprocessor("caffe", __name__)
decode_predictions = imagenet_utils.decode_predictions
