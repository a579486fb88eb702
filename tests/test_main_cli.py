"""`python -m lamina run script.py` serves keras imports from lamina."""

from __future__ import annotations

import subprocess
import sys


def test_run_unchanged_keras_script(tmp_path):
    script = tmp_path / "tutorial.py"
    script.write_text(
        "import sys\n"
        "import keras\n"
        "from keras.layers import Dense\n"
        "from tensorflow.keras.models import Sequential\n"
        "model = Sequential([keras.Input((3,)), Dense(2)])\n"
        "print(type(model).__module__, model.count_params(), sys.argv[1:])\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "lamina", "run", str(script), "x"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "lamina.models.sequential 8 ['x']"


def test_run_reports_missing_counterpart(tmp_path):
    script = tmp_path / "bad.py"
    script.write_text("import keras.no_such_module\n")
    result = subprocess.run(
        [sys.executable, "-m", "lamina", "run", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "lamina.no_such_module" in result.stderr


def test_run_names_a_missing_keras_symbol(tmp_path):
    script = tmp_path / "missing.py"
    script.write_text("from keras.layers import NoSuchLayer\n")
    result = subprocess.run([sys.executable, "-m", "lamina", "run", str(script)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert ("lamina: keras.layers.NoSuchLayer is a Keras symbol that lamina does not "
            "have yet.") in result.stderr
