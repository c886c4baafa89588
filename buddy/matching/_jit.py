"""numba-compiled pair kernels (imported lazily by ``kernels``; needs numba).

A newcomer who speaks German shares a language with every volunteer: its row is one pass over
all columns. Any other newcomer is compared only with the volunteers who share one of its
languages, listed per language bit. Each pass scores a pair and uses it at once (no row
buffer).
"""

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
def _context(i, nl, ns, n_inp, n_onl, ngc, wait, nd, inp_table, place_table, gtab, time_int):
    """What the rules and the score need of row i."""
    d = nd[i]
    return (ns[i], nl[i, 0], n_inp[i], n_onl[i], wait[i] + time_int[1],
            time_int[2] - time_int[1], time_int[3] - time_int[2], inp_table[d], place_table[d],
            gtab[ngc[i]])


@njit(inline="always", cache=True)
def _value(i, j, nl, vl, vl0, vs, v_onl, vgc, lang_int, nsi, nli, ninp, nonl, base, t2, t3,
           inp_row, place_row, g_row):
    """Integer score of pair (i, j), or −1 when the time, place or gender rule is broken (the
    caller knows that they share a language); the row's parts come from ``_context``."""
    c = nsi & vs[j]
    inp = ninp & inp_row[j]
    if c == 0 or not (inp | (nonl & v_onl[j])) or not g_row[vgc[j]]:
        return -1
    other = (nli & vl0[j] & ~np.int64(1)) != 0
    if nl.shape[1] > 1:  # more than 63 languages: the other words
        for w in range(1, nl.shape[1]):
            other |= (nl[i, w] & vl[j, w]) != 0
    return _score(c, base, t2, t3, lang_int * other + place_row[j] * inp)


@njit(cache=True)
def _buckets(vl):
    """Volunteers by language bit (German, bit 0 of word 0, left out): CSR pointers, members."""
    m, nbits = vl.shape[0], 64 * vl.shape[1]
    cnt = np.zeros(nbits + 1, np.int64)
    for rep in range(2):
        if rep == 1:
            ptr = np.cumsum(cnt)
            fill = ptr[:-1].copy()
            idx = np.empty(ptr[-1], np.int64)
        for j in range(m):
            for w in range(vl.shape[1]):
                x = vl[j, w] & ~np.int64(1) if w == 0 else vl[j, w]
                b = 64 * w
                while x != 0:
                    if x & 1:
                        if rep == 0:
                            cnt[b + 1] += 1
                        else:
                            idx[fill[b]] = j
                            fill[b] += 1
                    x = (x >> 1) & np.int64(0x7FFFFFFFFFFFFFFF)
                    b += 1
    return ptr, idx


@njit(inline="always", cache=True)
def _shared(i, tag, mark, cand, bptr, bidx, nl):
    """The volunteers sharing one of row i's languages other than German, into ``cand``
    (their count); columns with ``mark`` = tag are left out, the listed ones get −tag."""
    nc = 0
    for w in range(nl.shape[1]):
        bits = nl[i, w] & ~np.int64(1) if w == 0 else nl[i, w]
        b = 64 * w
        while bits != 0:
            if bits & 1:
                for q in range(bptr[b], bptr[b + 1]):
                    j = bidx[q]
                    if mark[j] != tag and mark[j] != -tag:
                        mark[j] = -tag
                        cand[nc] = j
                        nc += 1
            bits = (bits >> 1) & np.int64(0x7FFFFFFFFFFFFFFF)
            b += 1
    return nc


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


