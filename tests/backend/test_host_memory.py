"""glibc's malloc thresholds set at import (`lamina.backend.host_memory`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lamina.backend import host_memory

# Three 8 MiB tensors made and freed in each of 20 steps, as a training
# step's temporaries are: the minor page faults of the last 16 steps.
STEPS = """
import resource, torch
import lamina
for step in range(20):
    if step == 4:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    blocks = [torch.ones(2**21) for _ in range(3)]
    del blocks
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="glibc's mallopt",
)


def _faults(**env) -> int:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_"))
    }
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", STEPS],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1])


@glibc_only
def test_freed_blocks_are_reused_instead_of_faulted_in_again():
    pages = 3 * 2**23 // 4096  # one step's blocks
    assert _faults() < pages // 4
    # glibc's initial thresholds, fixed: every step maps its blocks and
    # faults them in again (the user's settings are left as they are).
    default = {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}
    assert _faults(**default) > 10 * pages


def test_left_alone_when_turned_off_or_set_by_the_user(monkeypatch):
    monkeypatch.setenv("LAMINA_MALLOC_TUNING", "0")
    assert host_memory.tune_malloc() is False
    monkeypatch.delenv("LAMINA_MALLOC_TUNING")
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
    assert host_memory.tune_malloc() is False
