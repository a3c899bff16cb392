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


# One big tensor-sized block freed by a worker thread: with glibc's sliding threshold the second
# round of such blocks lands in the heap and stays resident after free; with the fixed threshold
# (limit_malloc_arenas' default) every one is unmapped on free.
BIG_BLOCKS = r"""
import ctypes, json, sys
from ui import server_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if sys.argv[1] == "fixed":
    server_memory.limit_malloc_arenas(2)
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
first = libc.malloc(8 << 20); libc.memset(first, 1, 8 << 20); libc.free(first)   # raises glibc's threshold
base = rss_mb()
blocks, keep = [], []
for _ in range(20):                                                                # 80 MB in 4 MB blocks,
    blocks.append(libc.malloc(4 << 20)); libc.memset(blocks[-1], 1, 4 << 20)
    keep.append(libc.malloc(100_000)); libc.memset(keep[-1], 1, 64)                # each pinned by a small one
for b in blocks:
    libc.free(b)
print(json.dumps({"left": rss_mb() - base}))
"""


@pytest.mark.skipif(not GLIBC, reason="M_MMAP_THRESHOLD is a glibc feature")
def test_fixed_mmap_threshold_hands_big_freed_blocks_back() -> None:
    def left(mode: str) -> float:
        out = subprocess.run([sys.executable, "-c", BIG_BLOCKS, mode], cwd=ROOT, capture_output=True, text=True,
                             timeout=120, check=True)
        return json.loads(out.stdout)["left"]

    assert left("glibc default") > 60      # the freed 80 MB stay resident
    assert left("fixed") < 10              # unmapped on free