@njit(inline="always", cache=True)
def _scan_pair(i, j, s, act, usable, k, kc, base, smax, top_v, top_c, col_v, col_r):
    """Use a feasible pair in the scan (an active row and a usable column only)."""
    if not (act and usable[j]):
        return
    if s > smax[i]:
        smax[i] = s
    if k > 0:
        _insert(top_v, top_c, i, k, s, j)
    if kc > 0 and s > col_v[base + j, kc - 1]:
        _insert(col_v, col_r, base + j, kc, s, i)


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
    bptr, bidx = _buckets(vl)
    vl0 = np.ascontiguousarray(vl[:, 0])
    for ch in prange(nchunks):
        base = ch * m
        cand = np.empty(m, np.int64)
        mark = np.zeros(m, np.int64)
        for i in range(ch * step, min(n, (ch + 1) * step)):
            tag = i + 1
            for e in range(ex_ptr[i], ex_ptr[i + 1]):
                mark[ex_col[e]] = tag
            nsi, nli, ninp, nonl, wb, t2, t3, inp_row, place_row, g_row = _context(
                i, nl, ns, n_inp, n_onl, ngc, wait, nd, inp_table, place_table, gtab, time_int)
            act = active[i]
            cnt = 0
            if nl[i, 0] & 1:  # speaks German: every column
                for j in range(m):
                    s = _value(i, j, nl, vl, vl0, vs, v_onl, vgc, lang_int, nsi, nli, ninp,
                               nonl, wb, t2, t3, inp_row, place_row, g_row)
                    if s >= 0 and mark[j] != tag:
                        cnt += 1
                        _scan_pair(i, j, s, act, usable, k, kc, base, smax, top_v, top_c,
                                   col_v, col_r)
            else:
                for q in range(_shared(i, tag, mark, cand, bptr, bidx, nl)):
                    j = cand[q]
                    s = _value(i, j, nl, vl, vl0, vs, v_onl, vgc, lang_int, nsi, nli, ninp,
                               nonl, wb, t2, t3, inp_row, place_row, g_row)
                    if s >= 0:
                        cnt += 1
                        _scan_pair(i, j, s, act, usable, k, kc, base, smax, top_v, top_c,
                                   col_v, col_r)
            count[i] = cnt
    return count, smax, top_v, top_c, col_v, col_r


@njit(inline="always", cache=True)
def _check_pair(i, j, val, ci, kv, out_v, out_c, cnt, bi):
    """Use a pair's value in the certificate: a violator (kept among the row's kv best) or
    the best value left out so far. Returns the updated (count, best)."""
    if val > ci:
        _insert(out_v, out_c, i, kv, val, j)
        return cnt + 1, bi
    return cnt, max(bi, val)


@njit(parallel=True, cache=True)
def certify(nl, ns, n_inp, n_onl, ngc, wait, nd, active, vl, vs, v_onl, vgc, bigp,
            inp_table, place_table, gtab, time_int, lang_int, ex_ptr, ex_col,
            smax, cur, kv, keys, kptr, width, loc, nchunks):
    """Each row's kv best columns with score + bigp[j] > cur[row] (bigp = NEG: unusable), and
    the best value ≤ cur[row] among the other columns. The row's candidate pairs are skipped:
    keys row·width + column (sorted, row i's in kptr[i]:kptr[i+1]), column → local column in
    ``loc`` (−1: not in this pass)."""
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
    bptr, bidx = _buckets(vl)
    vl0 = np.ascontiguousarray(vl[:, 0])
    for ch in prange(nchunks):
        cand = np.empty(m, np.int64)
        mark = np.zeros(m, np.int64)
        for i in range(ch * step, min(n, (ch + 1) * step)):
            if not active[i] or smax[i] == NEG:
                continue
            if smax[i] + top <= cur[i]:
                best[i] = smax[i] + top  # a bound: nothing here can beat the dual
                continue
            tag = i + 1
            for q in range(kptr[i], kptr[i + 1]):
                c = loc[keys[q] - i * width]
                if c >= 0:
                    mark[c] = tag
            for e in range(ex_ptr[i], ex_ptr[i + 1]):
                mark[ex_col[e]] = tag
            nsi, nli, ninp, nonl, wb, t2, t3, inp_row, place_row, g_row = _context(
                i, nl, ns, n_inp, n_onl, ngc, wait, nd, inp_table, place_table, gtab, time_int)
            ci = cur[i]
            cnt, bi = 0, NEG
            if nl[i, 0] & 1:  # speaks German: every column
                for j in range(m):
                    s = _value(i, j, nl, vl, vl0, vs, v_onl, vgc, lang_int, nsi, nli, ninp,
                               nonl, wb, t2, t3, inp_row, place_row, g_row)
                    if s >= 0 and bigp[j] != NEG and mark[j] != tag:
                        cnt, bi = _check_pair(i, j, s + bigp[j], ci, kv, out_v, out_c, cnt, bi)
            else:
                for q in range(_shared(i, tag, mark, cand, bptr, bidx, nl)):
                    j = cand[q]
                    s = _value(i, j, nl, vl, vl0, vs, v_onl, vgc, lang_int, nsi, nli, ninp,
                               nonl, wb, t2, t3, inp_row, place_row, g_row)
                    if s >= 0 and bigp[j] != NEG:
                        cnt, bi = _check_pair(i, j, s + bigp[j], ci, kv, out_v, out_c, cnt, bi)
            nviol[i] = cnt
            best[i] = bi
    return nviol, out_v, out_c, best
