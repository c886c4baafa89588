"""Smallest optimal prices of a candidate b-matching from known optimal ones (numba; lazy).

The smallest optimal volunteer prices are shortest distances in the residual graph of an
optimal b-matching. Bellman–Ford needs as many sweeps as the longest shortest path; when
optimal prices are already known (the assignment solver's duals), they make every reduced
cost non-negative and one Dijkstra gives the same distances (Johnson). The residual graph
is walked in place, never built.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._heap import pop, push
from ._lap import group


@njit(cache=True)
def _optimal(rptr, cols, w, match, cap, hint, mw, load):  # pragma: no cover - compiled
    """Whether (match, hint) is an optimal primal–dual pair: capacities kept, hint ≥ 0 and 0
    on columns with room, every matched row on a candidate edge, and no edge's weight minus
    price above its row's (non-negative) gain. Fills mw (matched edge's weight) and load."""
    n, m = len(match), len(cap)
    for i in range(n):
        j = match[i]
        if j < -1 or j >= m:
            return False
        if j >= 0:
            load[j] += 1
            for e in range(rptr[i], rptr[i + 1]):
                if cols[e] == j:
                    mw[i] = w[e]
            if mw[i] < 0:
                return False
    for j in range(m):
        if load[j] > cap[j] or hint[j] < 0 or (hint[j] > 0 and load[j] < cap[j]):
            return False
    for i in range(n):
        gain = mw[i] - hint[match[i]] if match[i] >= 0 else 0
        if gain < 0:
            return False
        for e in range(rptr[i], rptr[i + 1]):
            if w[e] - hint[cols[e]] > gain:
                return False
    return True


@njit(cache=True)
def smallest_prices(rows, cols, w, match, cap, hint):  # pragma: no cover - compiled
    """Smallest optimal prices (≥ 0) for the optimal ``match`` of the candidate edges, from
    other optimal prices ``hint``; an empty array when (match, hint) is not optimal.

    Nodes: rows 0…n−1, columns n…n+m−1, the sink t. Arcs: row → column on unmatched edges
    (cost −w), column → row on matched ones (w), matched row → t and t → unmatched row (0),
    column with room → t and t → used column (0); every node is reached from a virtual
    source at 0. A column's price is d(t) − d(column)."""
    n, m = len(match), len(cap)
    t = n + m
    rptr, order = group(rows, n)  # the edges by row
    ecol, ew = cols[order], w[order]
    mw = np.full(n, -1, np.int64)
    load = np.zeros(m, np.int64)
    if not _optimal(rptr, ecol, ew, match, cap, hint, mw, load):
        return np.empty(0, np.int64)
    cptr = np.zeros(m + 1, np.int64)  # matched rows by column
    for j in range(m):
        cptr[j + 1] = cptr[j] + load[j]
    cfill = cptr[:-1].copy()
    crow = np.empty(cptr[m], np.int64)
    for i in range(n):
        if match[i] >= 0:
            crow[cfill[match[i]]] = i
            cfill[match[i]] += 1
    pi = np.zeros(t + 1, np.int64)
    for i in range(n):
        if match[i] >= 0:
            pi[i] = mw[i] - hint[match[i]]
    for j in range(m):
        pi[n + j] = -hint[j]
    top = pi.max()
    d = top - pi  # reduced distance of the arc from the virtual source
    cap_heap = len(rows) + 3 * (t + 1)  # every node once, then once per arc at most
    hk = np.empty(cap_heap, np.int64)
    hv = np.empty(cap_heap, np.int64)
    size = 0
    for x in range(t + 1):
        size = push(hk, hv, size, d[x], x)
    done = np.zeros(t + 1, np.bool_)
    while size > 0:
        k, x, size = pop(hk, hv, size)
        if done[x] or k > d[x]:
            continue
        done[x] = True
        px = pi[x]
        if x < n:
            for e in range(rptr[x], rptr[x + 1]):
                y = n + ecol[e]
                if ecol[e] != match[x]:
                    nd = k - ew[e] + px - pi[y]
                    if nd < d[y]:
                        d[y] = nd
                        size = push(hk, hv, size, nd, y)
            if match[x] >= 0 and k + px - pi[t] < d[t]:
                d[t] = k + px - pi[t]
                size = push(hk, hv, size, d[t], t)
        elif x < t:
            j = x - n
            for q in range(cptr[j], cptr[j + 1]):
                y = crow[q]
                nd = k + mw[y] + px - pi[y]
                if nd < d[y]:
                    d[y] = nd
                    size = push(hk, hv, size, nd, y)
            if load[j] < cap[j] and k + px - pi[t] < d[t]:
                d[t] = k + px - pi[t]
                size = push(hk, hv, size, d[t], t)
        else:
            for y in range(t):
                if (y < n and match[y] < 0) or (y >= n and load[y - n] > 0):
                    nd = k + px - pi[y]
                    if nd < d[y]:
                        d[y] = nd
                        size = push(hk, hv, size, nd, y)
    out = np.empty(m, np.int64)
    dt = d[t] - top + pi[t]
    for j in range(m):
        out[j] = max(0, dt - (d[n + j] - top + pi[n + j]))
    return out
