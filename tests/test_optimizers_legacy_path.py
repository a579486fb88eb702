"""`keras.optimizers.legacy` is an attribute of `lamina.optimizers`, as in Keras."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import warnings
warnings.simplefilter("error")  # reaching the attribute does not warn
import lamina
legacy = lamina.optimizers.legacy  # no `import lamina.optimizers.legacy` first
assert legacy.Adam is lamina.optimizers.Adam and legacy.SGD is lamina.optimizers.SGD
assert sorted(legacy.__all__) == sorted(
    ["Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "RMSprop", "SGD",
     "Optimizer"]
)
assert not hasattr(lamina.optimizers, "not_an_optimizer")
from lamina.optimizers import legacy as again
assert again is legacy
print("ok")
"""


def test_legacy_is_an_attribute_in_a_fresh_interpreter():
    # A fresh interpreter: other tests may already have imported the path.
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
