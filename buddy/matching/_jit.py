"""numba-compiled pair kernels (imported lazily by ``kernels``; needs numba).

Each row is one pass over all columns that writes every pair's value (or NEG when a rule is
broken) into a row buffer, without branches and with contiguous loads only, so the compiler
vectorises it (about 0.6 ns a pair on one core); in the scan a second branch-free pass
lists the feasible columns (about a tenth), and only those are ranked. Testing every column
was measured faster than walking per-language lists of columns, whose gathered loads cost
7–15 ns a pair. ``greedy`` seeds the candidates with a greedy matching built from the same
passes.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

NEG = np.iinfo(np.int64).min // 4


@njit(inline="always", cache=True)
def _languages(i, nl, vlt, lang):
    """For more than 63 languages: lang[j] = 1 if row i and column j share a language, +2 if
    one other than German (``vlt``: the volunteers' language words, word-major)."""
    m = lang.shape[0]
    for j in range(m):
        lang[j] = 0
    for w in range(nl.shape[1]):
        x = nl[i, w]
        xo = x & ~np.int64(1) if w == 0 else x
        for j in range(m):
            lang[j] |= np.int64((x & vlt[w, j]) != 0) | (np.int64((xo & vlt[w, j]) != 0) << 1)


@njit(inline="always", cache=True)
def _fill(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
          place_table, gbits, time_int, lang_int, add, buf, lang):
    """buf[j] = score of pair (i, j) + add[j], or NEG when a rule is broken or add[j] is NEG."""
    m = vs.shape[0]
    d = nd[i]
    inp_row, place_row = inp_table[d], place_table[d]
    nsi, ninp, nonl, gb = ns[i], n_inp[i], n_onl[i], gbits[ngc[i]]
    base = wait[i] + time_int[1]
    t2, t3 = time_int[2] - time_int[1], time_int[3] - time_int[2]
    one = nl.shape[1] == 1
    if not one:
        _languages(i, nl, vlt, lang)
    nli = nl[i, 0]
    nlo = nli & ~np.int64(1)
    for j in range(m):
        c = nsi & vs[j]
        inp = ninp & inp_row[j]
        if one:
            shared = (nli & vlt[0, j]) != 0
            other = (nlo & vlt[0, j]) != 0
        else:
            shared = (lang[j] & 1) != 0
            other = (lang[j] & 2) != 0
        ok = ((c != 0) & shared & (inp | (nonl & v_onl[j])) & (((gb >> vgc[j]) & 1) != 0)
              & (add[j] != NEG))
        c2 = c & (c - 1)
        v = (base + t2 * (c2 != 0) + t3 * ((c2 & (c2 - 1)) != 0) + lang_int * other
             + place_row[j] * inp + add[j])
        buf[j] = v if ok else NEG


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
def scan(nl, ns, n_inp, n_onl, ngc, wait, nd, active, vlt, vs, v_onl, vgc, usable,
         inp_table, place_table, gbits, time_int, lang_int, ex_ptr, ex_col, k, kc, nchunks):
    """Counts, each row's top-k columns and each chunk's per-column top-kc rows."""
    n, m = ns.shape[0], vs.shape[0]
    count = np.zeros(n, np.int64)
    smax = np.full(n, NEG, np.int64)
    top_v = np.full((n, k), NEG, np.int64)
    top_c = np.full((n, k), -1, np.int64)
    col_v = np.full((nchunks * m, kc), NEG, np.int64)
    col_r = np.full((nchunks * m, kc), -1, np.int64)
    # with kc = 0 no value passes the columns' thresholds
    col_thr = np.full(nchunks * m, NEG if kc > 0 else np.iinfo(np.int64).max, np.int64)
    step = (n + nchunks - 1) // nchunks
    zero = np.zeros(m, np.int64)
    for ch in prange(nchunks):
        base = ch * m
        buf = np.empty(m, np.int64)
        lang = np.empty(m, np.int64)
        idx = np.empty(m + 1, np.int64)
        for i in range(ch * step, min(n, (ch + 1) * step)):
            _fill(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
                  place_table, gbits, time_int, lang_int, zero, buf, lang)
            for e in range(ex_ptr[i], ex_ptr[i + 1]):
                buf[ex_col[e]] = NEG
            cnt = 0
            for j in range(m):  # the feasible columns, ascending, without a branch
                idx[cnt] = j
                cnt += buf[j] != NEG
            count[i] = cnt
            if not active[i]:
                continue
            best = NEG
            thr = top_v[i, k - 1]  # thresholds held apart from the lists: cheap loads
            for q in range(cnt):  # columns ascending: a tie never displaces an entry
                j = idx[q]
                if not usable[j]:
                    continue
                v = buf[j]
                best = max(best, v)
                if v > thr:
                    _insert(top_v, top_c, i, k, v, j)
                    thr = top_v[i, k - 1]
                if v > col_thr[base + j]:
                    _insert(col_v, col_r, base + j, kc, v, i)
                    col_thr[base + j] = col_v[base + j, kc - 1]
            smax[i] = best
    return count, smax, top_v, top_c, col_v, col_r


@njit(parallel=True, cache=True)
def certify(nl, ns, n_inp, n_onl, ngc, wait, nd, active, vlt, vs, v_onl, vgc, bigp,
            inp_table, place_table, gbits, time_int, lang_int, ex_ptr, ex_col,
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
    for ch in prange(nchunks):
        buf = np.empty(m, np.int64)
        lang = np.empty(m, np.int64)
        for i in range(ch * step, min(n, (ch + 1) * step)):
            if not active[i] or smax[i] == NEG:
                continue
            if smax[i] + top <= cur[i]:
                best[i] = smax[i] + top  # a bound: nothing here can beat the dual
                continue
            _fill(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
                  place_table, gbits, time_int, lang_int, bigp, buf, lang)
            for q in range(kptr[i], kptr[i + 1]):  # candidate and excluded pairs: left out
                c = loc[keys[q] - i * width]
                if c >= 0:
                    buf[c] = NEG
            for e in range(ex_ptr[i], ex_ptr[i + 1]):
                buf[ex_col[e]] = NEG
            ci = cur[i]
            cnt, bi = 0, NEG
            for j in range(m):
                v = buf[j]
                cnt += v > ci
                bi = max(bi, v if v <= ci else NEG)
            if cnt > 0:
                thr = max(ci, out_v[i, kv - 1])
                for j in range(m):  # columns ascending: a tie never displaces an entry
                    v = buf[j]
                    if v > thr:
                        _insert(out_v, out_c, i, kv, v, j)
                        thr = max(ci, out_v[i, kv - 1])
            nviol[i] = cnt
            best[i] = bi
    return nviol, out_v, out_c, best


@njit(cache=True)
def _open(rem, vlt, vs, v_onl, vgc, inp_table, place_table):
    """The columns with capacity left, and their column arrays compacted."""
    m = rem.shape[0]
    cnt = 0
    for j in range(m):
        cnt += rem[j] > 0
    idx = np.empty(cnt, np.int64)
    pos = np.full(m, -1, np.int64)
    cnt = 0
    for j in range(m):
        if rem[j] > 0:
            idx[cnt], pos[j] = j, cnt
            cnt += 1
    return (idx, pos, np.ascontiguousarray(vlt[:, idx]), vs[idx], v_onl[idx], vgc[idx],
            np.ascontiguousarray(inp_table[:, idx]), np.ascontiguousarray(place_table[:, idx]))


@njit(inline="always", cache=True)
def _fill_open(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
               place_table, gbits, time_int, lang_int, add, buf, lang, ex_ptr, ex_col, pos):
    """``_fill`` over the compacted open columns, with row i's excluded pairs struck."""
    _fill(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
          place_table, gbits, time_int, lang_int, add, buf, lang)
    for e in range(ex_ptr[i], ex_ptr[i + 1]):
        q = pos[ex_col[e]]
        if q >= 0:
            buf[q] = NEG


@njit(cache=True)
def _best_open(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
               place_table, gbits, time_int, lang_int, add, buf, lang, ex_ptr, ex_col, idx,
               pos):
    """Row i's best open column (value desc, column asc) over the compacted arrays; −1: none.
    A function of its own, not inlined: its loops then vectorise as the scan's do."""
    _fill_open(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
               place_table, gbits, time_int, lang_int, add, buf, lang, ex_ptr, ex_col, pos)
    best, at = NEG, -1
    for q in range(buf.shape[0]):
        if buf[q] > best:
            best, at = buf[q], q
    return idx[at] if at >= 0 else -1


@njit(parallel=True, cache=True)
def _lists(rows, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
           place_table, gbits, time_int, lang_int, add, ex_ptr, ex_col, idx, pos, size,
           nchunks):
    """Each given row's ``size`` best open columns (value desc, column asc; −1 padded), over
    the compacted arrays, in parallel; as column numbers."""
    nr, mc = rows.shape[0], idx.shape[0]
    out_v = np.full((nr, size), NEG, np.int64)
    out_c = np.full((nr, size), -1, np.int64)
    step = (nr + nchunks - 1) // nchunks
    for ch in prange(nchunks):
        buf = np.empty(mc, np.int64)
        lang = np.empty(mc, np.int64)
        for r in range(ch * step, min(nr, (ch + 1) * step)):
            i = rows[r]
            _fill_open(i, nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
                       place_table, gbits, time_int, lang_int, add, buf, lang, ex_ptr, ex_col,
                       pos)
            for q in range(mc):  # open columns ascending: a tie never displaces an entry
                v = buf[q]
                if v > out_v[r, size - 1]:
                    _insert(out_v, out_c, r, size, v, q)
        for r in range(ch * step, min(nr, (ch + 1) * step)):
            for t in range(size):
                if out_c[r, t] >= 0:
                    out_c[r, t] = idx[out_c[r, t]]
    return out_c


@njit(inline="always", cache=True)
def _first_open(lst, r, rem):
    """The first column of list row r with capacity left; −1 if none, −2 if the list is
    full and all of it is taken (the row's best open column lies beyond it)."""
    k = lst.shape[1]
    for q in range(k):
        c = lst[r, q]
        if c < 0 or rem[c] > 0:
            return c
    return -2 if k > 0 else -1


@njit(cache=True)
def greedy(nl, ns, n_inp, n_onl, ngc, wait, nd, vlt, vs, v_onl, vgc, inp_table,
           place_table, gbits, time_int, lang_int, ex_ptr, ex_col, order, top, rem, batch,
           size, nchunks):
    """Rows in ``order`` each take their best column (value desc, column asc) with capacity
    left in ``rem`` (decremented). ``top``: each row's best columns in that order (−1
    padded). A row whose list is all taken needs its best open column: for each batch of
    rows those are found in parallel up front (``size`` per row, over the columns open
    then, which are compacted again whenever a quarter have filled up); a row that finds
    all of them taken by the time its turn comes looks again on its own."""
    n = ns.shape[0]
    out = np.full(n, -1, np.int64)
    which = np.full(n, -1, np.int64)
    idx, pos, c_vlt, c_vs, c_onl, c_gc, c_inp, c_place = _open(
        rem, vlt, vs, v_onl, vgc, inp_table, place_table)
    add = np.zeros(idx.shape[0], np.int64)  # NEG once a column fills up
    buf = np.empty(idx.shape[0], np.int64)
    lang = np.empty(idx.shape[0], np.int64)
    filled = 0
    for b0 in range(0, order.shape[0], batch):
        rows = order[b0 : b0 + batch]
        need = np.empty(rows.shape[0], np.int64)
        nneed = 0
        for i in rows:
            if _first_open(top, i, rem) == -2:
                need[nneed] = i
                which[i] = nneed
                nneed += 1
        lists = _lists(need[:nneed], nl, ns, n_inp, n_onl, ngc, wait, nd, c_vlt, c_vs, c_onl, c_gc,
                       c_inp, c_place, gbits, time_int, lang_int, add, ex_ptr, ex_col, idx,
                       pos, size, nchunks)
        for i in rows:
            pick = _first_open(top, i, rem)
            if pick == -2 and which[i] >= 0:
                pick = _first_open(lists, which[i], rem)
            if pick == -2:
                pick = _best_open(i, nl, ns, n_inp, n_onl, ngc, wait, nd, c_vlt, c_vs, c_onl,
                                  c_gc, c_inp, c_place, gbits, time_int, lang_int, add, buf,
                                  lang, ex_ptr, ex_col, idx, pos)
            which[i] = -1
            if pick < 0:
                continue
            rem[pick] -= 1
            out[i] = pick
            if rem[pick] == 0 and pos[pick] >= 0:
                add[pos[pick]] = NEG
                filled += 1
        if 4 * filled > idx.shape[0] and idx.shape[0] > 64:
            idx, pos, c_vlt, c_vs, c_onl, c_gc, c_inp, c_place = _open(
                rem, vlt, vs, v_onl, vgc, inp_table, place_table)
            add = np.zeros(idx.shape[0], np.int64)
            buf = np.empty(idx.shape[0], np.int64)
            lang = np.empty(idx.shape[0], np.int64)
            filled = 0
    return out
