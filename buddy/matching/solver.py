"""Exact max-cardinality, max-score b-matching: direct solve or prune–solve–certify."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import kernels
from .assignment import Memo, solve_components, solve_priced
from .feasibility import Encoded

Progress = Callable[[str], None]
BLOCK_ELEMENTS = 1 << 21  # pairs evaluated per vectorised block
DIRECT_PAIRS = 2_000_000  # up to this many pairs: take every feasible pair, no certificate
CANDIDATES_K = 12  # best candidates kept per newcomer
COLUMN_K = 2  # best newcomers kept per volunteer in the first scan
VIOLATORS_K = 32  # best violating pairs added per newcomer and round (fewer rounds)
VIOLATOR_BUDGET = 1_500_000  # … fewer per newcomer when many violate (memory, solve time)
START_SHARE = 0.5  # start the searches from last round's prices when at most this share
# of rows violated (earlier the prices are too far off to help)
WARM_SHARE = 1 / 200  # re-optimise warm (numba) when at most this share of rows violated
WARM_WORK = 200_000_000  # … and violated rows × graph nodes stays below this (else cold)
NEG = np.int64(np.iinfo(np.int64).min // 4)


@dataclass(slots=True)
class Outcome:
    """Raw solver output: volunteer index per newcomer row (-1 = none) and statistics."""

    match: np.ndarray
    has_feasible: np.ndarray
    feasible_pairs: int
    candidate_pairs: int
    rounds: int
    certified: bool


def _blocks(n: int, m: int) -> list[tuple[int, int]]:
    step = max(1, BLOCK_ELEMENTS // max(m, 1))
    return [(r, min(n, r + step)) for r in range(0, n, step)]


def _unique_keys(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a sort: numpy's hashing ``unique`` is slower on large int64)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def _missing(found: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Sorted distinct entries of ``found`` that are not in the sorted array ``keys``."""
    found = _unique_keys(found)
    if not len(keys):
        return found
    at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)
    return found[keys[at] != found]


def _potentials(
    n: int, m: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray,
    match: np.ndarray, hint: np.ndarray | None = None,
) -> np.ndarray:
    """Smallest optimal volunteer duals p ≥ 0: shortest distances in the residual graph, by
    one compiled Dijkstra when ``hint`` (any optimal prices, e.g. the solver's) is optimal
    with ``match`` (checked), else by a vectorised Bellman–Ford. Both give the same prices."""
    mod = kernels.duals_module()
    if hint is not None and mod is not None:
        p = mod.smallest_prices(rows.astype(np.int64, copy=False),
                                cols.astype(np.int64, copy=False), w.astype(np.int64),
                                match.astype(np.int64, copy=False),
                                cap.astype(np.int64, copy=False), hint.astype(np.int64))
        if len(p) == m:
            return p
    t = n + m
    matched_edge = match[rows] == cols
    load = np.bincount(match[match >= 0], minlength=m)
    is_matched = match >= 0
    allr, allv = np.arange(n), np.arange(m)
    src = np.concatenate((
        rows[~matched_edge], n + cols[matched_edge], np.full((~is_matched).sum(), t),
        allr[is_matched], n + allv[load < cap], np.full((load > 0).sum(), t),
    ))
    dst = np.concatenate((
        n + cols[~matched_edge], rows[matched_edge], allr[~is_matched],
        np.full(is_matched.sum(), t), np.full((load < cap).sum(), t), n + allv[load > 0],
    ))
    cost = np.concatenate((
        -w[~matched_edge], w[matched_edge], np.zeros(len(src) - len(rows), dtype=np.int64),
    ))
    d = _bellman_ford(t, src, dst, cost)
    return np.maximum(0, d[t] - d[n : n + m])


