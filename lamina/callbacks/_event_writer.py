"""A TensorBoard event-file writer that needs neither TensorFlow nor TensorBoard.

An event file (`events.out.tfevents.*`) is a sequence of TFRecords, each

    uint64 length | uint32 masked crc32c(length) | data | uint32 masked crc32c(data)

(little-endian), whose data is a serialized `tensorflow.Event` protobuf. The
first event carries `file_version = "brain.Event:2"`; the others a `Summary`
of tagged values. Values are written the way `tf.summary` (v2) writes them: a
`TensorProto` plus `SummaryMetadata` naming the TensorBoard plugin that shows
it (`scalars`, `histograms`, `images`, `graph_keras_model`).

The few protobuf messages needed are encoded by hand below; field numbers are
those of tensorflow/core/framework/{summary,tensor,tensor_shape}.proto and
tensorflow/core/util/event.proto.
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
import zlib

import numpy as np

# TensorFlow's DataType enum values.
_DT_FLOAT = 1
_DT_DOUBLE = 2
_DT_STRING = 7


# ----------------------------------------------------------------- crc32c
def _make_crc32c_table() -> tuple[int, ...]:
    # CRC-32C (Castagnoli), reflected polynomial 0x82F63B78.
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _make_crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C checksum of `data` (table-driven, one byte per step)."""
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC: rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """Frames `data` as one TFRecord."""
    header = struct.pack("<Q", len(data))
    return b"".join(
        (
            header,
            struct.pack("<I", masked_crc32c(header)),
            data,
            struct.pack("<I", masked_crc32c(data)),
        )
    )


# ---------------------------------------------------------------- protobuf
def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64s are ten-byte varints
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field_varint(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_double(number: int, value: float) -> bytes:
    return _varint((number << 3) | 1) + struct.pack("<d", value)


def _field_bytes(number: int, value: bytes) -> bytes:
    return _varint((number << 3) | 2) + _varint(len(value)) + value


def _tensor_proto(
    dtype: int,
    shape: tuple[int, ...],
    *,
    float_val: float | None = None,
    string_val: tuple[bytes, ...] = (),
    content: bytes | None = None,
) -> bytes:
    dims = b"".join(_field_bytes(2, _field_varint(1, size)) for size in shape)
    parts = [_field_varint(1, dtype), _field_bytes(2, dims)]
    if content is not None:
        parts.append(_field_bytes(4, content))
    if float_val is not None:
        parts.append(_field_bytes(5, struct.pack("<f", float_val)))  # packed
    parts.extend(_field_bytes(8, s) for s in string_val)
    return b"".join(parts)


def _summary_value(tag: str, plugin_name: str, content: bytes, tensor: bytes) -> bytes:
    plugin_data = _field_bytes(1, plugin_name.encode())
    if content:
        plugin_data += _field_bytes(2, content)
    metadata = _field_bytes(1, plugin_data)
    return b"".join(
        (
            _field_bytes(1, tag.encode()),
            _field_bytes(8, tensor),
            _field_bytes(9, metadata),
        )
    )


def _event(wall_time: float, step: int, body: bytes) -> bytes:
    return _field_double(1, wall_time) + _field_varint(2, step) + body


def _summary_event(wall_time: float, step: int, value: bytes) -> bytes:
    return _event(wall_time, step, _field_bytes(5, _field_bytes(1, value)))


# ------------------------------------------------------------ summaries
def histogram_buckets(values: np.ndarray, bucket_count: int = 30) -> np.ndarray:
    """`tf.summary.histogram`'s `[bucket_count, 3]` (left, right, count) table.

    The range `[min, max]` is cut into equal buckets, the last one closed; all
    equal values fall in the last bucket, and no values give all zeros.
    """
    data = np.asarray(values, dtype=np.float64).reshape(-1)
    if data.size == 0:
        return np.zeros((bucket_count, 3))
    low, high = float(data.min()), float(data.max())
    if low == high:
        counts = np.zeros(bucket_count)
        counts[-1] = data.size
        edges = np.full(bucket_count, low)
        return np.stack([edges, edges, counts], axis=1)
    width = (high - low) / bucket_count
    index = np.minimum(
        np.floor((data - low) / width).astype(np.int64), bucket_count - 1
    )
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(low, high, bucket_count + 1)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def encode_png(image: np.ndarray) -> bytes:
    """A `(height, width, channels)` uint8 array (1, 3 or 4 channels) as a PNG."""
    height, width, channels = image.shape
    color_type = {1: 0, 3: 2, 4: 6}[channels]  # grey, RGB, RGBA

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    # Each scanline starts with its filter type, 0 (none).
    rows = np.concatenate(
        [np.zeros((height, 1), np.uint8), image.reshape(height, width * channels)],
        axis=1,
    )
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)),
            chunk(b"IEND", b""),
        )
    )


