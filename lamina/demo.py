"""``python -m lamina demo``: the tutorial MNIST MLP, trained on real data.

Trains 784-512-512-512-10 with dropout and RMSprop (batch 128) on MNIST, with the
Keras progress bar, prints the test accuracy, saves the model
(``mnist_mlp.keras``) and its learning curves (``mnist_mlp_history.png``).

The data comes, in lamina's dataset search order, from Keras's cache folder
(``~/.keras/datasets/mnist.npz``), else from the original IDX files in
``LAMINA_DATA_DIR``; this command points that at the project's
``../shared/data`` when it exists, so it runs offline.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def build_model():
    import lamina as keras
    from lamina.layers import Dense, Dropout

    model = keras.Sequential([keras.Input(shape=(784,))], name="mnist_mlp")
    for _ in range(3):
        model.add(Dense(512, activation="relu"))
        model.add(Dropout(0.2))
    model.add(Dense(10, activation="softmax"))
    model.compile(
        loss="categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    return model


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(
        prog="python -m lamina demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--data",
        default=str(SHARED_DATA),
        help="folder holding mnist/ with the IDX .gz files",
    )
    parser.add_argument("--out", default=".", help="where to write the model and plot")
    parser.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="train and test on the first N samples only",
    )
    args = parser.parse_args(argv)

    if Path(args.data).is_dir():
        os.environ.setdefault("LAMINA_DATA_DIR", str(Path(args.data).resolve()))
    import lamina as keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train.reshape(-1, 784).astype("float32") / 255
    x_test = x_test.reshape(-1, 784).astype("float32") / 255
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
        x_test, y_test = x_test[: args.limit], y_test[: args.limit]

    model = build_model()
    model.summary()
    history = model.fit(
        x_train,
        y_train,
        batch_size=args.batch_size,
        epochs=args.epochs,
        verbose=args.verbose,
        validation_data=(x_test, y_test),
    )
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f}")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / "mnist_mlp.keras")
    print(f"Saved the model to {out / 'mnist_mlp.keras'}")
    try:
        keras.utils.plot_history(history, out / "mnist_mlp_history.png")
        print(f"Saved the learning curves to {out / 'mnist_mlp_history.png'}")
    except ImportError as err:
        print(f"No learning-curve plot: {err}")
    return accuracy


if __name__ == "__main__":
    main()