def _bellman_ford(t: int, src: np.ndarray, dst: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Distances from a virtual source joined to every node by a 0-cost arc."""
    order = np.argsort(dst, kind="stable")
    src, dst, cost = src[order], dst[order], cost[order]
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    targets = dst[starts]
    d = np.zeros(t + 1, dtype=np.int64)
    for _ in range(t + 2):
        best = np.minimum.reduceat(d[src] + cost, starts)
        improve = best < d[targets]
        if not improve.any():
            return d
        d[targets[improve]] = best[improve]
    raise RuntimeError("negative cycle: candidate solution is not optimal")  # pragma: no cover


class _Certificate:
    """Incremental check that no non-candidate pair beats the current duals.

    Invariant: every non-candidate pair (i, v) has value (score + bonus) − p_at[seen[i]][v]
    ≤ bound[i], the best value row i's last check left out (its best non-violating pair, or
    its best violator beyond the kv it added). Rows whose dual is below their bound are
    checked against every column; for the others only columns whose price fell below their
    group's reference are checked, after which the reference takes the lower price and the
    bound the best value left out there.
    """

    def __init__(self, enc: Encoded, active: np.ndarray, usable: np.ndarray, smax: np.ndarray,
                 compiled: bool, bound: np.ndarray | None = None) -> None:
        """``bound``: each row's best value outside the first candidates at price 0 (prices
        never go below 0), which spares the first pass every row whose dual beats it."""
        self.enc, self.active, self.usable, self.smax = enc, active, usable, smax
        self.compiled = compiled
        self.seen = np.full(enc.n, -1, dtype=np.int64)
        self.bound = np.zeros(enc.n, dtype=np.int64)
        self.p_at: dict[int, np.ndarray] = {}
        if bound is not None:
            self.seen[:], self.bound[:] = 0, bound
            self.p_at[0] = np.zeros(enc.m, dtype=np.int64)

    def check(self, rounds: int, cur: np.ndarray, p: np.ndarray, big: int, kv: int,
              keys: np.ndarray, say: Progress) -> tuple[np.ndarray, int, int]:
        """Flagged pairs (keys row·m + col), rows checked in full, columns re-checked."""
        enc, active, m = self.enc, self.active, self.enc.m
        bigp = np.where(self.usable, big - p, NEG)
        full = active & ((self.seen < 0) | (cur < self.bound))
        kptr = kernels.key_starts(keys, enc.n, m) if self.compiled else None
        whole = kernels.certify(enc, full, bigp, self.smax, cur, kv, self.compiled,
                                BLOCK_ELEMENTS, say, keys=keys, kptr=kptr)
        found = [whole]
        ncols = 0
        for t, pt in self.p_at.items():
            group = active & ~full & (self.seen == t)
            lowered = np.flatnonzero(self.usable & (p < pt))
            if group.any() and len(lowered):
                ncols += len(lowered)
                f = kernels.certify(enc, group, bigp, self.smax, cur, kv, self.compiled,
                                    BLOCK_ELEMENTS, say, cols=lowered, keys=keys, kptr=kptr)
                found.append(f)
                self.bound[group] = np.maximum(self.bound[group], f.best[group])
                pt[lowered] = p[lowered]
        self.seen[full], self.bound[full] = rounds, whole.best[full]
        self.p_at[rounds] = p.copy()
        self.p_at = {t: pt for t, pt in self.p_at.items() if (self.seen == t).any()}
        flagged = np.concatenate([f.rows * m + f.cols for f in found])
        return flagged, int(full.sum()), ncols


def optimise(
    enc: Encoded,
    active: np.ndarray,
    cap: np.ndarray,
    progress: Progress | None = None,
    k: int | None = None,
) -> Outcome:
    """Exact optimum over the newcomers with ``active`` True and volunteer capacities ``cap``."""
    n, m = enc.n, enc.m
    k = CANDIDATES_K if k is None else k
    say = progress or (lambda _msg: None)
    usable = cap > 0
    big = enc.max_pair_int * max(1, min(int(active.sum()), int(cap.sum()))) + 1
    if int(active.sum()) * m <= DIRECT_PAIRS:
        return _direct(enc, active, usable, cap, big)
    compiled = kernels.use_numba(n * m)
    t0 = time.perf_counter()
    first = kernels.scan(enc, active, usable, k, COLUMN_K, compiled, BLOCK_ELEMENTS, say)
    # greedy matchings seed the candidates with a near-maximum matching; when places are
    # scarce a second one, different enough that the first round's optimum is already close
    # (fewer, smaller rounds; with places to spare it costs more than it saves)
    seeds = [first.rows * m + first.cols]
    match = kernels.greedy(enc, active, cap, first, compiled)
    greedy = [match]
    if int(cap[usable].sum()) < int(active.sum()):
        greedy.append(kernels.greedy(enc, active, cap, first, compiled, most_first=True))
    for g in greedy:
        took = np.flatnonzero(g >= 0)
        seeds.append(took * m + g[took])
    keys = _unique_keys(np.concatenate(seeds))
    say(f"scan done ({time.perf_counter() - t0:.1f}s), {len(keys):,} candidates")
    rounds = 0
    p = None
    violated = n
    rest = np.where(first.rest > NEG, first.rest + big, NEG)
    cert = _Certificate(enc, active, usable, first.smax, compiled, rest)
    memo = Memo()
    w = _pair_weights(enc, keys // m, keys % m) + big
    while True:
        rounds += 1
        rows, cols = keys // m, keys % m
        if violated:
            match, p = _resolve(n, m, cap, rows, cols, w, match, p, violated, rounds, say, memo)
        t1 = time.perf_counter()
        cur = np.zeros(n, dtype=np.int64)
        sel = np.flatnonzero(match >= 0)
        cur[sel] = _pair_weights(enc, sel, match[sel]) + big - p[match[sel]]
        kv = max(k, min(VIOLATORS_K, VIOLATOR_BUDGET // max(violated, 1)))
        found, nfull, ncols = cert.check(rounds, cur, p, big, kv, keys, say)
        new = _missing(found, keys)
        nr, nc = new // m, new % m
        nw = _pair_weights(enc, nr, nc) + big
        truly = nw - p[nc] > cur[nr]
        violated = len(_unique_keys(nr[truly]))
        say(f"round {rounds}: certified {nfull:,} rows in full, {ncols:,} columns "
            f"again ({time.perf_counter() - t1:.1f}s; {time.perf_counter() - t0:.1f}s in all), "
            f"{violated:,} rows violated")
        if not len(new):  # nothing beats the duals anywhere: certified
            break
        keys, w = _merge(keys, w, new, nw)
    count = first.count
    return Outcome(match, count > 0, int(count.sum()), len(keys), rounds, True)


def _merge(
    keys: np.ndarray, w: np.ndarray, new: np.ndarray, nw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted union of candidate keys (``new`` disjoint from ``keys``) with their weights."""
    at = np.searchsorted(keys, new)
    return np.insert(keys, at, new), np.insert(w, at, nw)


