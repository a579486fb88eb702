"""The tutorial MNIST MLP (784-512-512-512-10 with dropout, RMSprop), on real data.

Runs offline: the MNIST files come from Keras's cache folder
(``~/.keras/datasets/mnist.npz``) if present, else from the original IDX files in
``--data`` (default: the project's ``../shared/data``, given to lamina as
``LAMINA_DATA_DIR``).

    python examples/mnist_mlp.py [--epochs 3] [--data DIR]
"""

from __future__ import annotations

import argparse
import os

import lamina as keras
from lamina.layers import Dense, Dropout

DEFAULT_DATA = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--data",
        default=DEFAULT_DATA,
        help="folder with the MNIST IDX .gz files (or its mnist/)",
    )
    args = parser.parse_args()

    os.environ.setdefault("LAMINA_DATA_DIR", os.path.abspath(args.data))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            Dense(512, activation="relu"),
            Dropout(0.2),
            Dense(512, activation="relu"),
            Dropout(0.2),
            Dense(512, activation="relu"),
            Dropout(0.2),
            Dense(10, activation="softmax"),
        ]
    )
    model.summary()
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    model.fit(
        x_train,
        y_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        verbose=1,
        validation_data=(x_test, y_test),
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
