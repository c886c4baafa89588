"""Exact max-cardinality, max-weight b-matching of a candidate graph (SciPy or compiled)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from . import kernels

DENSE_CELLS = 3_000_000  # slot-expanded problems up to this size use dense LSA
COMPONENT_ROWS = 20_000  # components at least this large are solved on their own
COMPILED_EDGES = 100_000  # smaller graphs are expanded with numpy (no numba import: a city's
# round stays well under 0.1 s)


def compact(idx: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of ``idx`` (all in [0, size)) and each entry's position among them."""
    present = np.zeros(size, dtype=bool)
    present[idx] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present), rank[idx]


def _by_degree(r_of: np.ndarray, nrows: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows renumbered by increasing degree (augmenting paths are shorter, ≈ 20 % faster):
    the old row of each new number, and each edge's new row."""
    order = np.argsort(np.bincount(r_of, minlength=nrows), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return order, rank[r_of]


@dataclass(slots=True)
class _Expanded:
    """Candidate edges with each volunteer split into one column per usable place."""

    urows: np.ndarray  # newcomer of each local row
    ucols: np.ndarray  # volunteer of each group of place columns
    offset: np.ndarray  # first place column of each volunteer (and the total at the end)
    er: np.ndarray
    ec: np.ndarray
    cost: np.ndarray  # top − w (int64): positive, small, minimised
    top: int  # max(w) + 1
    indptr: np.ndarray | None = None  # when the edges are grouped by row: CSR pointers

    def volunteer(self, place: np.ndarray) -> np.ndarray:
        """Volunteer (global index) owning each place column."""
        return self.ucols[np.searchsorted(self.offset, place, side="right") - 1]


def _expand(nr: int, ncol: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            w: np.ndarray) -> _Expanded:
    urows, r_of = compact(rows, nr)
    order, r_of = _by_degree(r_of, len(urows))
    urows = urows[order]
    ucols, c_of = compact(cols, ncol)
    copies = np.minimum(cap[ucols], np.bincount(c_of, minlength=len(ucols)))
    offset = np.concatenate(([0], np.cumsum(copies)))
    top = int(w.max()) + 1
    lap = kernels.lap_module() if len(rows) >= COMPILED_EDGES else None
    if lap is not None:
        indptr, er, ec, cost = lap.expand(r_of, c_of, copies, offset,
                                          w.astype(np.int64, copy=False), top, len(urows))
        return _Expanded(urows, ucols, offset, er, ec, cost, top, indptr)
    rep = copies[c_of]
    er = np.repeat(r_of, rep)
    first = np.repeat(np.cumsum(rep) - rep, rep)
    ec = np.repeat(offset[c_of], rep) + (np.arange(len(er)) - first)
    cost = np.repeat(top - w.astype(np.int64), rep)
    return _Expanded(urows, ucols, offset, er, ec, cost, top)


class Memo:
    """The last solved parts of a round's candidate graph, kept for the next round: when a
    part comes back with exactly the same edges, costs and starting prices, its solution is
    reused (late rounds add pairs mostly on one side of the split; at 100,000 scarce the
    other side, 2.3 million edges, came back unchanged in each of eight rounds).

    A part's own numbering is all that matters: rows by degree, then by index, and columns
    by index keep their order when the round numbers everything anew."""

    def __init__(self, size: int = 2) -> None:
        """Remember up to ``size`` parts."""
        self.size = size
        self.parts: list[tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]] = []

    def get(self, key: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...] | None:
        """The solution remembered for key = (indptr, indices, costs, ncol, start), or None."""
        for k, (old, out) in enumerate(self.parts):
            if all(np.array_equal(a, b) for a, b in zip(old, key, strict=True)):
                self.parts.insert(0, self.parts.pop(k))  # the most recently used first
                return out
        return None

    def put(self, key: tuple[np.ndarray, ...], out: tuple[np.ndarray, ...]) -> None:
        """Remember a part's solution (the oldest one beyond ``size`` is forgotten)."""
        self.parts = [(key, out), *self.parts][: self.size]


_pool: ThreadPoolExecutor | None = None


def _forget_pool() -> None:
    """Drop the worker pool in a forked child: its thread stayed behind in the parent."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _assignments(keys: list[tuple], memo: Memo | None) -> list[tuple[np.ndarray, ...]]:
    """``full_assignment`` of each part (key = indptr, indices, costs, ncol, start): parts
    the memo does not hold are solved two at a time, one on a worker thread (the compiled
    solver releases the GIL), so both cores work."""
    global _pool
    lap = kernels.lap_module()
    outs = [memo.get(key) if memo is not None else None for key in keys]
    todo = [a for a, out in enumerate(outs) if out is None]
    while todo:
        if len(todo) > 1:
            if _pool is None:
                _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="buddy-lap")
            side = _pool.submit(lap.full_assignment, *keys[todo[1]])
            outs[todo[0]] = lap.full_assignment(*keys[todo[0]])
            outs[todo[1]] = side.result()
        else:
            outs[todo[0]] = lap.full_assignment(*keys[todo[0]])
        if memo is not None:
            for a in todo[:2]:
                memo.put(keys[a], outs[a])
        todo = todo[2:]
    return outs  # type: ignore[return-value]


def _assign(nr: int, ncol: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
            w: np.ndarray, start: np.ndarray | None = None, before: np.ndarray | None = None,
            memo: Memo | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Solve max Σw over a b-matching of candidate edges (every w > 0): column per row or -1,
    and optimal column prices when the solver gives them (the compiled path), else None.

    The weights carry a cardinality bonus, so this is the max-cardinality, max-weight
    b-matching. Each newcomer may also take a "stay unmatched" column costing more than any
    real pair; with numba the Dulmage–Mendelsohn split removes those columns instead.
    """
    match = np.full(nr, -1, dtype=np.int64)
    if not len(rows):
        return match, np.zeros(ncol, dtype=np.int64)
    x = _expand(nr, ncol, cap, rows, cols, w)
    r, total = len(x.urows), int(x.offset[-1])
    slack = float(w.max()) + 1.0  # the cost of a pair whose weight (bonus included) is 0
    price = None
    if r * (total + r) <= DENSE_CELLS:
        dense = np.full((r, total + r), 4.0 * slack)
        dense[:, total:] = slack
        dense[x.er, x.ec] = x.cost.astype(np.float64)
        ri, ci = linear_sum_assignment(dense)
    elif kernels.cardinality_module() is not None:
        guess = gain = None
        if start is not None:  # last round's prices where they are on the scale of scores
            span = x.top - int(w.min())
            guess = np.where(start[x.ucols] <= span, start[x.ucols], 0)
            guess = np.repeat(guess, np.diff(x.offset))
            if before is not None:
                gain = _gains(nr, rows, cols, w, start, before)[x.urows]
        ri, ci, place_price = _split(x, r, total, guess, before, memo, gain)
        price = np.zeros(ncol, dtype=np.int64)
        copies = np.diff(x.offset)
        np.maximum.at(price, np.repeat(x.ucols, copies), place_price)
        price[x.ucols[copies == 0]] = x.top  # no place (capacity 0): priced out of reach
        # fewer places than capacity (one per candidate row): either a place is free (then
        # all are priced 0) or every candidate row holds one; 0 breaks no candidate edge and
        # is the price a volunteer with free capacity must have
        price[x.ucols[(copies > 0) & (copies < cap[x.ucols])]] = 0
    else:
        mat = sp.csr_matrix((np.concatenate((x.cost.astype(np.float64), np.full(r, slack))),
                             (np.concatenate((x.er, np.arange(r))),
                              np.concatenate((x.ec, total + np.arange(r))))),
                            shape=(r, total + r))
        ri, ci = min_weight_full_bipartite_matching(mat)
    real = ci < total
    match[x.urows[ri[real]]] = x.volunteer(ci[real])
    return match, price


def _gains(nr: int, rows: np.ndarray, cols: np.ndarray, w: np.ndarray, start: np.ndarray,
           before: np.ndarray) -> np.ndarray:
    """Each newcomer's weight minus price on last round's pair (0 without one, or when its
    pair is no candidate or loses at these prices): a newcomer's dual, to start from."""
    gain = np.zeros(nr, dtype=np.int64)
    own = before[rows] == cols
    gain[rows[own]] = np.maximum(0, w[own] - start[cols[own]])
    return gain


def _split(x: _Expanded, r: int, total: int, guess: np.ndarray | None = None,
           before: np.ndarray | None = None, memo: Memo | None = None,
           gain: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matched (row, place) pairs via a maximum matching and the Dulmage–Mendelsohn split,
    and each place's optimal price (in weight units). ``before``: last round's volunteer per
    newcomer, where the maximum matching starts (the split does not depend on it);
    ``guess`` and ``gain``: last round's place prices and newcomer duals, where the two
    parts' searches start (any values give the same optimum).

    Rows that some maximum matching leaves out compete only for their neighbour places, and
    every maximum matching fills all of those places with them; every other row is matched in
    every maximum matching, to the other places. Both parts are full matchings. The parts'
    duals make one optimal dual of the whole: a place's price is top − its row potential in
    the first part and −its column potential in the second; across the parts every edge is
    covered by the cardinality bonus twice over.
    """
    mod = kernels.cardinality_module()
    indptr = x.indptr
    if indptr is None:
        indptr, order = kernels.lap_module().group(x.er, r)
        x.er, x.ec, x.cost = x.er[order], x.ec[order], x.cost[order]  # the unsorted ones go
        del order
    ec = x.ec.astype(np.int64, copy=False)
    mr, mc = mod.max_matching(indptr, ec, total, _places(x, before))
    row_out, col_out = mod.alternating_reach(indptr, ec, mr, mc)
    del indptr, ec, mr, mc
    # places reached from left-out rows, as rows of their own full matching
    a = _part(x.ec, x.er, x.cost, col_out, row_out, gain)
    b = _part(x.er, x.ec, x.cost, ~row_out, ~col_out, guess)
    (places_a, ca, u_a, _, _), (rb, cb, _, places_b, v_b) = (
        _matched(us, ud, out) for (us, ud, _), out in zip(
            (a, b), _assignments([a[2], b[2]], memo), strict=True))
    price = np.zeros(total, dtype=np.int64)
    price[places_a] = x.top - u_a
    price[places_b] = -v_b
    return np.concatenate((ca, rb)), np.concatenate((places_a, cb)), price


def _places(x: _Expanded, before: np.ndarray | None) -> np.ndarray:
    """``before`` (volunteer per newcomer) on the expansion's rows and places (−1: none)."""
    start = np.full(len(x.urows), -1, dtype=np.int64)
    if before is None:
        return start
    vol = before[x.urows]
    rows = np.flatnonzero(vol >= 0)
    at = np.searchsorted(x.ucols, vol[rows])
    at = np.minimum(at, len(x.ucols) - 1)
    keep = x.ucols[at] == vol[rows]
    rows, col = rows[keep], at[keep]
    order = np.argsort(col, kind="stable")
    rows, col = rows[order], col[order]
    rank = np.arange(len(col)) - np.searchsorted(col, col)  # place number within the volunteer
    fit = rank < np.diff(x.offset)[col]
    start[rows[fit]] = x.offset[col[fit]] + rank[fit]
    return start


def _part(src: np.ndarray, dst: np.ndarray, cost: np.ndarray, src_in: np.ndarray,
          dst_in: np.ndarray, dst_price: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """The edges with both ends kept, as a full-matching problem over global indices: its
    sources, its destinations, and the solver's arguments (indptr, indices, costs, number
    of destinations, starting potentials −dst_price).

    Sources with fewer edges go first; the compiled shortest-path solver in ``_lap`` does the
    work (SciPy's LAPJVsp rescans all columns on every distance step: minutes at 100,000).
    """
    us, ud, indptr, col, cst = kernels.lap_module().part(src, dst, cost, src_in, dst_in)
    start = np.zeros(len(ud), dtype=np.int64) if dst_price is None else -dst_price[ud]
    return us, ud, (indptr, col, cst, len(ud), start)


def _matched(us: np.ndarray, ud: np.ndarray, out: tuple[np.ndarray, ...]
             ) -> tuple[np.ndarray, ...]:
    """A part's solution saturating every source: the sources, each one's matched
    destination and potential, then the destinations with their potentials."""
    x, v, u = out
    if (x < 0).any():  # pragma: no cover - the Dulmage–Mendelsohn parts always saturate
        raise RuntimeError("no full matching in a Dulmage–Mendelsohn part")
    return us, ud[x], u, ud, v


def solve_components(n: int, m: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                     w: np.ndarray) -> np.ndarray:
    """Solve the candidate graph component by component (small ones batched together)."""
    return solve_priced(n, m, cap, rows, cols, w)[0]


def _edge_components(n: int, m: int, rows: np.ndarray, cols: np.ndarray
                     ) -> tuple[int, np.ndarray]:
    """Number of connected components that hold an edge, and each edge's (0, 1, …)."""
    mod = kernels.cardinality_module() if len(rows) >= COMPILED_EDGES else None
    if mod is not None:
        return mod.edge_components(rows.astype(np.int64, copy=False),
                                   cols.astype(np.int64, copy=False), n, m)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, n + cols)), shape=(n + m, n + m))
    label = connected_components(graph, directed=False)[1]
    distinct, elabel = np.unique(label[rows], return_inverse=True)
    return len(distinct), elabel


