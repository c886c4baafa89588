"""numba-compiled pair kernels (imported lazily by ``kernels``; needs numba)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

NEG = np.iinfo(np.int64).min // 4


@njit(inline="always", cache=True)
def _score(c, base, t2, t3, extra):
    """Pair score from the common-slot mask c: base (waiting + one slot), the steps for a
    second and third common slot, and the language and place parts in ``extra``."""
    c2 = c & (c - 1)
    return base + t2 * (c2 != 0) + t3 * ((c2 & (c2 - 1)) != 0) + extra


@njit(inline="always", cache=True)
def _row(i, buf, vl0, nl, ns, n_inp, n_onl, ngc, wait, nd, vl, vs, v_onl, vgc,
         inp_table, place_table, gtab, time_int, lang_int, ex_ptr, ex_col):
    """Fill buf[j] with the integer score of pair (i, j), or -1 when a rule is broken."""
    m, words = vs.shape[0], nl.shape[1]
    nsi, nli, d = ns[i], nl[i, 0], nd[i]
    ninp, nonl, wi = n_inp[i], n_onl[i], wait[i]
    inp_row, place_row, g_row = inp_table[d], place_table[d], gtab[ngc[i]]
    t1, t2, t3 = time_int[1], time_int[2] - time_int[1], time_int[3] - time_int[2]
    for j in range(m):
        c = nsi & vs[j]
        sh = nli & vl0[j]
        other = (sh & ~np.int64(1)) != 0
        inp = ninp & inp_row[j]
        ok = (c != 0) & (sh != 0) & (inp | (nonl & v_onl[j])) & g_row[vgc[j]]
        s = _score(c, wi + t1, t2, t3, lang_int * other + place_row[j] * inp)
        buf[j] = s if ok else -1
    for w in range(1, words):  # more than 63 languages: add matches in the other words
        for j in range(m):
            if (nl[i, w] & vl[j, w]) == 0:
                continue
            c = nsi & vs[j]
            inp = ninp & inp_row[j]
            if c != 0 and (inp or (nonl and v_onl[j])) and g_row[vgc[j]]:
                buf[j] = _score(c, wi + t1, t2, t3, lang_int + place_row[j] * inp)
    for e in range(ex_ptr[i], ex_ptr[i + 1]):
        buf[ex_col[e]] = -1


@njit(inline="always", cache=True)
def _sparse_row(i, buf, cand, stamp, bptr, bidx, vl0, nl, ns, n_inp, n_onl, ngc, wait, nd,
                vs, v_onl, vgc, inp_table, place_table, gtab, time_int, lang_int, ex_ptr,
                ex_col):
    """For a newcomer below A2 (one language word): score only the volunteers sharing one
    of its languages (buckets per language bit). Returns how many columns went into cand;
    buf[j] holds their scores (−1: a rule is broken)."""
    nsi, nli, d = ns[i], nl[i, 0], nd[i]
    ninp, nonl, wi = n_inp[i], n_onl[i], wait[i]
    inp_row, place_row, g_row = inp_table[d], place_table[d], gtab[ngc[i]]
    t1, t2, t3 = time_int[1], time_int[2] - time_int[1], time_int[3] - time_int[2]
    tag = i + 1
    nc = 0
    bits = nli & ~np.int64(1)
    b = 0
    while bits != 0:
        if bits & 1:
            for q in range(bptr[b], bptr[b + 1]):
                j = bidx[q]
                if stamp[j] == tag:
                    continue
                stamp[j] = tag
                c = nsi & vs[j]
                inp = ninp & inp_row[j]
                ok = (c != 0) & (inp | (nonl & v_onl[j])) & g_row[vgc[j]]
                s = _score(c, wi + t1, t2, t3, lang_int + place_row[j] * inp)
                buf[j] = s if ok else -1
                cand[nc] = j
                nc += 1
        bits = (bits >> 1) & np.int64(0x7FFFFFFFFFFFFFFF)
        b += 1
    for e in range(ex_ptr[i], ex_ptr[i + 1]):
        buf[ex_col[e]] = -1
    return nc


@njit(inline="always", cache=True)
def _fill(i, one_word, buf, cand, stamp, bptr, bidx, vl0, nl, ns, n_inp, n_onl, ngc, wait,
          nd, vl, vs, v_onl, vgc, inp_table, place_table, gtab, time_int, lang_int, ex_ptr,
          ex_col):
    """Score row i: (True, m) with every column in buf, or (False, count) for the columns
    listed in cand (a newcomer below A2: only volunteers sharing one of its languages)."""
    if not one_word or (nl[i, 0] & 1) != 0:
        _row(i, buf, vl0, nl, ns, n_inp, n_onl, ngc, wait, nd, vl, vs, v_onl, vgc,
             inp_table, place_table, gtab, time_int, lang_int, ex_ptr, ex_col)
        return True, vs.shape[0]
    return False, _sparse_row(i, buf, cand, stamp, bptr, bidx, vl0, nl, ns, n_inp, n_onl,
                              ngc, wait, nd, vs, v_onl, vgc, inp_table, place_table, gtab,
                              time_int, lang_int, ex_ptr, ex_col)


@njit(cache=True)
def _buckets(vl0):
    """Volunteers by language bit (German, bit 0, excluded): CSR pointers and members."""
    m = vl0.shape[0]
    cnt = np.zeros(65, np.int64)
    for j in range(m):
        x = vl0[j] & ~np.int64(1)
        b = 0
        while x != 0:
            if x & 1:
                cnt[b + 1] += 1
            x = (x >> 1) & np.int64(0x7FFFFFFFFFFFFFFF)
            b += 1
    ptr = np.cumsum(cnt)
    fill = ptr[:-1].copy()
    idx = np.empty(ptr[-1], np.int64)
    for j in range(m):
        x = vl0[j] & ~np.int64(1)
        b = 0
        while x != 0:
            if x & 1:
                idx[fill[b]] = j
                fill[b] += 1
            x = (x >> 1) & np.int64(0x7FFFFFFFFFFFFFFF)
            b += 1
    return ptr, idx


@njit(inline="always", cache=True)
def _insert(vals, idx, row, k, v, x):
    """Insert (v, x) into the row's list sorted by value desc, then x asc (if it belongs)."""
    last = k - 1
    if v < vals[row, last] or (v == vals[row, last] and (idx[row, last] >= 0
                                                        and x > idx[row, last])):
        return
    p = last
    while p > 0 and (vals[row, p - 1] < v or (vals[row, p - 1] == v and idx[row, p - 1] > x)):
        vals[row, p] = vals[row, p - 1]
        idx[row, p] = idx[row, p - 1]
        p -= 1
    vals[row, p] = v
    idx[row, p] = x


