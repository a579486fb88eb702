"""Untrusted model files and configs: no code runs, memory stays bounded, every
failure is a lamina error.

- Python code stored in a file (a `Lambda`'s marshalled lambda in Keras 3's
  `.keras`, the marshal-encoded functions Keras 2 wrote into `.h5` configs) is
  refused unless `safe_mode=False`, through every loader.
- Zip bombs (tiny compressed, huge inflated) and HDF5 decompression bombs are
  refused from their declared sizes, before anything is inflated.
- Deeply nested configs are refused with a lamina error, not a RecursionError.
- `model_from_json`, `model_from_config`, `Model.from_config` and
  `Sequential.from_config` are fuzzed like the file loaders
  (tests/saving/test_file_errors.py): only lamina errors may come out.
"""

from __future__ import annotations

import io
import json
import os
import tracemalloc
import warnings
import zipfile
import zlib

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lamina
from lamina import errors, layers
from lamina.errors import ArgumentError, ConfigError, FileFormatError
from lamina.saving import load_model

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures", "saving")
# Every error class lamina raises on bad input.
LAMINA_ERRORS = tuple(
    v
    for v in vars(errors).values()
    if isinstance(v, type)
    and issubclass(v, Exception)
    and v.__module__ == errors.__name__
)


# ----------------------------------------------------------- code in files


@pytest.mark.parametrize("name", ["lambda_marshal.k2.h5", "lambda_bytecode.k3.keras"])
def test_keras_written_lambda_is_refused_by_default(name):
    path = os.path.join(FIXTURES, name)
    with pytest.raises(ArgumentError, match="safe_mode=False"):
        load_model(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_model(path, safe_mode=False)  # trusted: x * 2 + 1, then Dense
    out = model.predict(np.ones((1, 3), "float32"), verbose=0)
    np.testing.assert_allclose(out, [[9.0, 9.0]])


@pytest.fixture
def booby_trapped(tmp_path):
    """A model whose Lambda, if its code ever ran, would create `marker`."""
    marker = tmp_path / "code-ran"
    path = str(marker)

    # A real lambda (serialized as bytecode) that writes the marker file.
    model = lamina.Sequential(
        [layers.Input((2,)), layers.Lambda(lambda x: (open(path, "w").close(), x)[1])]
    )
    model.save(tmp_path / "trap.keras")
    model.save(tmp_path / "trap.h5")
    inputs = layers.Input((2,))
    functional = lamina.Model(inputs, layers.Lambda(model.layers[-1].function)(inputs))
    marker.unlink()  # building the models here ran it, knowingly
    return marker, tmp_path, model, functional


def test_lambda_code_never_runs_in_safe_mode(booby_trapped):
    marker, folder, model, functional = booby_trapped
    config = model.get_config()
    attempts = {
        "load_model(.keras)": lambda: load_model(folder / "trap.keras"),
        "load_model(.h5)": lambda: load_model(folder / "trap.h5"),
        "model_from_json": lambda: lamina.models.model_from_json(model.to_json()),
        "model_from_config": lambda: lamina.models.model_from_config(
            json.loads(model.to_json())
        ),
        "Sequential.from_config": lambda: lamina.Sequential.from_config(config),
        "Model.from_config": lambda: lamina.Model.from_config(functional.get_config()),
        "deserialize_keras_object": lambda: lamina.saving.deserialize_keras_object(
            json.loads(model.to_json())
        ),
    }
    for where, attempt in attempts.items():
        with pytest.raises(ArgumentError, match="safe_mode=False"):
            attempt()
        assert not marker.exists(), where
    # Trusted: the code is loaded and runs (building the model calls it).
    load_model(folder / "trap.keras", safe_mode=False)
    assert marker.exists()


@pytest.mark.parametrize(
    "function",
    [
        {"module": "os", "class_name": "system", "config": "system"},
        {"module": "builtins", "class_name": "eval", "config": "eval"},
        {"module": "subprocess", "class_name": "Popen", "config": {}},
        "os.system",
        {"class_name": "__lambda__", "config": {"code": "AAAA"}},
    ],
)
def test_configs_cannot_name_code_outside_keras(function):
    config = {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}},
                {"class_name": "Lambda", "config": {"function": function}},
            ]
        },
    }
    with pytest.raises(LAMINA_ERRORS):
        lamina.models.model_from_json(json.dumps(config))


