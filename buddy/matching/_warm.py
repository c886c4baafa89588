"""Warm-started exact re-optimisation of the candidate b-matching (numba; imported lazily).

Min-cost flow view: each row sends one unit to the sink, either through a column (cost −w,
column capacity ``cap``) or directly (the "unmatched" arc, cost 0). Node potentials ``h``
(rows: u, columns: −p, sink: 0) keep every residual arc's reduced cost ≥ 0. Rows with a
negative-reduced-cost arc (new violators) are taken out of the flow, leaving a deficit where
their unit used to end; successive shortest paths (Dijkstra on reduced costs) then route each
freed unit to a deficit, which restores an optimal primal–dual pair on the enlarged graph.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._heap import grow
from ._heap import pop as _pop
from ._heap import push as _push

INF = np.iinfo(np.int64).max // 4


@njit(cache=True)
def warm(rptr, rcol, rw, cap, match, p):
    """Re-optimise ``match`` (column per row, −1 = none) in place; returns (p, freed rows)."""
    n, m = rptr.shape[0] - 1, cap.shape[0]
    sink = n + m
    h = np.zeros(n + m + 1, np.int64)
    for j in range(m):
        h[n + j] = -p[j]
    deg = np.zeros(m, np.int64)
    for e in range(rcol.shape[0]):
        deg[rcol[e]] += 1
    coff = np.zeros(m + 1, np.int64)
    for j in range(m):
        coff[j + 1] = coff[j] + min(cap[j], deg[j])
    slot_r = np.full(coff[m], -1, np.int64)
    slot_e = np.full(coff[m], -1, np.int64)
    flow = np.zeros(m, np.int64)
    deficit = np.zeros(m + 1, np.int64)
    freed = np.empty(n, np.int64)
    nfree = 0
    load = np.zeros(m, np.int64)
    for i in range(n):
        if match[i] >= 0:
            load[match[i]] += 1
    for j in range(m):
        if p[j] < 0 or (p[j] > 0 and load[j] < cap[j]) or load[j] > cap[j]:
            return p, -1  # not a valid warm start: the caller re-solves from scratch
    for i in range(n):
        u = 0
        me = -1
        for e in range(rptr[i], rptr[i + 1]):
            if rcol[e] == match[i]:
                me = e
                u = rw[e] - p[rcol[e]]
        bad = u < 0 or (match[i] >= 0 and me < 0)
        best = 0
        for e in range(rptr[i], rptr[i + 1]):
            r = rw[e] - p[rcol[e]]
            if r > best:
                best = r
            if r > u:
                bad = True
        h[i] = u
        if match[i] >= 0:
            j = match[i]
            flow[j] += 1
            if bad:
                deficit[j] += 1
            else:
                for s in range(coff[j], coff[j + 1]):
                    if slot_r[s] < 0:
                        slot_r[s], slot_e[s] = i, me
                        break
        elif bad:
            deficit[m] += 1
        if bad:
            match[i] = -2
            h[i] = best
            freed[nfree] = i
            nfree += 1
    dist = np.full(n + m + 1, INF, np.int64)
    done = np.zeros(n + m + 1, np.bool_)
    pred = np.full(n + m + 1, -1, np.int64)
    pred_e = np.full(n + m + 1, -1, np.int64)
    touched = np.empty(n + m + 1, np.int64)
    hk = np.empty(1024, np.int64)
    hv = np.empty(1024, np.int64)
    for f in range(nfree):
        src = freed[f]
        nt = 0
        dist[src] = 0
        touched[nt] = src
        nt += 1
        size = _push(hk, hv, 0, 0, src)
        target = -1
        while size > 0 and target < 0:
            d, v, size = _pop(hk, hv, size)
            if done[v] or d > dist[v]:
                continue
            done[v] = True
            if (v >= n and v < sink and deficit[v - n] > 0) or (v == sink and deficit[m] > 0):
                target = v
                break
            hv0 = h[v]
            if v < n:
                lo, hi = rptr[v], rptr[v + 1]
            elif v < sink:
                lo, hi = coff[v - n], coff[v - n + 1]
            else:
                lo, hi = 0, n + m
            for e in range(lo, hi + 1):
                # the arc's head x and reduced cost rc (x = -1: no residual arc)
                x, rc = -1, 0
                if v < n:
                    if e < hi:
                        if rcol[e] != match[v]:
                            x = n + rcol[e]
                            rc = -rw[e] + hv0 - h[x]
                    elif match[v] != -1:
                        x, rc = sink, hv0 - h[sink]
                elif v < sink:
                    if e < hi:
                        if slot_r[e] >= 0:
                            x = slot_r[e]
                            rc = rw[slot_e[e]] + hv0 - h[x]
                    elif flow[v - n] < cap[v - n]:
                        x, rc = sink, hv0 - h[sink]
                elif e < hi:
                    if (e < n and match[e] == -1) or (e >= n and flow[e - n] > 0):
                        x, rc = e, hv0 - h[e]
                if x < 0:
                    continue
                nd = d + rc
                if nd < dist[x]:
                    if dist[x] == INF:
                        touched[nt] = x
                        nt += 1
                    dist[x], pred[x] = nd, v
                    if v < n and x < sink:
                        pred_e[x] = e
                    if nd == d and x >= n and deficit[x - n] > 0:
                        target = x  # reached at the current minimum: a shortest path
                        break
                    if size == len(hk):
                        hk, hv = grow(hk, hv)
                    size = _push(hk, hv, size, nd, x)
        dt = dist[target]
        for t in range(nt):
            x = touched[t]
            if done[x]:
                h[x] += dist[x] - dt
        deficit[target - n] -= 1
        v = target
        while v != src:
            u = pred[v]
            if u < n and v < sink:  # row u takes column v
                j = v - n
                match[u] = j
                for s in range(coff[j], coff[j + 1]):
                    if slot_r[s] < 0:
                        slot_r[s], slot_e[s] = u, pred_e[v]
                        break
            elif u < n:  # row u becomes unmatched
                match[u] = -1
            elif u < sink and v < n:  # row v leaves column u
                for s in range(coff[u - n], coff[u - n + 1]):
                    if slot_r[s] == v:
                        slot_r[s] = -1
                        break
            elif u < sink:  # column u - n fills one more place
                flow[u - n] += 1
            elif v >= n:  # column v - n gives up a place
                flow[v - n] -= 1
            v = u
        for t in range(nt):
            x = touched[t]
            dist[x], done[x], pred[x] = INF, False, -1
    out = np.zeros(m, np.int64)
    for j in range(m):
        out[j] = max(0, h[sink] - h[n + j])
    return out, nfree
