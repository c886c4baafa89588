"""Sparse min-cost assignment saturating every row (numba; imported lazily).

Shortest augmenting paths as in Jonker–Volgenant, but each path search is a Dijkstra over
an indexed binary heap that touches only the columns it reaches. SciPy's LAPJVsp port
rescans every column whenever its list of equally near columns runs out, which made one
solve at 100,000 newcomers take minutes; here a search costs what it explores. Integer
costs keep it exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._heap import pop, push

INF = np.iinfo(np.int64).max // 4


@njit(inline="always", cache=True)
def _set(heap, pos, p, c):  # pragma: no cover - compiled
    heap[p] = c
    pos[c] = p


@njit(inline="always", cache=True)
def _up(key, heap, pos, p):  # pragma: no cover - compiled
    c = heap[p]
    k = key[c]
    while p > 0:
        q = (p - 1) >> 1
        if key[heap[q]] <= k:
            break
        _set(heap, pos, p, heap[q])
        p = q
    _set(heap, pos, p, c)


@njit(inline="always", cache=True)
def _pop(key, heap, pos, size):  # pragma: no cover - compiled
    top = heap[0]
    pos[top] = -1
    size -= 1
    if size > 0:
        c = heap[size]
        k = key[c]
        p = 0
        while True:
            q = 2 * p + 1
            if q >= size:
                break
            if q + 1 < size and key[heap[q + 1]] < key[heap[q]]:
                q += 1
            if key[heap[q]] >= k:
                break
            _set(heap, pos, p, heap[q])
            p = q
        _set(heap, pos, p, c)
    return top, size


@njit(cache=True, nogil=True)
def full_assignment(indptr, indices, cost, ncol, v0):  # pragma: no cover - compiled
    """Column per row of a min-cost matching that matches every row (-1: none possible),
    with optimal duals: column potentials v ≤ 0 (0 on unmatched columns) and row potentials
    u, so that cost − u − v ≥ 0 on every edge and = 0 on the matched ones.

    ``cost`` is int64; rows are served in order. ``v0`` (≤ 0) are starting potentials, e.g.
    last round's prices: the searches are short when they are nearly right, and any values
    keep every matched row's reduced costs ≥ 0. A column they leave unmatched with a
    potential below 0 is then repaired (``_release``).
    """
    nrow = len(indptr) - 1
    x = np.full(nrow, -1, np.int64)
    y = np.full(ncol, -1, np.int64)
    xcost = np.zeros(nrow, np.int64)  # cost of each row's matched edge
    v = v0.copy()  # column potentials: reduced costs c − v − u stay ≥ 0
    d = np.full(ncol, INF, np.int64)
    key = np.zeros(ncol, np.int64)  # heap key: 2·d, +1 for a taken column (free ones first)
    lab = np.full(ncol, -1, np.int64)  # row the search reached each column from …
    labcost = np.zeros(ncol, np.int64)  # … and that edge's cost
    done = np.zeros(ncol, np.bool_)
    heap = np.empty(ncol, np.int64)
    pos = np.full(ncol, -1, np.int64)
    touched = np.empty(ncol, np.int64)
    level = np.empty(ncol, np.int64)  # taken columns exactly as near as the last one reached
    for i0 in range(nrow):
        nt = size = top = 0
        base = np.int64(0)
        near = -INF  # distance of the column whose row is being scanned
        i = i0
        end = -1
        while True:
            for e in range(indptr[i], indptr[i + 1]):
                c = indices[e]
                if done[c]:
                    continue
                dc = base + cost[e] - v[c]
                if dc < d[c]:
                    if d[c] == INF:
                        touched[nt] = c
                        nt += 1
                    d[c], lab[c], labcost[c] = dc, i, cost[e]
                    if dc == near:  # as near as the column just reached: next, no heap
                        if y[c] < 0:
                            end = c  # a free one ends the search
                            break
                        level[top] = c
                        top += 1
                        continue
                    key[c] = 2 * dc + (y[c] >= 0)
                    if pos[c] < 0:
                        heap[size] = c
                        size += 1
                    _up(key, heap, pos, pos[c] if pos[c] >= 0 else size - 1)
            if end >= 0:
                break
            j = -1
            if top > 0:
                top -= 1
                j = level[top]
            while j < 0 and size > 0:
                j, size = _pop(key, heap, pos, size)
                if done[j]:  # reached again at its level after it was queued
                    j = -1
            if j < 0:
                break
            done[j] = True
            if y[j] < 0:
                end = j
                break
            i = y[j]
            near = d[j]
            base = d[j] - (xcost[i] - v[j])
        if end >= 0:
            dmin = d[end]
            for t in range(nt):
                c = touched[t]
                if done[c]:
                    v[c] += d[c] - dmin
            j = end
            while True:
                i = lab[j]
                nxt = x[i]
                y[j], x[i], xcost[i] = i, j, labcost[j]
                if i == i0:
                    break
                j = nxt
        for t in range(size):
            pos[heap[t]] = -1
        for t in range(nt):
            c = touched[t]
            d[c], lab[c], done[c] = INF, -1, False
    if (x >= 0).all():
        _release(indptr, indices, cost, x, y, xcost, v)
    u = np.zeros(nrow, np.int64)
    for i in range(nrow):
        if x[i] >= 0:
            u[i] = xcost[i] - v[x[i]]
    return x, v, u


@njit(cache=True)
def _release(indptr, indices, cost, x, y, xcost, v):  # pragma: no cover - compiled
    """Bring every unmatched column with a potential below 0 up to 0, keeping optimality.

    For such a column f (Δ = −v[f]) a Dijkstra runs backwards: from a column c to each row i
    with an edge to c but matched elsewhere, and on to i's column, at distance L + reduced
    cost of (i, c). Shifting rows along a path that ends at a matched column c makes f taken
    and c free and changes the total cost by L(c) − v[c] − Δ. So the search stops once L
    reaches min(Δ, best L − v); if the best is below Δ the rows shift (c becomes a free
    column at 0), and every column reached closer than that best is raised by the
    difference — the usual Dijkstra potential update, which keeps all reduced costs ≥ 0.
    """
    nrow, ncol = len(x), len(y)
    if not ((y < 0) & (v < 0)).any():
        return
    cnt = np.zeros(ncol + 1, np.int64)  # edges by column (the transpose)
    for e in range(len(indices)):
        cnt[indices[e] + 1] += 1
    for c in range(ncol):
        cnt[c + 1] += cnt[c]
    fill = cnt[:-1].copy()
    trow = np.empty(len(indices), np.int64)
    tcost = np.empty(len(indices), np.int64)
    for i in range(nrow):
        for e in range(indptr[i], indptr[i + 1]):
            c = indices[e]
            trow[fill[c]], tcost[fill[c]] = i, cost[e]
            fill[c] += 1
    dist = np.full(ncol, INF, np.int64)
    done = np.zeros(ncol, np.bool_)
    via = np.full(ncol, -1, np.int64)  # row whose move reached the column
    frm = np.full(nrow, -1, np.int64)  # column that row would move to
    touched = np.empty(ncol, np.int64)
    hk = np.empty(len(indices) + 1, np.int64)  # a search pushes once per edge at most
    hv = np.empty(len(indices) + 1, np.int64)
    for f in range(ncol):
        if y[f] >= 0 or v[f] >= 0:
            continue
        delta = -v[f]
        best, star = delta, -1
        dist[f], touched[0], nt = 0, f, 1
        size = push(hk, hv, 0, 0, f)
        while size > 0:
            L, c, size = pop(hk, hv, size)
            if done[c] or L > dist[c]:
                continue
            if L >= best:
                break
            done[c] = True
            if c != f and L - v[c] < best:
                best, star = L - v[c], c
            for e in range(cnt[c], cnt[c + 1]):
                i = trow[e]
                c2 = x[i]
                if c2 == c or done[c2]:
                    continue
                nd = L + tcost[e] - (xcost[i] - v[c2]) - v[c]
                if nd < dist[c2]:
                    if dist[c2] == INF:
                        touched[nt] = c2
                        nt += 1
                    dist[c2], via[c2], frm[i] = nd, i, c
                    size = push(hk, hv, size, nd, c2)
        for t in range(nt):
            c = touched[t]
            if done[c] and dist[c] < best:
                v[c] += best - dist[c]
        c = star
        while c >= 0 and c != f:  # shift: the row that reached c moves to where it points
            i = via[c]
            to = frm[i]
            x[i], y[to] = to, i
            for e in range(indptr[i], indptr[i + 1]):
                if indices[e] == to:
                    xcost[i] = cost[e]
                    break
            c = to
        if star >= 0:
            y[star] = -1
        for t in range(nt):
            c = touched[t]
            dist[c], done[c], via[c] = INF, False, -1


@njit(cache=True)
def group(keys, n):  # pragma: no cover - compiled
    """Stable counting sort of ``keys`` (all in [0, n)): CSR pointers and the permutation."""
    indptr = np.zeros(n + 1, np.int64)
    for k in keys:
        indptr[k + 1] += 1
    for k in range(n):
        indptr[k + 1] += indptr[k]
    fill = indptr[:-1].copy()
    order = np.empty(len(keys), np.int64)
    for e in range(len(keys)):
        k = keys[e]
        order[fill[k]] = e
        fill[k] += 1
    return indptr, order


@njit(cache=True)
def expand(r_of, c_of, copies, offset, w, top, nrow):  # pragma: no cover - compiled
    """Each edge once per place of its volunteer, grouped by row (in edge order within a
    row, as a stable sort would leave them): CSR pointers, rows, place columns, costs top − w."""
    indptr = np.zeros(nrow + 1, np.int64)
    for e in range(len(c_of)):
        indptr[r_of[e] + 1] += copies[c_of[e]]
    for r in range(nrow):
        indptr[r + 1] += indptr[r]
    fill = indptr[:-1].copy()
    total = indptr[nrow]
    er = np.empty(total, np.int64)
    ec = np.empty(total, np.int64)
    cost = np.empty(total, np.int64)
    for e in range(len(c_of)):
        c, r = c_of[e], r_of[e]
        for q in range(copies[c]):
            k = fill[r]
            er[k], ec[k], cost[k] = r, offset[c] + q, top - w[e]
            fill[r] = k + 1
    return indptr, er, ec, cost


@njit(cache=True)
def part(src, dst, cost, src_in, dst_in):  # pragma: no cover - compiled
    """The edges with both ends kept, as CSR rows ready for ``full_assignment``: sources that
    keep an edge, by increasing degree (ties by index); destinations by index; each row's
    edges in their original order. Returns (sources, destinations, indptr, columns, costs)."""
    nsrc, ndst = len(src_in), len(dst_in)
    deg = np.zeros(nsrc, np.int64)
    dmap = np.full(ndst, -1, np.int64)
    for e in range(len(src)):
        s, d = src[e], dst[e]
        if src_in[s] and dst_in[d]:
            deg[s] += 1
            dmap[d] = 0
    nd = 0
    for d in range(ndst):
        if dmap[d] == 0:
            dmap[d] = nd
            nd += 1
    ud = np.empty(nd, np.int64)
    for d in range(ndst):
        if dmap[d] >= 0:
            ud[dmap[d]] = d
    top = 0
    for s in range(nsrc):
        top = max(top, deg[s])
    start = np.zeros(top + 2, np.int64)
    for s in range(nsrc):
        if deg[s] > 0:
            start[deg[s] + 1] += 1
    for k in range(top + 1):
        start[k + 1] += start[k]
    ns = start[top + 1]
    us = np.empty(ns, np.int64)
    rank = np.full(nsrc, -1, np.int64)
    for s in range(nsrc):
        if deg[s] > 0:
            rank[s] = start[deg[s]]
            us[rank[s]] = s
            start[deg[s]] += 1
    indptr = np.zeros(ns + 1, np.int64)
    for q in range(ns):
        indptr[q + 1] = indptr[q] + deg[us[q]]
    fill = indptr[:-1].copy()
    col = np.empty(indptr[ns], np.int64)
    cst = np.empty(indptr[ns], np.int64)
    for e in range(len(src)):
        s, d = src[e], dst[e]
        if src_in[s] and dst_in[d]:
            q = rank[s]
            col[fill[q]], cst[fill[q]] = dmap[d], cost[e]
            fill[q] += 1
    return us, ud, indptr, col, cst
