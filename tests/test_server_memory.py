"""ui.server_memory: fewer malloc arenas and free pages handed back, measured in a fresh process."""

from __future__ import annotations

import json
import platform
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from ui import server_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Fragment the heap of a worker thread's arena (keep one small block in 64 alive, so free() cannot
# shrink the heap), then compare the resident size before and after release_free_memory().
CHILD = r"""
import json, threading
from ui import server_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

keep = []
def churn():
    blocks = [bytearray(4000) for _ in range(40_000)]       # ~160 MB of small blocks
    keep.extend(blocks[::64])
t = threading.Thread(target=churn); t.start(); t.join()
before = rss_mb()
trimmed = server_memory.release_free_memory(min_interval=0)
print(json.dumps({"before": before, "after": rss_mb(), "trimmed": trimmed}))
"""


@pytest.mark.skipif(not GLIBC, reason="malloc arenas and malloc_trim are glibc features")
def test_release_free_memory_returns_freed_pages_to_the_system() -> None:
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    figures = json.loads(out.stdout)
    assert figures["trimmed"] is True
    assert figures["before"] - figures["after"] > 80, figures   # most of the ~160 MB freed comes back


@pytest.mark.skipif(not GLIBC, reason="malloc arenas and malloc_trim are glibc features")
def test_arena_limit_applies_and_trims_are_rate_limited() -> None:
    assert server_memory.limit_malloc_arenas(8) is True     # 8 per core is glibc's own default: harmless here
    assert server_memory.release_free_memory(min_interval=0) is True
    assert server_memory.release_free_memory(min_interval=3600) is False


def test_no_glibc_means_a_quiet_no_op(monkeypatch) -> None:
    monkeypatch.setattr(server_memory, "_glibc", lambda: None)
    assert server_memory.limit_malloc_arenas() is False
    assert server_memory.release_free_memory(min_interval=0) is False
