"""Maximum-cardinality matching and its Dulmage–Mendelsohn split (numba; imported lazily).

Every maximum matching of a bipartite graph leaves the same structure behind: the rows that
some maximum matching leaves unmatched (reachable from an unmatched row by alternating paths)
and their neighbour columns, which every maximum matching fills with exactly those rows. The
max-weight maximum-cardinality matching therefore splits into two full matchings without any
"stay unmatched" arcs, which shortest-path assignment solvers handle several times faster.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def max_matching(indptr, indices, ncol, start):  # pragma: no cover - compiled
    """Hopcroft–Karp: column per row (or -1) and row per column. It starts from ``start``
    (a column per row or -1, e.g. last round's matching; entries whose column is taken or
    not among the row's edges are dropped), then greedily for the rows left."""
    nrow = len(indptr) - 1
    mr = np.full(nrow, -1, np.int64)
    mc = np.full(ncol, -1, np.int64)
    for r in range(nrow):
        c = start[r]
        if c >= 0 and mc[c] < 0:
            for e in range(indptr[r], indptr[r + 1]):
                if indices[e] == c:
                    mr[r], mc[c] = c, r
                    break
    for r in range(nrow):
        if mr[r] >= 0:
            continue
        for e in range(indptr[r], indptr[r + 1]):
            c = indices[e]
            if mc[c] < 0:
                mr[r], mc[c] = c, r
                break
    inf = np.int64(1) << 60
    dist = np.empty(nrow, np.int64)
    queue = np.empty(nrow, np.int64)
    it = np.empty(nrow, np.int64)
    stack = np.empty(nrow, np.int64)
    while True:
        head = tail = 0
        for r in range(nrow):
            if mr[r] < 0:
                dist[r] = 0
                queue[tail] = r
                tail += 1
            else:
                dist[r] = inf
        limit = inf
        while head < tail:
            u = queue[head]
            head += 1
            if dist[u] >= limit:
                continue
            for e in range(indptr[u], indptr[u + 1]):
                r2 = mc[indices[e]]
                if r2 < 0:
                    limit = min(limit, dist[u] + 1)
                elif dist[r2] == inf:
                    dist[r2] = dist[u] + 1
                    queue[tail] = r2
                    tail += 1
        if limit == inf:
            return mr, mc
        for r in range(nrow):
            it[r] = indptr[r]
        for s in range(nrow):
            if mr[s] >= 0 or dist[s] != 0:
                continue
            top = 0
            stack[0] = s
            while top >= 0:
                u = stack[top]
                advanced = False
                while it[u] < indptr[u + 1]:
                    c = indices[it[u]]
                    r2 = mc[c]
                    if r2 < 0:
                        if dist[u] + 1 == limit:
                            for level in range(top, -1, -1):  # flip the path
                                x = stack[level]
                                cx = indices[it[x]]
                                mr[x], mc[cx] = cx, x
                            top = -1
                            advanced = True
                            break
                    elif dist[r2] == dist[u] + 1:
                        top += 1
                        stack[top] = r2
                        advanced = True
                        break
                    it[u] += 1
                if top < 0:
                    break
                if not advanced:
                    dist[u] = inf
                    top -= 1
                    if top >= 0:
                        it[stack[top]] += 1


@njit(cache=True)
def alternating_reach(indptr, indices, mr, mc):  # pragma: no cover - compiled
    """Rows and columns reachable from unmatched rows along alternating paths."""
    nrow, ncol = len(mr), len(mc)
    row_in = np.zeros(nrow, np.bool_)
    col_in = np.zeros(ncol, np.bool_)
    queue = np.empty(nrow, np.int64)
    tail = 0
    for r in range(nrow):
        if mr[r] < 0:
            row_in[r] = True
            queue[tail] = r
            tail += 1
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        for e in range(indptr[u], indptr[u + 1]):
            c = indices[e]
            if col_in[c]:
                continue
            col_in[c] = True
            r2 = mc[c]
            if r2 >= 0 and not row_in[r2]:
                row_in[r2] = True
                queue[tail] = r2
                tail += 1
    return row_in, col_in


@njit(cache=True)
def edge_components(rows, cols, nrow, ncol):  # pragma: no cover - compiled
    """Connected components of the bipartite graph (rows, then columns as nodes): the number
    of components and each edge's component (numbered by first appearance among the edges)."""
    parent = np.arange(nrow + ncol)
    for e in range(len(rows)):
        a, b = rows[e], nrow + cols[e]
        while parent[a] != a:  # path halving
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            parent[max(a, b)] = min(a, b)
    label = np.full(nrow + ncol, -1, np.int64)
    out = np.empty(len(rows), np.int64)
    ncomp = 0
    for e in range(len(rows)):
        a = rows[e]
        while parent[a] != a:
            a = parent[a]
        if label[a] < 0:
            label[a] = ncomp
            ncomp += 1
        out[e] = label[a]
    return ncomp, out