@njit(parallel=True, cache=True)
def scan(nl, ns, n_inp, n_onl, ngc, wait, nd, active, vl, vs, v_onl, vgc, usable,
         inp_table, place_table, gtab, time_int, lang_int, ex_ptr, ex_col, k, kc, nchunks):
    """Counts, each row's top-k columns and each chunk's per-column top-kc rows."""
    n, m = ns.shape[0], vs.shape[0]
    count = np.zeros(n, np.int64)
    smax = np.full(n, NEG, np.int64)
    top_v = np.full((n, k), NEG, np.int64)
    top_c = np.full((n, k), -1, np.int64)
    col_v = np.full((nchunks * m, kc), NEG, np.int64)
    col_r = np.full((nchunks * m, kc), -1, np.int64)
    step = (n + nchunks - 1) // nchunks
    vl0 = np.ascontiguousarray(vl[:, 0])
    bptr, bidx = _buckets(vl0)
    one_word = nl.shape[1] == 1
    for ch in prange(nchunks):
        base = ch * m
        buf = np.empty(m, np.int64)
        cand = np.empty(m, np.int64)
        stamp = np.zeros(m, np.int64)
        for i in range(ch * step, min(n, (ch + 1) * step)):
            dense, nc = _fill(i, one_word, buf, cand, stamp, bptr, bidx, vl0, nl, ns, n_inp,
                              n_onl, ngc, wait, nd, vl, vs, v_onl, vgc, inp_table, place_table,
                              gtab, time_int, lang_int, ex_ptr, ex_col)
            cnt = 0
            act = active[i]
            for q in range(nc):
                j = q if dense else cand[q]
                s = buf[j]
                if s < 0:
                    continue
                cnt += 1
                if not (act and usable[j]):
                    continue
                if s > smax[i]:
                    smax[i] = s
                if k > 0:
                    _insert(top_v, top_c, i, k, s, j)
                if kc > 0 and s > col_v[base + j, kc - 1]:
                    _insert(col_v, col_r, base + j, kc, s, i)
            count[i] = cnt
    return count, smax, top_v, top_c, col_v, col_r


@njit(parallel=True, cache=True)
def certify(nl, ns, n_inp, n_onl, ngc, wait, nd, active, vl, vs, v_onl, vgc, bigp,
            inp_table, place_table, gtab, time_int, lang_int, ex_ptr, ex_col,
            smax, cur, kv, kptr, kcol, nchunks):
    """Each row's kv best columns with score + bigp[j] > cur[row] (bigp = NEG: unusable), and
    the best value ≤ cur[row] among the other columns; the row's candidate columns (kcol in
    kptr ranges, −1 = none) are skipped."""
    n, m = ns.shape[0], vs.shape[0]
    out_v = np.full((n, kv), NEG, np.int64)
    out_c = np.full((n, kv), -1, np.int64)
    nviol = np.zeros(n, np.int64)
    best = np.full(n, NEG, np.int64)
    top = NEG
    for j in range(m):
        if bigp[j] > top:
            top = bigp[j]
    step = (n + nchunks - 1) // nchunks
    vl0 = np.ascontiguousarray(vl[:, 0])
    bptr, bidx = _buckets(vl0)
    one_word = nl.shape[1] == 1
    for ch in prange(nchunks):
        buf = np.empty(m, np.int64)
        cand = np.empty(m, np.int64)
        stamp = np.zeros(m, np.int64)
        mark = np.zeros(m, np.int64)
        for i in range(ch * step, min(n, (ch + 1) * step)):
            if not active[i] or smax[i] == NEG:
                continue
            if smax[i] + top <= cur[i]:
                best[i] = smax[i] + top  # a bound: nothing here can beat the dual
                continue
            for q in range(kptr[i], kptr[i + 1]):
                if kcol[q] >= 0:
                    mark[kcol[q]] = i + 1
            dense, nc = _fill(i, one_word, buf, cand, stamp, bptr, bidx, vl0, nl, ns, n_inp,
                              n_onl, ngc, wait, nd, vl, vs, v_onl, vgc, inp_table, place_table,
                              gtab, time_int, lang_int, ex_ptr, ex_col)
            cnt = 0
            ci = cur[i]
            bi = NEG
            for q in range(nc):
                j = q if dense else cand[q]
                if buf[j] < 0 or mark[j] == i + 1 or bigp[j] == NEG:
                    continue
                val = buf[j] + bigp[j]
                if val > ci:
                    cnt += 1
                    _insert(out_v, out_c, i, kv, val, j)
                elif val > bi:
                    bi = val
            nviol[i] = cnt
            best[i] = bi
    return nviol, out_v, out_c, best
