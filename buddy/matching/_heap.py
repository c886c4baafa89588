"""A lazy binary min-heap of (key, node) pairs for the compiled searches (numba; lazy).

Entries are never decreased in place: a node is pushed again with its new key and stale
entries are skipped when popped (the caller compares with its distance array). The caller
allocates the two arrays large enough for every push of a search, or calls ``grow`` when
they are full.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(inline="always", cache=True)
def push(hk, hv, size, key, node):  # pragma: no cover - compiled
    """Add (key, node) to a heap of ``size`` entries; returns the new size."""
    p = size
    while p > 0:
        q = (p - 1) >> 1
        if hk[q] <= key:
            break
        hk[p], hv[p] = hk[q], hv[q]
        p = q
    hk[p], hv[p] = key, node
    return size + 1


@njit(inline="always", cache=True)
def pop(hk, hv, size):  # pragma: no cover - compiled
    """Remove the smallest entry; returns its key, its node and the new size."""
    key, node = hk[0], hv[0]
    size -= 1
    lk, lv = hk[size], hv[size]
    p = 0
    while True:
        c = 2 * p + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[c] >= lk:
            break
        hk[p], hv[p] = hk[c], hv[c]
        p = c
    if size > 0:
        hk[p], hv[p] = lk, lv
    return key, node, size


@njit(cache=True)
def grow(hk, hv):  # pragma: no cover - compiled
    """The two arrays at twice their size (for a caller whose pushes have no small bound)."""
    hk2 = np.empty(2 * len(hk), np.int64)
    hv2 = np.empty(2 * len(hv), np.int64)
    hk2[: len(hk)] = hk
    hv2[: len(hv)] = hv
    return hk2, hv2