# ----------------------------------------------------------------- bombs


def _small_keras(tmp_path) -> bytes:
    path = tmp_path / "small.keras"
    lamina.Sequential([layers.Input((3,)), layers.Dense(2)]).save(path)
    return path.read_bytes()


def _rezip(good: bytes, replace: dict) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            dst.writestr(name, replace.get(name, src.read(name)))
        for name, data in replace.items():
            if name not in src.namelist():
                dst.writestr(name, data)
    return out.getvalue()


def _bounded_load(path, **kwargs):
    """load_model's error, and the peak of Python allocations during it."""
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError) as info:
            load_model(path, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(path) in str(info.value)
    return info.value, peak


ZEROS = bytes(64 << 20)  # inflates 1000-fold: 64 MiB from ~64 KiB


@pytest.mark.parametrize(
    "member", ["model.weights.h5", "config.json", "metadata.json", "assets/vocab.txt"]
)
def test_zip_bomb_members_are_refused_before_inflating(member, tmp_path):
    path = tmp_path / "bomb.keras"
    path.write_bytes(_rezip(_small_keras(tmp_path), {member: ZEROS}))
    assert path.stat().st_size < 1 << 20
    error, peak = _bounded_load(path)
    assert "zip bomb" in str(error) or "too large" in str(error)
    assert peak < 8 << 20  # nothing was inflated


def test_zip_member_that_lies_about_its_size_is_bounded(tmp_path):
    """A member declaring 1 KiB but inflating to 64 MiB: zipfile stops at the
    declared size (and the CRC fails), so memory stays bounded."""
    good = _rezip(_small_keras(tmp_path), {"config.json": ZEROS})
    data = bytearray(good)
    # Rewrite the declared (uncompressed) size of config.json in both headers.
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        info = z.getinfo("config.json")
    local = info.header_offset
    data[local + 22 : local + 26] = (1024).to_bytes(4, "little")
    central = good.find(b"PK\x01\x02")
    while central != -1:
        name_len = int.from_bytes(good[central + 28 : central + 30], "little")
        if good[central + 46 : central + 46 + name_len] == b"config.json":
            data[central + 24 : central + 28] = (1024).to_bytes(4, "little")
        central = good.find(b"PK\x01\x02", central + 4)
    path = tmp_path / "liar.keras"
    path.write_bytes(bytes(data))
    _, peak = _bounded_load(path)
    assert peak < 8 << 20


def _copy_h5(src, dst) -> None:
    """Copies an HDF5 tree, with its (1024, 8192) kernel as a bomb: gzip'd and
    never written (all fill value), so it takes almost no room in the file."""
    dst.attrs.update(src.attrs)
    for name, obj in src.items():
        if isinstance(obj, h5py.Group):
            _copy_h5(obj, dst.create_group(name))
        elif obj.shape == (1024, 8192):
            dst.create_dataset(
                name, shape=obj.shape, dtype=obj.dtype, compression="gzip", chunks=True
            )
        else:
            dst.create_dataset(name, data=obj[()])
            dst[name].attrs.update(obj.attrs)


def test_hdf5_decompression_bomb_is_refused(tmp_path):
    """A weight stored gzip-compressed that expands 1000-fold (past 16 MiB)."""
    model = lamina.Sequential([layers.Input((1024,)), layers.Dense(8192)])
    model.save(tmp_path / "good.h5")
    path = tmp_path / "bomb.h5"
    with h5py.File(tmp_path / "good.h5", "r") as src, h5py.File(path, "w") as dst:
        _copy_h5(src, dst)
    assert path.stat().st_size < 1 << 20
    error, _ = _bounded_load(path)
    assert "decompression bomb" in str(error)


# ------------------------------------------------------------- deep nesting


def test_deeply_nested_config_json_in_a_file(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.keras"
    path.write_bytes(_rezip(_small_keras(tmp_path), {"config.json": deep}))
    error, peak = _bounded_load(path)
    assert "Recursion" in str(error) or "nested" in str(error)
    assert peak < 64 << 20


@pytest.mark.parametrize("depth", [100_000])
def test_deeply_nested_json_string(depth):
    text = '{"class_name": "Sequential", "config": ' + '{"a": ' * depth
    text += "1" + "}" * depth + "}"
    with pytest.raises(ConfigError, match="model_from_json"):
        lamina.models.model_from_json(text)


def test_deeply_nested_models():
    config = {"class_name": "Dense", "config": {"units": 1}}
    for _ in range(5000):
        config = {"class_name": "Sequential", "config": {"layers": [config]}}
    with pytest.raises(ConfigError, match="RecursionError"):
        lamina.models.model_from_config(config)


# ---------------------------------------------------------------- fuzzing


def _good_configs() -> list[str]:
    sequential = lamina.Sequential(
        [
            layers.Input((3,)),
            layers.Dense(4, activation="relu"),
            layers.Dropout(0.1),
            layers.Dense(2),
        ]
    )
    inputs = lamina.Input((3,))
    outputs = layers.Dense(2)(layers.Dense(4)(inputs))
    functional = lamina.Model(inputs, outputs)
    return [sequential.to_json(), functional.to_json()]


GOOD = _good_configs()
_VALUES = st.sampled_from(
    [None, True, 0, -1, 10**12, 1.5, "", "x", "relu", [], {}, [1, 2], [None], [3, 0]]
    + ["Dense", "Sequential", "__lambda__", {"a": 1}, {"class_name": "Dense"}]
)


def _mutated_config(data, text: str):
    """``text``'s config with up to 4 values replaced or deleted at random paths."""
    config = json.loads(text)
    for _ in range(data.draw(st.integers(1, 4))):
        node, parent, key = config, None, None
        while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, data.draw(st.sampled_from(keys))
            node = node[key]
        if parent is None:
            continue
        if data.draw(st.booleans()):
            parent[key] = json.loads(json.dumps(data.draw(_VALUES)))
        elif isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    return config


def _mutated_text(data, text: str) -> str:
    raw = bytearray(text.encode())
    for _ in range(data.draw(st.integers(1, 6))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(32, 126))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    return raw.decode()


def _only_lamina_errors(call) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except LAMINA_ERRORS:
            pass


LOADERS = {
    "model_from_json(text)": lambda data, text: lamina.models.model_from_json(
        _mutated_text(data, text)
    ),
    "model_from_json(config)": lambda data, text: lamina.models.model_from_json(
        json.dumps(_mutated_config(data, text))
    ),
    "model_from_config": lambda data, text: lamina.models.model_from_config(
        _mutated_config(data, text)
    ),
    "Model.from_config": lambda data, text: (
        lamina.Sequential
        if json.loads(text)["class_name"] == "Sequential"
        else lamina.Model
    ).from_config(_mutated_config(data, text).get("config")),
}
_FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("loader", sorted(LOADERS))
@settings(max_examples=25, **_FUZZ)
@given(data=st.data(), which=st.sampled_from([0, 1]))
def test_fuzz_config_loaders_short(loader, data, which):
    _only_lamina_errors(lambda: LOADERS[loader](data, GOOD[which]))


@pytest.mark.slow
@pytest.mark.parametrize("loader", sorted(LOADERS))
@settings(max_examples=400, **_FUZZ)
@given(data=st.data(), which=st.sampled_from([0, 1]))
def test_fuzz_config_loaders_long(loader, data, which):
    _only_lamina_errors(lambda: LOADERS[loader](data, GOOD[which]))


@pytest.mark.slow
@settings(max_examples=200, **_FUZZ)
@given(data=st.data())
def test_fuzz_lambda_configs_never_run_code(tmp_path_factory, data):
    """Mutated Lambda configs in a .keras file: no code runs, only lamina errors."""
    folder = tmp_path_factory.mktemp("lambda")
    marker = folder / "ran"
    text = lamina.Sequential([layers.Input((2,)), layers.Lambda(lambda x: x)]).to_json()
    code = (
        "import pathlib; pathlib.Path(%r).touch()" % str(marker)  # noqa: UP031
    )
    payload = zlib.compress(code.encode())  # some bytes that are not marshal
    config = _mutated_config(data, text)
    config.setdefault("config", {})
    path = folder / "m.keras"
    base = folder / "base.keras"
    lamina.Sequential([layers.Input((2,)), layers.Dense(1)]).save(base)
    path.write_bytes(
        _rezip(base.read_bytes(), {"config.json": json.dumps(config), "x": payload})
    )
    _only_lamina_errors(lambda: load_model(path))
    assert not marker.exists()
