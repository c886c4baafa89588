"""Shortest distances on a residual graph from known feasible potentials (numba; lazy).

Bellman–Ford needs as many sweeps as the longest shortest path. When potentials π with
cost + π(a) − π(b) ≥ 0 on every arc are already known (the assignment solver's duals), the
reduced costs are non-negative and one Dijkstra gives the same distances (Johnson).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def distances(indptr, dst, cost, pi):  # pragma: no cover - compiled
    """Distances from a virtual source joined to every node by a 0-cost arc; arcs in CSR by
    source. ``pi`` must make every reduced cost non-negative (not checked here)."""
    t = len(indptr) - 1
    top = pi.max()
    d = top - pi  # reduced distance of the direct arc from the virtual source
    heap_k = np.empty(len(dst) + t, np.int64)
    heap_v = np.empty(len(dst) + t, np.int64)
    size = 0
    for x in range(t):
        heap_k[size], heap_v[size] = d[x], x
        p = size
        size += 1
        while p > 0:
            q = (p - 1) >> 1
            if heap_k[q] <= heap_k[p]:
                break
            heap_k[p], heap_k[q] = heap_k[q], heap_k[p]
            heap_v[p], heap_v[q] = heap_v[q], heap_v[p]
            p = q
    done = np.zeros(t, np.bool_)
    while size > 0:
        k, x = heap_k[0], heap_v[0]
        size -= 1
        heap_k[0], heap_v[0] = heap_k[size], heap_v[size]
        p = 0
        while True:
            q = 2 * p + 1
            if q >= size:
                break
            if q + 1 < size and heap_k[q + 1] < heap_k[q]:
                q += 1
            if heap_k[p] <= heap_k[q]:
                break
            heap_k[p], heap_k[q] = heap_k[q], heap_k[p]
            heap_v[p], heap_v[q] = heap_v[q], heap_v[p]
            p = q
        if done[x] or k > d[x]:
            continue
        done[x] = True
        for e in range(indptr[x], indptr[x + 1]):
            y = dst[e]
            nd = k + cost[e] + pi[x] - pi[y]
            if nd < d[y]:
                d[y] = nd
                heap_k[size], heap_v[size] = nd, y
                p = size
                size += 1
                while p > 0:
                    q = (p - 1) >> 1
                    if heap_k[q] <= heap_k[p]:
                        break
                    heap_k[p], heap_k[q] = heap_k[q], heap_k[p]
                    heap_v[p], heap_v[q] = heap_v[q], heap_v[p]
                    p = q
    return d - top + pi
