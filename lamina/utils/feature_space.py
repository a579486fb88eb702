"""`FeatureSpace`: preprocessing of structured data, feature by feature.

A FeatureSpace holds one preprocessing layer per named feature (Normalization,
Rescaling, Discretization, IntegerLookup, StringLookup, Hashing), a HashedCrossing
per feature cross, and the one-hot encoders (CategoryEncoding) and concatenation
after them. `adapt` learns the layers' statistics from a dict of columns or from
batches of dicts; calling it on a dict of columns returns the encoded features,
concatenated or as a dict, on the host, as torch tensors.
"""

from __future__ import annotations

import numpy as np
import torch

from lamina import layers
from lamina.backend import tree
from lamina.backend.keras_tensor import KerasTensor
from lamina.backend.naming import auto_name
from lamina.errors import ArgumentError
from lamina.serialization import deserialize_keras_object, serialize_keras_object

# Keras batches unbatched columns by this many rows when it adapts.
_ADAPT_BATCH = 32
_KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"


class Cross:
    """A feature cross: the named features' values hashed together into bins.

    Args:
        feature_names: the names of the crossed features.
        crossing_dim: the number of bins.
        output_mode: ``"one_hot"`` (default) or ``"int"`` (the bin index).
    """

    _keras_module = _KERAS_MODULE

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in {"int", "one_hot"}:
            raise ArgumentError(
                "Invalid value for argument `output_mode`. Expected one of "
                f"{{'int', 'one_hot'}}. Received: output_mode={output_mode}"
            )
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {
            "feature_names": self.feature_names,
            "crossing_dim": self.crossing_dim,
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class Feature:
    """A feature: its input dtype, preprocessing layer and encoding.

    Args:
        dtype: the input's dtype: ``"float32"``, ``"int32"`` or ``"string"``.
        preprocessor: the layer (or its serialized config) applied to it.
        output_mode: ``"one_hot"``, ``"int"`` or ``"float"``.
    """

    _keras_module = _KERAS_MODULE

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in {"int", "one_hot", "float"}:
            raise ArgumentError(
                "Invalid value for argument `output_mode`. Expected one of "
                f"{{'int', 'one_hot', 'float'}}. Received: output_mode={output_mode}"
            )
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = _deserialize_preprocessor(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {
            "dtype": self.dtype,
            "preprocessor": serialize_keras_object(self.preprocessor),
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class FeatureSpace(layers.Layer):
    """One-stop preprocessing and encoding of structured data.

    Each feature is named by a kind (``"float"``, ``"float_normalized"``,
    ``"float_rescaled"``, ``"float_discretized"``, ``"integer_categorical"``,
    ``"string_categorical"``, ``"integer_hashed"``, ``"string_hashed"``) or made
    with the class method of that name for other arguments; `feature` wraps any
    preprocessing layer. Categorical features and crosses are one-hot encoded
    unless their ``output_mode`` is ``"int"``.

    Example:
        >>> space = lamina.utils.FeatureSpace(
        ...     features={
        ...         "age": "float_normalized",
        ...         "thal": "string_categorical",
        ...         "sex": FeatureSpace.integer_categorical(num_oov_indices=0),
        ...     },
        ...     crosses=[("thal", "sex")],
        ... )
        >>> space.adapt({"age": ages, "thal": thals, "sex": sexes})
        >>> encoded = space({"age": ages, "thal": thals, "sex": sexes})
        >>> inputs = space.get_inputs()  # for an end-to-end model
        >>> features = space.get_encoded_features()

    Args:
        features: ``{name: kind or Feature}``.
        output_mode: ``"concat"`` (one float vector per example) or ``"dict"``
            (one encoded feature per name, crosses named ``"a_X_b"``).
        crosses: feature crosses: tuples of names, or `cross(...)` objects.
        crossing_dim: the number of bins of a cross given as a tuple (32).
        hashing_dim: the bins of ``"integer_hashed"``/``"string_hashed"`` (32).
        num_discretization_bins: the bins of ``"float_discretized"`` (32).
        name: the layer's name.

    Call arguments:
        data: ``{name: column}``, columns of shape ``(batch,)`` or ``(batch, 1)``
            (arrays, tensors or lists), or one example of scalars.
    """

    _keras_module = "keras.utils"

    # ------------------------------------------------------------ feature kinds
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or auto_name("float")
        return Feature("float32", layers.Identity(name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or auto_name("float_rescaled")
        preprocessor = layers.Rescaling(
            scale=scale, offset=offset, name=f"{name}_preprocessor"
        )
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or auto_name("float_normalized")
        preprocessor = layers.Normalization(axis=-1, name=f"{name}_preprocessor")
        return Feature("float32", preprocessor, "float")

    @classmethod
    def float_discretized(
        cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None
    ):
        name = name or auto_name("float_discretized")
        preprocessor = layers.Discretization(
            num_bins=num_bins,
            bin_boundaries=bin_boundaries,
            name=f"{name}_preprocessor",
        )
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(
        cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None
    ):
        lookup = _named(layers.IntegerLookup, name, "integer_categorical")
        return _lookup_feature(
            lookup, "int32", max_tokens, num_oov_indices, output_mode
        )

    @classmethod
    def string_categorical(
        cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None
    ):
        lookup = _named(layers.StringLookup, name, "string_categorical")
        return _lookup_feature(
            lookup, "string", max_tokens, num_oov_indices, output_mode
        )

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        preprocessor = _named(layers.Hashing, name, "string_hashed")(num_bins=num_bins)
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        preprocessor = _named(layers.Hashing, name, "integer_hashed")(num_bins=num_bins)
        return Feature("int32", preprocessor, output_mode)

    # ------------------------------------------------------------ construction
    def __init__(
        self,
        features,
        output_mode="concat",
        crosses=None,
        crossing_dim=32,
        hashing_dim=32,
        num_discretization_bins=32,
        name=None,
    ):
        super().__init__(name=name)
        if not features:
            raise ArgumentError("The `features` argument cannot be None or empty.")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {
            key: self._standardize_feature(key, value)
            for key, value in features.items()
        }
        self.crosses = [self._standardize_cross(c, features) for c in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ArgumentError(
                "Invalid value for argument `output_mode`. Expected one of "
                f"{{'dict', 'concat'}}. Received: output_mode={output_mode}"
            )
        self.output_mode = output_mode
        self.inputs = {key: _input_for(key, f) for key, f in self.features.items()}
        self.preprocessors = {
            key: feature.preprocessor for key, feature in self.features.items()
        }
        self.crossers = {
            cross.name: layers.HashedCrossing(cross.crossing_dim, name=cross.name)
            for cross in self.crosses
        }
        self.one_hot_encoders = {}
        self.encoded_features = None
        self._is_adapted = False
        self._encoders_built = False

    def _standardize_feature(self, name, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize_part(feature, Feature)
        kinds = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(
                name=name, num_bins=self.num_discretization_bins
            ),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if not isinstance(feature, str) or feature not in kinds:
            raise ArgumentError(f"Invalid feature type: {feature}")
        return kinds[feature]()

    def _standardize_cross(self, cross, features) -> Cross:
        if isinstance(cross, dict):
            cross = _deserialize_part(cross, Cross)
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ArgumentError(
                "When specifying `crosses`, the argument `crossing_dim` "
                "(dimensionality of the crossing space) should be specified as well."
            )
        if any(key not in features for key in cross):
            raise ArgumentError(
                "All features referenced in the `crosses` argument should be present "
                f"in the `features` dict. Received unknown features: {cross}"
            )
        return Cross(cross, crossing_dim=self.crossing_dim)

    # ------------------------------------------------------------ adapt
    def _adaptable(self) -> list[str]:
        """The features whose preprocessor learns from data (and has not been
        given its statistics: a Normalization with a mean, a lookup with a
        vocabulary, a Discretization with boundaries)."""
        names = []
        for name, layer in self.preprocessors.items():
            if isinstance(layer, layers.Normalization) and layer.input_mean is not None:
                continue
            if isinstance(layer, layers.Discretization) and layer.num_bins is None:
                continue
            if getattr(layer, "_has_input_vocabulary", False):
                continue
            if hasattr(layer, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset) -> None:
        """Learn every adaptable feature's statistics (vocabularies, means, bins).

        Args:
            dataset: a dict of columns (arrays, tensors or lists; read in
                batches of 32 rows, as Keras batches them), or an iterable of
                dict batches: a list, a generator, a `PyDataset` or a torch
                `DataLoader` yielding dicts, or ``(dict, targets)`` pairs.
        """
        batches = _dict_batches(dataset)
        for name in self._adaptable():
            columns = [
                _column(batch[name], self.features[name].dtype) for batch in batches
            ]
            if columns and columns[0].ndim == 0:  # unbatched rows: batch them
                columns = _rebatch([c.reshape(1) for c in columns])
            columns = [c.reshape(-1, 1) if c.ndim < 2 else c for c in columns]
            self.preprocessors[name].adapt(iter(columns))
        self._is_adapted = True
        self.get_encoded_features()  # builds the encoders and the symbolic graph
        self.built = True

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._adaptable():
                raise ArgumentError(
                    "You need to call `.adapt(dataset)` on the FeatureSpace before "
                    "you can start using it."
                )
            self._is_adapted = True

    # ------------------------------------------------------------ symbolic use
    def get_inputs(self) -> dict:
        """``{name: Input}``, one ``(None, 1)`` input per feature, of its dtype."""
        self._check_if_adapted()
        self.get_encoded_features()
        return self.inputs

    def get_encoded_features(self):
        """The encoded features of `get_inputs()` (a KerasTensor, or a dict in
        ``"dict"`` mode), to build a model on."""
        self._check_if_adapted()
        if self.encoded_features is None:
            self._build_encoders()
            self.encoded_features = self(self.inputs)
        return self.encoded_features

    def compute_output_spec(self, data):
        """``(None, width)`` KerasTensors: one-hot widths from the vocabularies and
        bins, other widths from each layer's output shape for a ``(None, 1)`` input."""
        self._check_if_adapted()
        self._build_encoders()
        specs = {}
        for name in sorted(self.features) + sorted(self.crosses_by_name):
            spec = self.features.get(name) or self.crosses_by_name[name]
            encoder = self.one_hot_encoders.get(name)
            if encoder is not None:
                specs[name] = KerasTensor((None, encoder.num_tokens), "float32")
                continue
            if name in self.crossers:
                width = 1
            else:
                shape = self.preprocessors[name].compute_output_shape((None, 1))
                width = shape[-1]
            dtype = "float32" if spec.output_mode == "float" else "int64"
            specs[name] = KerasTensor((None, width), dtype)
        if self.output_mode == "dict":
            return specs
        for name, spec in specs.items():
            if spec.dtype != "float32":
                raise ArgumentError(
                    f"Cannot concatenate features because feature '{name}' has not "
                    f"been encoded (it has dtype {spec.dtype}). Consider using "
                    "`output_mode='dict'`."
                )
        return KerasTensor((None, sum(s.shape[-1] for s in specs.values())), "float32")

    # ------------------------------------------------------------ eager use
    def __call__(self, data, **kwargs):
        # kwargs: what a model passes its layers (``training``), unused here.
        if not isinstance(data, dict):
            raise ArgumentError(
                "A FeatureSpace can only be called with a dict. Received: "
                f"data={data} (of type {type(data)}"
            )
        if any(isinstance(x, KerasTensor) for x in tree.flatten(data)):
            return super().__call__(data)
        self._check_if_adapted()
        self._build_encoders()
        columns, rebatched = {}, False
        for name, value in data.items():
            dtype = self.features[name].dtype if name in self.features else None
            column = _column(value, dtype)
            if column.ndim == 0:
                column, rebatched = column.reshape(1, 1), True
            elif column.ndim == 1:
                column = column.reshape(-1, 1)
            columns[name] = column
        encoded = self._encode(columns)
        if rebatched:
            encoded = tree.map_structure(
                lambda x: x[0] if x.ndim == 2 and x.shape[0] == 1 else x, encoded
            )
        return encoded

    def call(self, data, **kwargs):
        return self.__call__(data)

    def _encode(self, columns: dict):
        """Preprocess, cross, one-hot encode, and concatenate (or not)."""
        preprocessed = {
            name: _as_tensor(self.preprocessors[name](columns[name]))
            for name in columns
        }
        crossed = {
            cross.name: _as_tensor(
                self.crossers[cross.name](
                    [preprocessed[key] for key in cross.feature_names]
                )
            )
            for cross in self.crosses
        }
        names = sorted(preprocessed) + sorted(crossed)
        outputs = {}
        for name in names:
            value = preprocessed[name] if name in preprocessed else crossed[name]
            encoder = self.one_hot_encoders.get(name)
            outputs[name] = encoder(value) if encoder is not None else value
        if self.output_mode == "dict":
            return outputs
        for name, value in outputs.items():
            if not torch.is_floating_point(value):
                raise ArgumentError(
                    f"Cannot concatenate features because feature '{name}' has not "
                    f"been encoded (it has dtype {_dtype_name(value.dtype)}). "
                    "Consider using `output_mode='dict'`."
                )
        return torch.cat([outputs[name].float() for name in names], dim=-1)

    def _build_encoders(self) -> None:
        """One CategoryEncoding per ``one_hot`` feature or cross, sized from its
        preprocessor's vocabulary or bins (known once adapted)."""
        if self._encoders_built:
            return
        specs = [
            (name, f, self.preprocessors[name]) for name, f in self.features.items()
        ]
        specs += [(c.name, c, self.crossers[c.name]) for c in self.crosses]
        for name, spec, layer in specs:
            if spec.output_mode != "one_hot":
                continue
            cardinality = _cardinality(layer)
            if cardinality is None:
                raise ArgumentError(
                    f"Feature '{name}' has `output_mode='one_hot'`. However it isn't "
                    "a standard feature and the dimensionality of its output space "
                    "is not known, thus it cannot be one-hot encoded. Try using "
                    "`output_mode='int'`."
                )
            self.one_hot_encoders[name] = layers.CategoryEncoding(
                num_tokens=cardinality, output_mode="multi_hot"
            )
        self._encoders_built = True

    # ------------------------------------------------------------ saving
    def get_config(self) -> dict:
        return {
            "features": serialize_keras_object(self.features),
            "output_mode": self.output_mode,
            "crosses": serialize_keras_object(self.crosses),
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def get_build_config(self) -> dict:
        return {
            name: feature.preprocessor.get_build_config()
            for name, feature in self.features.items()
        }

    def build_from_config(self, config: dict) -> None:
        for name, build_config in config.items():
            preprocessor = self.features[name].preprocessor
            if not preprocessor.built and build_config:
                preprocessor.build_from_config(build_config)
        self._is_adapted = True
        self.built = True

    def save(self, filepath) -> None:
        """Save the FeatureSpace to a ``.keras`` file (`load_model` reads it)."""
        from lamina.saving import save_model

        save_model(self, filepath)

    def save_own_variables(self, store) -> None:
        """Nothing of its own: the preprocessors save their state."""

    def load_own_variables(self, store) -> None:
        """Nothing of its own: the preprocessors load their state."""


# ---------------------------------------------------------------- helpers
def _named(layer_class, name, kind: str):
    """``layer_class`` with Keras's preprocessor name: ``"<feature>_preprocessor"``,
    or an automatic ``"<kind>_<n>_preprocessor"`` for an unnamed feature."""
    name = name or auto_name(kind)
    return lambda **kwargs: layer_class(name=f"{name}_preprocessor", **kwargs)


def _lookup_feature(lookup, dtype, max_tokens, num_oov_indices, output_mode):
    layer = lookup(max_tokens=max_tokens, num_oov_indices=num_oov_indices)
    return Feature(dtype, layer, output_mode)


def _input_for(name: str, feature: Feature) -> KerasTensor:
    """A ``(None, 1)`` Input of the feature's dtype (a string one is a KerasTensor
    whose dtype says so: it only ever feeds this FeatureSpace)."""
    if feature.dtype == "string":
        tensor = layers.Input(shape=(1,), dtype="int64", name=name)
        tensor.dtype = "string"
        return tensor
    return layers.Input(shape=(1,), dtype=feature.dtype, name=name)


def _deserialize_part(config: dict, cls):
    """A `Feature` or `Cross` from its serialized form (Keras's or lamina's)."""
    if config.get("class_name") == cls.__name__:
        return cls.from_config(config["config"])
    return deserialize_keras_object(config)


def _deserialize_preprocessor(config: dict):
    """A preprocessing layer from its config; Keras's identity layer for
    ``"float"`` features (``TFDIdentity``, a TensorFlow data layer) is `Identity`."""
    if config.get("class_name") == "TFDIdentity":
        return layers.Identity(name=config.get("config", {}).get("name"))
    return deserialize_keras_object(config)


def _dict_batches(dataset) -> list[dict]:
    """``dataset`` as a list of dict batches (a dict of columns is one batch of
    its rows, cut into Keras's adapt batches)."""
    if isinstance(dataset, dict):
        columns = {key: _rows(value) for key, value in dataset.items()}
        count = len(next(iter(columns.values())))
        return [
            {key: value[i : i + _ADAPT_BATCH] for key, value in columns.items()}
            for i in range(0, count, _ADAPT_BATCH)
        ]
    if isinstance(dataset, (str, bytes)) or not hasattr(dataset, "__iter__"):
        raise ArgumentError(
            "`adapt()` can only be called on a dict of arrays/lists or an iterable "
            f"of dict batches. Received instead: {dataset} (of type {type(dataset)})"
        )
    batches = []
    for batch in dataset:
        if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], dict):
            batch = batch[0]  # (features, targets)
        if not isinstance(batch, dict):
            raise ArgumentError(
                "`adapt()` expects batches that are dicts of feature columns. "
                f"Received a batch of type {type(batch)}"
            )
        batches.append(batch)
    return batches


def _column(value, dtype):
    """A feature's column as a numpy array of strings, or a torch tensor."""
    if isinstance(value, torch.Tensor):
        if dtype == "string":
            raise ArgumentError("A string feature cannot be given as a torch tensor.")
        return value.detach().float() if dtype == "float32" else value.detach().long()
    array = np.asarray(value)
    if dtype == "string" or array.dtype.kind in "USO":
        if array.dtype.kind == "S" or (array.dtype.kind == "O" and _has_bytes(array)):
            array = np.vectorize(_text, otypes=[object])(array)
        return array.astype(str)
    if dtype == "float32":
        return torch.as_tensor(array.astype("float32"))
    return torch.as_tensor(array.astype("int64"))


def _rows(value):
    """A column that can be sliced by rows (a tensor stays a tensor)."""
    return value if isinstance(value, torch.Tensor) else np.asarray(value)


def _has_bytes(array: np.ndarray) -> bool:
    return any(isinstance(v, bytes) for v in array.reshape(-1)[:1])


def _text(value) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _rebatch(rows: list) -> list:
    """Rows of one value each, joined into batches of `_ADAPT_BATCH`."""
    join = np.concatenate if isinstance(rows[0], np.ndarray) else torch.cat
    return [join(rows[i : i + _ADAPT_BATCH]) for i in range(0, len(rows), _ADAPT_BATCH)]


def _as_tensor(value) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else torch.as_tensor(value)


def _cardinality(layer) -> int | None:
    """The number of values a categorical preprocessor's output takes."""
    if isinstance(layer, (layers.IntegerLookup, layers.StringLookup)):
        # The size in its config, known before a loaded vocabulary arrives.
        size = layer._frozen_vocab_size
        return size if size is not None else layer.vocabulary_size()
    if isinstance(layer, layers.CategoryEncoding):
        return layer.num_tokens
    if isinstance(layer, layers.Discretization) and layer.num_bins is None:
        return len(layer.bin_boundaries) + 1  # given boundaries, not adapted
    if isinstance(
        layer, (layers.Discretization, layers.Hashing, layers.HashedCrossing)
    ):
        return layer.num_bins
    return None


def _dtype_name(dtype) -> str:
    return str(dtype).replace("torch.", "")
