"""The candidate-graph solver: maximum matching, Dulmage–Mendelsohn split, all paths agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import (
    connected_components,
    maximum_bipartite_matching,
    min_weight_full_bipartite_matching,
)
from test_matching_warm import random_graph

from buddy.matching import assignment, kernels, solver

mod = kernels.cardinality_module()
needs_numba = pytest.mark.skipif(mod is None, reason="numba is not installed")


def _solve(monkeypatch: pytest.MonkeyPatch, path: str, *graph) -> np.ndarray:
    with monkeypatch.context() as mp:
        mp.setattr(assignment, "DENSE_CELLS", 10**9 if path == "dense" else 0)
        if path == "unmatched-columns":
            mp.setattr(kernels, "cardinality_module", lambda: None)
        return assignment.solve_components(*graph)


@needs_numba
@pytest.mark.parametrize("seed", range(60))
def test_split_solution_is_optimal_and_agrees_with_the_other_paths(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 60)), int(rng.integers(3, 40))
    rows, cols, w, cap = random_graph(rng, n, m, float(rng.uniform(0.03, 0.4)))
    graph = (n, m, cap, rows, cols, w)
    found = {p: _solve(monkeypatch, p, *graph) for p in ("split", "unmatched-columns", "dense")}
    split = found["split"]
    sel = np.flatnonzero(split >= 0)
    assert (np.bincount(split[sel], minlength=m) <= cap).all()
    on_edge = set(zip(rows.tolist(), cols.tolist(), strict=True))
    assert all((int(i), int(split[i])) in on_edge for i in sel)
    # an optimal primal–dual pair exists for it (Bellman–Ford raises on a negative cycle)
    p = solver._potentials(n, m, cap, rows, cols, w, split)
    assert solver._is_optimal_pair(cap, rows, cols, w, split, p)
    # with the solver's cardinality bonus (more than any total score) the parts' own duals
    # are optimal prices of the whole: no Bellman–Ford needed …
    score = w - 100
    wb = score + int(score.max()) * n + 1
    with monkeypatch.context() as mp:
        mp.setattr(assignment, "DENSE_CELLS", 0)
        again, price = assignment.solve_priced(n, m, cap, rows, cols, wb)
    assert price is not None
    assert solver._is_optimal_pair(cap, rows, cols, wb, again, price)
    # … and from them one Dijkstra finds the same (minimal) prices as Bellman–Ford
    fast = solver._potentials(n, m, cap, rows, cols, wb, again, hint=price)
    slow = solver._potentials(n, m, cap, rows, cols, wb, again)
    assert (fast == slow).all()
    # a hint that is not optimal is refused by the compiled check, and the prices stay right
    for j in np.flatnonzero(cap > 0)[:1]:  # a price on a place left free, or above a gain
        wrong = price.copy()
        wrong[j] += 1 + int(wb.max())
        args = (rows, cols, wb, again, cap, wrong)
        refused = kernels.duals_module().smallest_prices(*(a.astype(np.int64) for a in args))
        assert len(refused) == 0
        assert (solver._potentials(n, m, cap, rows, cols, wb, again, hint=wrong) == slow).all()
    # searches started from other prices (last round's) reach the same optimum, proven
    with monkeypatch.context() as mp:
        mp.setattr(assignment, "DENSE_CELLS", 0)
        guess = rng.integers(0, 3 * int(score.max()) + 1, m)
        warm, warm_price = assignment.solve_priced(n, m, cap, rows, cols, wb, guess)
        # … and so do maximum matchings started from last round's matching (or from junk)
        befores = [again, rng.integers(-1, m, n)]
        started = [assignment.solve_priced(n, m, cap, rows, cols, wb, guess, b) for b in befores]
    assert warm_price is not None
    assert solver._is_optimal_pair(cap, rows, cols, wb, warm, warm_price)
    assert int(wb[warm[rows] == cols].sum()) == int(wb[again[rows] == cols].sum())
    for match, price in started:
        assert price is not None and solver._is_optimal_pair(cap, rows, cols, wb, match, price)
        assert int(wb[match[rows] == cols].sum()) == int(wb[again[rows] == cols].sum())
    values = {k: int(w[v[rows] == cols].sum()) for k, v in found.items()}
    counts = {k: int((v >= 0).sum()) for k, v in found.items()}
    assert len(set(values.values())) == 1, values
    assert len(set(counts.values())) == 1, counts


@needs_numba
@pytest.mark.parametrize("seed", range(30))
def test_maximum_matching_and_its_left_out_part(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nr, nc = int(rng.integers(1, 80)), int(rng.integers(1, 80))
    dense = rng.random((nr, nc)) < rng.uniform(0.01, 0.2)
    graph = sp.csr_matrix(dense.astype(np.int8))
    indptr, indices = graph.indptr.astype(np.int64), graph.indices.astype(np.int64)
    mr, mc = mod.max_matching(indptr, indices, nc, np.full(nr, -1, dtype=np.int64))
    reference = maximum_bipartite_matching(graph, perm_type="column")
    assert (mr >= 0).sum() == (reference >= 0).sum()
    # from any start — a matching, clashing or non-edge entries — just as large and valid
    starts = [np.where(rng.random(nr) < 0.5, mr, -1), rng.integers(-1, nc, nr)]
    for start in starts:
        mr2, mc2 = mod.max_matching(indptr, indices, nc, start)
        hit2 = np.flatnonzero(mr2 >= 0)
        assert len(hit2) == (reference >= 0).sum()
        assert dense[hit2, mr2[hit2]].all() and (mc2[mr2[hit2]] == hit2).all()
        assert (mc2 >= 0).sum() == len(hit2)
    hit = np.flatnonzero(mr >= 0)
    assert dense[hit, mr[hit]].all() and (mc[mr[hit]] == hit).all()
    row_out, col_out = mod.alternating_reach(indptr, indices, mr, mc)
    assert row_out[mr < 0].all()
    assert (mc[col_out] >= 0).all()  # no augmenting path: every reached column is taken
    assert row_out[mc[col_out]].all()
    # the reached rows' neighbours are exactly the reached columns
    assert (dense[row_out].any(axis=0) == col_out).all()


@needs_numba
@pytest.mark.parametrize("seed", range(40))
def test_shortest_path_assignment_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nr, nc = sorted(int(v) for v in rng.integers(1, 60, 2))
    edges = rng.random((nr, nc)) < rng.uniform(0.05, 0.9)
    edges[np.arange(nr), rng.permutation(nc)[:nr]] = True  # a full matching exists
    cost = rng.integers(1, 8, (nr, nc))  # few distinct costs: many ties
    graph = sp.csr_matrix(np.where(edges, cost, 0).astype(np.float64))
    ri, ci = min_weight_full_bipartite_matching(graph)
    args = (graph.indptr.astype(np.int64), graph.indices.astype(np.int64),
            graph.data.astype(np.int64), nc)
    # from zero potentials, and from arbitrary ones (last round's prices): same optimum
    starts = [np.zeros(nc, dtype=np.int64), -rng.integers(0, 12, nc)]
    for start in starts:
        x, v, u = kernels.lap_module().full_assignment(*args, start)
        assert (x >= 0).all() and len(set(x.tolist())) == nr
        assert edges[np.arange(nr), x].all()
        assert cost[np.arange(nr), x].sum() == cost[ri, ci].sum()
        # the duals prove it: feasible everywhere, tight on the matching, free columns at 0
        reduced = cost - u[:, None] - v[None, :]
        assert (reduced[edges] >= 0).all()
        assert (reduced[np.arange(nr), x] == 0).all()
        free = np.ones(nc, dtype=bool)
        free[x] = False
        assert (v <= 0).all() and (v[free] == 0).all()


@needs_numba
@pytest.mark.parametrize("seed", range(10))
def test_compiled_and_numpy_place_expansion_agree(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 60)), int(rng.integers(3, 40))
    rows, cols, w, cap = random_graph(rng, n, m, float(rng.uniform(0.03, 0.4)))
    monkeypatch.setattr(assignment, "COMPILED_EDGES", 0)
    compiled = assignment._expand(n, m, cap, rows, cols, w)
    monkeypatch.setattr(kernels, "lap_module", lambda: None)
    plain = assignment._expand(n, m, cap, rows, cols, w)
    for field in ("urows", "ucols", "offset"):
        assert (getattr(compiled, field) == getattr(plain, field)).all(), field
    # the compiled expansion emits the same edges grouped by row, in the same order within
    # a row (a stable sort of the plain one), with CSR pointers
    order = np.argsort(plain.er, kind="stable")
    for field in ("er", "ec", "cost"):
        assert (getattr(compiled, field) == getattr(plain, field)[order]).all(), field
    assert plain.indptr is None and compiled.indptr is not None
    assert (compiled.indptr == np.searchsorted(compiled.er, np.arange(len(plain.urows) + 1))).all()
    # one edge per place of its volunteer, and never more places than capacity
    places = np.minimum(cap[cols], np.bincount(cols, minlength=m)[cols])
    assert len(compiled.er) == int(places.sum())


@needs_numba
def test_shared_heap_pops_in_order_and_grows() -> None:
    heap = kernels._compiled("_heap")
    rng = np.random.default_rng(0)
    keys = rng.integers(-50, 50, 3000)  # many ties, more pushes than the first arrays hold
    hk, hv = np.empty(8, np.int64), np.empty(8, np.int64)
    size = 0
    for node, key in enumerate(keys):
        if size == len(hk):
            hk, hv = heap.grow(hk, hv)
        size = heap.push(hk, hv, size, key, node)
    out = []
    while size:
        key, node, size = heap.pop(hk, hv, size)
        assert keys[node] == key
        out.append(int(key))
    assert out == sorted(keys.tolist())


@needs_numba
@pytest.mark.parametrize("seed", range(20))
def test_memo_reuses_only_unchanged_parts(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A part that comes back unchanged is not solved again; anything else is, and the
    result is always exactly the memo-free one."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(8, 60)), int(rng.integers(3, 40))
    rows, cols, w, cap = random_graph(rng, n, m, float(rng.uniform(0.05, 0.4)))
    score = w - 100
    wb = score + int(score.max()) * n + 1
    monkeypatch.setattr(assignment, "DENSE_CELLS", 0)
    lap = kernels.lap_module()
    real, solved = lap.full_assignment, []
    monkeypatch.setattr(lap, "full_assignment", lambda *a: solved.append(1) or real(*a))
    fewer = rng.random(len(rows)) < 0.8  # last round's candidates: a subset
    graphs = [(n, m, cap, rows[fewer], cols[fewer], wb[fewer]), (n, m, cap, rows, cols, wb)]
    memo = assignment.Memo()
    for graph in graphs:
        fresh_match, fresh_price = assignment.solve_priced(*graph)
        before = len(solved)
        match, price = assignment.solve_priced(*graph, memo=memo)
        assert np.array_equal(match, fresh_match) and np.array_equal(price, fresh_price)
        mid = len(solved)
        assert mid - before <= 2  # each of the two parts solved at most once
        again, again_price = assignment.solve_priced(*graph, memo=memo)
        assert np.array_equal(again, match) and np.array_equal(again_price, price)
        assert len(solved) == mid  # the same parts again: nothing solved


@needs_numba
@pytest.mark.parametrize("seed", range(20))
def test_compiled_components_match_scipy_and_split_the_same_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compiled union-find finds SciPy's components (numbered by first edge), and solving
    the big ones apart gives the optimum of solving everything at once."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 80)), int(rng.integers(3, 60))
    rows, cols, w, cap = random_graph(rng, n, m, float(rng.uniform(0.005, 0.08)))
    ncomp, label = mod.edge_components(rows, cols, n, m)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, n + cols)), shape=(n + m, n + m))
    ref = connected_components(graph, directed=False)[1][rows]
    assert ncomp == len(set(ref.tolist()))
    for a in range(ncomp):  # the same partition of the edges, numbered by first appearance
        assert len(set(ref[label == a].tolist())) == 1
    assert [int(x) for x in dict.fromkeys(label.tolist())] == list(range(ncomp))
    score = w - 100
    wb = score + int(score.max()) * n + 1
    monkeypatch.setattr(assignment, "DENSE_CELLS", 0)
    whole, _ = assignment.solve_priced(n, m, cap, rows, cols, wb)
    monkeypatch.setattr(assignment, "COMPILED_EDGES", 0)
    monkeypatch.setattr(assignment, "COMPONENT_ROWS", 2)
    apart, price = assignment.solve_priced(n, m, cap, rows, cols, wb)
    assert price is not None and solver._is_optimal_pair(cap, rows, cols, wb, apart, price)
    assert int(wb[apart[rows] == cols].sum()) == int(wb[whole[rows] == cols].sum())


FORK_SCRIPT = """
import os, signal, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from test_matching_warm import random_graph
from buddy.matching import assignment
assignment.DENSE_CELLS = 0
for seed in range(50):  # a graph whose split has two parts, solved on two threads
    rng = np.random.default_rng(seed)
    rows, cols, w, cap = random_graph(rng, 40, 12, 0.3)
    graph = (40, 12, cap, rows, cols, w + 40 * int(w.max()))
    assignment.solve_priced(*graph)
    if assignment._pool is not None:
        break
assert assignment._pool is not None
pid = os.fork()
if pid == 0:
    signal.alarm(60)  # a child left waiting for the parent's thread dies instead
    os._exit(0 if assignment.solve_priced(*graph)[1] is not None else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


@needs_numba
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_solves_without_the_parents_worker_thread(tmp_path) -> None:
    """A server that forks workers after a solve (the worker pool's thread stays in the
    parent) still solves in the child instead of waiting forever."""
    script = tmp_path / "fork.py"
    script.write_text(FORK_SCRIPT, encoding="utf-8")
    here = str(Path(__file__).parent)
    done = subprocess.run([sys.executable, str(script), here], timeout=120, check=False,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