_file_counter = itertools.count()


class EventFileWriter:
    """Appends summaries to a new event file in `log_dir`, buffered in memory.

    Events are encoded as they are added and reach the file on `flush()` (or
    `close()`), so adding one costs no disk access. The file is created on the
    first flush, named as TensorFlow names it:
    `events.out.tfevents.<time>.<host>.<pid>.<counter>.v2`.

    Example:

    ```python
    writer = EventFileWriter("logs/train")
    writer.add_scalar("epoch_loss", 0.25, step=0)
    writer.close()
    ```

    Args:
        log_dir: Folder of the file (created when missing).
    """

    def __init__(self, log_dir: str) -> None:
        self.log_dir = log_dir
        self.path = os.path.join(
            log_dir,
            f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}"
            f".{os.getpid()}.{next(_file_counter)}.v2",
        )
        self._buffer = bytearray()
        self._add(_event(time.time(), 0, _field_bytes(3, b"brain.Event:2")))

    def _add(self, event: bytes) -> None:
        self._buffer += encode_record(event)

    def add_scalar(
        self, tag: str, value: float, step: int, wall_time: float | None = None
    ) -> None:
        """Adds a float32 scalar, as `tf.summary.scalar` writes it."""
        tensor = _tensor_proto(_DT_FLOAT, (), float_val=float(value))
        self._add(
            _summary_event(
                time.time() if wall_time is None else wall_time,
                step,
                _summary_value(tag, "scalars", b"", tensor),
            )
        )

    def add_histogram(self, tag: str, values: np.ndarray, step: int) -> None:
        """Adds a histogram of `values` (30 buckets), as `tf.summary.histogram`."""
        buckets = histogram_buckets(values)
        tensor = _tensor_proto(
            _DT_DOUBLE, buckets.shape, content=buckets.astype("<f8").tobytes()
        )
        self._add(
            _summary_event(
                time.time(), step, _summary_value(tag, "histograms", b"", tensor)
            )
        )

    def add_images(self, tag: str, images: np.ndarray, step: int) -> None:
        """Adds `(n, height, width, channels)` uint8 images, as `tf.summary.image`.

        The tensor holds the width and height as strings, then one PNG per
        image.
        """
        _, height, width, _ = images.shape
        strings = (str(width).encode(), str(height).encode()) + tuple(
            encode_png(image) for image in images
        )
        tensor = _tensor_proto(_DT_STRING, (len(strings),), string_val=strings)
        self._add(
            _summary_event(
                time.time(), step, _summary_value(tag, "images", b"", tensor)
            )
        )

    def add_keras_model(self, tag: str, model_json: str, step: int = 0) -> None:
        """Adds a model's JSON config for TensorBoard's conceptual graph view."""
        tensor = _tensor_proto(_DT_STRING, (), string_val=(model_json.encode(),))
        self._add(
            _summary_event(
                time.time(),
                step,
                _summary_value(tag, "graph_keras_model", b"1", tensor),
            )
        )

    def flush(self) -> None:
        """Appends the buffered events to the file.

        The file is opened for each flush (once per epoch), so no handle is
        left open when training stops early or after a lone `evaluate`.
        """
        if not self._buffer:
            return
        os.makedirs(self.log_dir, exist_ok=True)
        with open(self.path, "ab") as f:
            f.write(self._buffer)
        self._buffer.clear()

    def close(self) -> None:
        """Writes what is buffered; later events go to the same file."""
        self.flush()