def solve_priced(n: int, m: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                 w: np.ndarray, start: np.ndarray | None = None,
                 before: np.ndarray | None = None, memo: Memo | None = None
                 ) -> tuple[np.ndarray, np.ndarray | None]:
    """Like ``solve_components``, with optimal volunteer prices (None: some part was solved
    by a path that gives none — dense or SciPy). ``start``: volunteer prices to start the
    shortest-path searches from; ``before``: a volunteer per newcomer (−1: none) to start the
    maximum matching from (both last round's; any values give the same optimum); ``memo``:
    parts solved before, reused when they come back unchanged."""
    if not len(rows):
        return np.full(n, -1, dtype=np.int64), np.zeros(m, dtype=np.int64)
    ncomp, elabel = _edge_components(n, m, rows, cols)
    if ncomp <= 1:
        return _assign(n, m, cap, rows, cols, w, start, before, memo)
    sizes = np.bincount(elabel, minlength=ncomp)
    big = np.flatnonzero(sizes > COMPONENT_ROWS)
    match = np.full(n, -1, dtype=np.int64)
    price: np.ndarray | None = np.zeros(m, dtype=np.int64)
    groups = [elabel == c for c in big]
    groups.append(~np.isin(elabel, big))
    for sel in groups:
        if sel.any():
            part, part_price = _assign(n, m, cap, rows[sel], cols[sel], w[sel], start, before,
                                       memo)
            hit = part >= 0
            match[hit] = part[hit]
            if price is not None and part_price is not None:
                own = np.zeros(m, dtype=bool)
                own[cols[sel]] = True
                price[own] = part_price[own]
            else:
                price = None
    return match, price