def _resolve(
    n: int, m: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray,
    match: np.ndarray | None, p: np.ndarray | None, violated: int, rounds: int, say: Progress,
    memo: Memo | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Optimal matching and volunteer duals of the candidate graph (warm when few rows moved)."""
    t1 = time.perf_counter()
    say(f"round {rounds}: solving {len(rows):,} candidate pairs")
    if p is not None and violated <= WARM_SHARE * n and violated * (n + m) <= WARM_WORK:
        warm = _warm_start(n, cap, rows, cols, w, match, p)
        if warm is not None:
            say(f"round {rounds}: warm re-solve of {warm[2]:,} rows "
                f"{time.perf_counter() - t1:.1f}s")
            return warm[0], warm[1]
    start = p if violated <= START_SHARE * n else None
    match, hint = solve_priced(n, m, cap, rows, cols, w, start, match, memo)
    t2 = time.perf_counter()
    p = _potentials(n, m, cap, rows, cols, w, match, hint)  # checks the hint first
    say(f"round {rounds}: solve {t2 - t1:.1f}s, duals {time.perf_counter() - t2:.1f}s")
    return match, p


def _warm_start(
    n: int, cap: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray,
    match: np.ndarray | None, p: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Re-optimise the previous round's optimum on the enlarged candidate graph (numba).

    Returns None when there is no previous optimum or numba is missing. The result is checked
    to be an optimal primal–dual pair on the candidates (capacities, complementary slackness,
    dual feasibility); if the check fails the caller solves from scratch.
    """
    mod = kernels.warm_module()
    if match is None or p is None or mod is None:
        return None
    new = match.copy()
    rptr = np.searchsorted(rows, np.arange(n + 1)).astype(np.int64)
    cap64 = cap.astype(np.int64)
    p2, freed = mod.warm(rptr, cols.astype(np.int64), w, cap64, new, p.astype(np.int64))
    if freed < 0 or not _is_optimal_pair(cap64, rows, cols, w, new, p2):
        return None
    return new, p2, int(freed)


def _is_optimal_pair(
    cap: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray, match: np.ndarray,
    p: np.ndarray,
) -> bool:
    """Whether (match, p) is an optimal primal–dual pair of the candidate b-matching."""
    sel = np.flatnonzero(match >= 0)
    load = np.bincount(match[sel], minlength=len(cap))
    if (match < -1).any() or (load > cap).any() or ((p > 0) & (load < cap)).any() or (p < 0).any():
        return False
    tight = match[rows] == cols
    if int(tight.sum()) != len(sel):
        return False
    u = np.zeros(len(match), dtype=np.int64)
    u[rows[tight]] = w[tight] - p[cols[tight]]
    return bool((u >= 0).all() and (w - p[cols] <= u[rows]).all())


def _direct(
    enc: Encoded, active: np.ndarray, usable: np.ndarray, cap: np.ndarray, big: int
) -> Outcome:
    """Small instances: take every feasible pair and solve once (nothing to certify)."""
    n, m = enc.n, enc.m
    has_feasible = np.zeros(n, dtype=bool)
    feasible_pairs = 0
    erows, ecols, ew = [], [], []
    for r0, r1 in _blocks(n, m):
        ok, score = enc.block(r0, r1)
        has_feasible[r0:r1] = ok.any(axis=1)
        feasible_pairs += int(np.count_nonzero(ok))
        ok &= usable[None, :] & active[r0:r1, None]
        ii, jj = np.nonzero(ok)
        erows.append(ii + r0)
        ecols.append(jj)
        ew.append(score[ii, jj].astype(np.int64) + big)
    rows = np.concatenate(erows) if erows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(ecols) if ecols else np.zeros(0, dtype=np.int64)
    w = np.concatenate(ew) if ew else np.zeros(0, dtype=np.int64)
    match = solve_components(n, m, cap, rows, cols, w)
    return Outcome(match, has_feasible, feasible_pairs, len(rows), 1, True)


def _pair_weights(enc: Encoded, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Integer scores of the given pairs (assumed feasible), in solver units."""
    out = np.empty(len(rows), dtype=np.int64)
    step = 1 << 20
    for s in range(0, len(rows), step):
        r, c = rows[s : s + step], cols[s : s + step]
        other = enc.nl[r] & enc.vl[c]
        other[:, 0] &= np.uint64(~1 & 0xFFFFFFFFFFFFFFFF)
        lang = (other != 0).any(axis=1)
        pop = np.bitwise_count(enc.ns[r] & enc.vs[c])
        inp = enc.inp_table[enc.nd[r], c] & ((enc.nm[r] & 1) != 0)
        val = np.where(inp, enc.place_table[enc.nd[r], c], 0).astype(np.int64)
        val += enc.time_int[np.minimum(pop, 3)] + lang * enc.lang_int + enc.wait_int[r]
        out[s : s + step] = val
    return out
