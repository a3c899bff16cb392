"""Keep the server's resident memory close to what it really uses (Linux with glibc; elsewhere a no-op).

Streamlit runs every script run in a new thread, and glibc's malloc gives busy threads their own
memory *arenas* (up to 8 per core). Memory freed in an arena is reused by that arena only and
mostly not handed back to the system, so after a class has generated melodies and trained
models in many threads the process keeps hundreds of MB it no longer needs. Two standard
glibc knobs fix most of that (measured by ``benchmarks/classroom_load.py``, see the README):

* :func:`limit_malloc_arenas`: at most ``n`` arenas (``mallopt(M_ARENA_MAX, n)``, the same as
  the ``MALLOC_ARENA_MAX`` environment variable, which Community Cloud does not let us set), and
  every block of 1 MB or more (model weights, a layer's activations, an autograd graph's buffers)
  mapped straight from the system and handed back when freed (``mallopt(M_MMAP_THRESHOLD, 1 MB)``).
  Not lower: at 256 kB the melody model's sampling loop, which allocates and frees blocks of a few
  hundred kB at every step, spent most of its time mapping and unmapping pages (≈ 3× slower in a
  script thread: 210 ms instead of 70 ms for 64 events, measured), for a few MB less in the heap.
  glibc's own threshold climbs to 32 MB after the first big free, after which freed tensors stay
  in the heap: a translation model's load or a backward pass through the melody models then
  leaves tens of MB resident (about 30 MB less peak over one student's tour, measured).
* :func:`release_free_memory`: ``malloc_trim(0)`` returns free pages of every arena to the system;
  called after heavy jobs, at most once a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import platform
import threading
import time

M_ARENA_MAX = -8  # from glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20   # bytes: blocks this big or bigger come from mmap and go back on free
_lock = threading.Lock()
_last_trim = 0.0
_arena_limit: int | None = None   # the M_ARENA_MAX in force, once set here
_mmap_threshold: int | None = None   # the M_MMAP_THRESHOLD in force, once set here


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt.argtypes, libc.mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        libc.malloc_trim.argtypes, libc.malloc_trim.restype = [ctypes.c_size_t], ctypes.c_int
        return libc
    except (OSError, AttributeError):
        return None


def limit_malloc_arenas(n: int = 2, mmap_threshold: int | None = MMAP_THRESHOLD) -> bool:
    """Let malloc use at most ``n`` arenas from now on, and (unless ``mmap_threshold`` is None) map
    blocks of ``mmap_threshold`` bytes or more straight from the system; True if the arena limit is
    in force.

    Cheap to call on every script run: the settings are applied once per process and value."""
    global _arena_limit, _mmap_threshold
    libc = _glibc()
    if libc is None:
        return False
    n = max(1, int(n))
    if _arena_limit != n and libc.mallopt(M_ARENA_MAX, n) == 1:
        _arena_limit = n
    if mmap_threshold is not None and _mmap_threshold != int(mmap_threshold):
        if libc.mallopt(M_MMAP_THRESHOLD, max(4096, min(int(mmap_threshold), 32 << 20))) == 1:
            _mmap_threshold = int(mmap_threshold)
    return _arena_limit == n


def release_free_memory(min_interval: float = 1.0) -> bool:
    """Give free heap pages back to the system, unless that was done less than ``min_interval`` s ago.

    Returns True if a trim ran. Cheap (a few ms) and safe to call from any thread."""
    global _last_trim
    libc = _glibc()
    if libc is None:
        return False
    with _lock:
        now = time.monotonic()
        if now - _last_trim < min_interval:
            return False
        _last_trim = now
    libc.malloc_trim(0)
    return True
