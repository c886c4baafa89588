"""Pair scans for prune–solve–certify: a compiled numba kernel or an identical numpy fallback.

Both paths select the same pairs: each row's best k columns by (value desc, column asc) and
each column's best rows by (value desc, row asc), so results never depend on the path.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .feasibility import IN_PERSON, ONLINE, Encoded

NEG = np.int64(np.iinfo(np.int64).min // 4)
MODE = os.environ.get("BUDDY_KERNEL", "auto")  # "auto", "numba" or "numpy"
# (MODE picks the scan kernels; the warm re-solve of late rounds uses numba whenever installed)
NUMBA_PAIRS = 2_000_000  # "auto" compiles only for scans of at least this many pairs
GREEDY_BATCH = 512  # rows of the greedy seed whose open columns are looked up in parallel
GREEDY_LIST = 8  # … keeping each row's best this many
_jit: ModuleType | None | bool = None


def numba_module() -> ModuleType | None:
    """The compiled kernels, or None when numba is not installed."""
    global _jit
    if _jit is None:
        try:
            from . import _jit as mod
        except ImportError:
            mod = None
        _jit = mod if mod is not None else False
    return _jit or None


def _compiled(name: str) -> ModuleType | None:
    """A numba-compiled module of this package, or None when numba is not installed."""
    if numba_module() is None:
        return None
    return importlib.import_module(f"{__package__}.{name}")


def warm_module() -> ModuleType | None:
    """The compiled warm-start re-optimiser, or None when numba is not installed."""
    return _compiled("_warm")


def cardinality_module() -> ModuleType | None:
    """The compiled maximum-matching kernels, or None when numba is not installed."""
    return _compiled("_cardinality")


def lap_module() -> ModuleType | None:
    """The compiled sparse assignment solver, or None when numba is not installed."""
    return _compiled("_lap")


def duals_module() -> ModuleType | None:
    """The compiled residual-graph distances, or None when numba is not installed."""
    return _compiled("_duals")


def use_numba(pairs: int) -> bool:
    """Whether a scan over ``pairs`` pairs runs compiled (per MODE and numba's presence)."""
    if MODE == "numpy":
        return False
    if MODE == "numba":
        if numba_module() is None:
            raise RuntimeError("BUDDY_KERNEL=numba but numba is not installed")
        return True
    return pairs >= NUMBA_PAIRS and numba_module() is not None


@dataclass(slots=True)
class Scan:
    """First scan: feasible counts, best usable score per row, initial candidate pairs, and
    each row's best usable score outside its k best (NEG: none) — a bound for the rest."""

    count: np.ndarray
    smax: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    rest: np.ndarray
    top: np.ndarray | None = None  # compiled: each row's best columns, best first (−1 pad)


def top_mask(key: np.ndarray, k: int) -> np.ndarray:
    """Per row, the k largest entries > NEG (ties: lower column first)."""
    c = key.shape[1]
    if c <= k:
        return key > NEG
    kth = np.partition(key, c - k, axis=1)[:, c - k][:, None]
    eq = key == kth
    need = k - np.count_nonzero(key > kth, axis=1)[:, None]
    return ((key > kth) | (eq & (np.cumsum(eq, axis=1) <= need))) & (key > NEG)


def _best_rows(val: np.ndarray, row: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per line, the k entries with the largest val (ties: smaller row)."""
    order = np.lexsort((row, -val), axis=1)[:, :k]
    return np.take_along_axis(val, order, axis=1), np.take_along_axis(row, order, axis=1)


def _args(enc: Encoded) -> tuple:
    """Arrays in the layout the compiled kernels expect (cached on the encoding)."""
    cached = getattr(enc, "_jit_args", None)
    if cached is not None:
        return cached
    n, m = enc.n, enc.m
    ex_rows = enc.excl // max(m, 1)
    ex_ptr = np.searchsorted(ex_rows, np.arange(n + 1)).astype(np.int64)
    args = (
        np.ascontiguousarray(enc.nl.view(np.int64)), enc.ns.astype(np.int64),
        (enc.nm & IN_PERSON) != 0, (enc.nm & ONLINE) != 0, enc.ngc.astype(np.int64),
        enc.wait_int.astype(np.int64), enc.nd.astype(np.int64),
        None,  # active, filled per call
        # column arrays as narrow as their values allow: a row's pass streams them all
        np.ascontiguousarray(enc.vl.view(np.int64).T), enc.vs.astype(np.int32),
        (enc.vm & ONLINE) != 0, enc.vgc.astype(np.int8),
        None,  # usable / bigp, filled per call
        np.ascontiguousarray(enc.inp_table), np.ascontiguousarray(enc.place_table, dtype=np.int32),
        _bits(enc.gender_table), enc.time_int.astype(np.int64), np.int64(enc.lang_int),
        ex_ptr, (enc.excl % max(m, 1)).astype(np.int64),
    )
    enc._jit_args = args  # type: ignore[attr-defined]
    return args


def _bits(table: np.ndarray) -> np.ndarray:
    """Each row of a boolean table (at most 63 columns) as one integer, bit j = column j."""
    return (table.astype(np.int64) << np.arange(table.shape[1], dtype=np.int64)).sum(axis=1)


def _chunks(n: int) -> int:
    import numba

    return max(1, min(n, 4 * numba.get_num_threads()))


def scan(enc: Encoded, active: np.ndarray, usable: np.ndarray, k: int, kc: int,
         compiled: bool, block: int, say=None) -> Scan:
    """Count feasible pairs; keep each active row's top k and each usable column's top kc."""
    n, m = enc.n, enc.m
    if compiled:
        a = list(_args(enc))
        a[7], a[12] = active, usable
        nch = _chunks(n)
        count, smax, top_v, top_c, col_v, col_r = numba_module().scan(*a, k + 1, kc, nch)
        rest = top_v[:, k]
        rr, rc = np.nonzero(top_c[:, :k] >= 0)
        rc = top_c[rr, rc]
        cv = col_v.reshape(nch, m, kc).transpose(1, 0, 2).reshape(m, nch * kc)
        cr = col_r.reshape(nch, m, kc).transpose(1, 0, 2).reshape(m, nch * kc)
    else:
        count = np.zeros(n, dtype=np.int64)
        smax = np.full(n, NEG, dtype=np.int64)
        rest = np.full(n, NEG, dtype=np.int64)
        rrs, rcs = [], []
        cv = np.full((m, 0), NEG, dtype=np.int64)
        cr = np.full((m, 0), -1, dtype=np.int64)
        step = max(1, block // max(m, 1))
        for r0 in range(0, n, step):
            r1 = min(n, r0 + step)
            ok, score = enc.block(r0, r1)
            count[r0:r1] = np.count_nonzero(ok, axis=1)
            ok &= usable[None, :] & active[r0:r1, None]
            key = np.where(ok, score.astype(np.int64), NEG)
            smax[r0:r1] = key.max(axis=1) if m else NEG
            if m > k:
                rest[r0:r1] = -np.partition(-key, k, axis=1)[:, k]
            ii, jj = np.nonzero(top_mask(key, k))
            rrs.append(ii + r0)
            rcs.append(jj)
            if kc:
                kt = key.T
                cand = np.argsort(-kt, axis=1, kind="stable")[:, :kc]
                cv = np.concatenate((cv, np.take_along_axis(kt, cand, axis=1)), axis=1)
                cr = np.concatenate((cr, cand + r0), axis=1)
                cv, cr = _best_rows(cv, cr, kc)
            if say and r1 < n:
                say(f"scan: {r1:,}/{n:,} newcomers")
        rr = np.concatenate(rrs) if rrs else np.zeros(0, dtype=np.int64)
        rc = np.concatenate(rcs) if rcs else np.zeros(0, dtype=np.int64)
    if kc and m:
        cv, cr = _best_rows(cv, cr, kc)
        good = cv > NEG
        cj = np.broadcast_to(np.arange(m)[:, None], cv.shape)
        rr = np.concatenate((rr, cr[good]))
        rc = np.concatenate((rc, cj[good]))
    return Scan(count, smax, rr.astype(np.int64), rc.astype(np.int64), rest,
                top_c if compiled else None)


def greedy(enc: Encoded, active: np.ndarray, cap: np.ndarray, first: Scan, compiled: bool,
           most_first: bool = False) -> np.ndarray:
    """A greedy b-matching (column per row, −1: none): rows with the fewest feasible pairs
    first (``most_first``: the most), then by index, each takes its best usable column
    (value desc, column asc) with capacity left. It seeds the candidates with a near-maximum
    matching."""
    n = enc.n
    rem = cap.astype(np.int64)
    order = np.flatnonzero(active & (first.smax > NEG))
    count = first.count[order]
    order = order[np.argsort(-count if most_first else count, kind="stable")]
    if compiled and first.top is not None:
        a = _args(enc)
        return numba_module().greedy(*a[:7], *a[8:12], *a[13:], order, first.top, rem,
                                     GREEDY_BATCH, GREEDY_LIST, _chunks(len(order)))
    out = np.full(n, -1, dtype=np.int64)
    for i in order:
        ok, score = enc.block(int(i), int(i) + 1)
        key = np.where(ok[0] & (rem > 0), score[0].astype(np.int64), NEG)
        j = int(key.argmax())
        if key[j] > NEG:
            rem[j] -= 1
            out[i] = j
    return out


@dataclass(slots=True)
class Found:
    """Pairs a certify pass flagged: per-row counts, each row's best flagged pairs (at most
    kv), and per row the best value among the checked non-candidate pairs it did not flag
    (NEG: none) — a bound for everything it left out."""

    nviol: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    best: np.ndarray


def _local(m: int, cols: np.ndarray | None) -> np.ndarray:
    """Each column's number within ``cols`` (−1: not there; all columns when None)."""
    if cols is None:
        return np.arange(m, dtype=np.int64)
    loc = np.full(m, -1, dtype=np.int64)
    loc[cols] = np.arange(len(cols))
    return loc


def _exclusions(enc: Encoded, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row excluded pairs (CSR) with column numbers local to ``cols`` (others dropped)."""
    width = max(enc.m, 1)
    kr, kc = enc.excl // width, _local(width, cols)[enc.excl % width]
    keep = kc >= 0
    kr, kc = kr[keep], kc[keep]
    return np.searchsorted(kr, np.arange(enc.n + 1)).astype(np.int64), kc.astype(np.int64)


def key_starts(keys: np.ndarray, n: int, m: int) -> np.ndarray:
    """Where each row's pairs start among sorted keys row·m + column (n + 1 entries)."""
    return np.searchsorted(keys, np.arange(n + 1, dtype=np.int64) * max(m, 1)).astype(np.int64)


def certify(enc: Encoded, active: np.ndarray, bigp: np.ndarray, smax: np.ndarray,
            cur: np.ndarray, kv: int, compiled: bool, block: int, say=None,
            cols: np.ndarray | None = None, keys: np.ndarray | None = None,
            kptr: np.ndarray | None = None) -> Found:
    """Pairs with score + bigp[col] > cur[row]; each active row's count and kv best of them.

    ``cols`` (sorted) limits the pass to those columns; pairs in ``keys`` (sorted candidate
    keys) are skipped; ``kptr``, where each row's keys start, is found when not given.
    """
    n, m = enc.n, enc.m
    sel = np.arange(m) if cols is None else cols
    keys = np.zeros(0, dtype=np.int64) if keys is None else keys
    if compiled:
        a = list(_args(enc))
        a[7] = active
        if cols is None:
            a[12] = bigp
        else:
            a[8] = np.ascontiguousarray(a[8][:, cols])
            a[9], a[10], a[11] = (np.ascontiguousarray(x[cols]) for x in a[9:12])
            a[12] = np.ascontiguousarray(bigp[cols])
            a[13] = np.ascontiguousarray(a[13][:, cols])
            a[14] = np.ascontiguousarray(a[14][:, cols])
            a[18], a[19] = _exclusions(enc, cols)
        width = max(m, 1)
        if kptr is None:
            kptr = key_starts(keys, n, m)
        nviol, out_v, out_c, best = numba_module().certify(
            *a, smax, cur, kv + 1, keys.astype(np.int64, copy=False), kptr,
            np.int64(width), _local(m, cols), _chunks(n))
        more = nviol > kv
        best[more] = out_v[more, kv]  # the best violator left out
        ii, jj = np.nonzero(out_c[:, :kv] >= 0)
        return Found(nviol, ii.astype(np.int64), sel[out_c[ii, jj]].astype(np.int64), best)
    nviol = np.zeros(n, dtype=np.int64)
    best = np.full(n, NEG, dtype=np.int64)
    usable = bigp[sel] > NEG
    loc = _local(max(m, 1), cols)
    rrs, rcs = [], []
    step = max(1, block // max(len(sel), 1))
    for r0 in range(0, n, step):
        r1 = min(n, r0 + step)
        ok, score = enc.block(r0, r1, cols)
        ok &= usable[None, :] & active[r0:r1, None]
        lo, hi = np.searchsorted(keys, [r0 * m, r1 * m])
        kr, kc = keys[lo:hi] // m - r0, loc[keys[lo:hi] % m]
        ok[kr[kc >= 0], kc[kc >= 0]] = False
        val = np.where(ok, score.astype(np.int64) + bigp[sel][None, :], NEG)
        viol = val > cur[r0:r1, None]
        nviol[r0:r1] = np.count_nonzero(viol, axis=1)
        fine = np.where(viol, NEG, val)
        best[r0:r1] = fine.max(axis=1) if len(sel) else NEG
        bad = np.flatnonzero(nviol[r0:r1])
        if len(bad):
            key = np.where(viol[bad], val[bad], NEG)
            ii, jj = np.nonzero(top_mask(key, kv))
            rrs.append(bad[ii] + r0)
            rcs.append(sel[jj])
            more = nviol[r0:r1][bad] > kv
            if more.any():  # the best violator left out
                best[r0 + bad[more]] = -np.partition(-key[more], kv, axis=1)[:, kv]
        if say and r1 < n:
            say(f"certify: {r1:,}/{n:,} newcomers")
    # as the compiled pass: a row that cannot beat its dual anywhere keeps a bound only
    top = bigp[sel].max() if len(sel) else NEG
    easy = active & (smax > NEG) & (smax + top <= cur)
    best[easy] = smax[easy] + top
    if not rrs:
        return Found(nviol, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), best)
    return Found(nviol, np.concatenate(rrs).astype(np.int64),
                 np.concatenate(rcs).astype(np.int64), best)
