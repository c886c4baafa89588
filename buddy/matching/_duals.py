"""Shortest distances on a residual graph from known feasible potentials (numba; lazy).

Bellman–Ford needs as many sweeps as the longest shortest path. When potentials π with
cost + π(a) − π(b) ≥ 0 on every arc are already known (the assignment solver's duals), the
reduced costs are non-negative and one Dijkstra gives the same distances (Johnson).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._heap import pop, push


@njit(cache=True)
def distances(indptr, dst, cost, pi):  # pragma: no cover - compiled
    """Distances from a virtual source joined to every node by a 0-cost arc; arcs in CSR by
    source. ``pi`` must make every reduced cost non-negative (not checked here)."""
    t = len(indptr) - 1
    top = pi.max()
    d = top - pi  # reduced distance of the direct arc from the virtual source
    hk = np.empty(len(dst) + t, np.int64)  # every node once, then once per arc at most
    hv = np.empty(len(dst) + t, np.int64)
    size = 0
    for x in range(t):
        size = push(hk, hv, size, d[x], x)
    done = np.zeros(t, np.bool_)
    while size > 0:
        k, x, size = pop(hk, hv, size)
        if done[x] or k > d[x]:
            continue
        done[x] = True
        for e in range(indptr[x], indptr[x + 1]):
            y = dst[e]
            nd = k + cost[e] + pi[x] - pi[y]
            if nd < d[y]:
                d[y] = nd
                size = push(hk, hv, size, nd, y)
    return d - top + pi
