"""The warm-started re-optimisation (numba) of later prune–solve–certify rounds is exact."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_matching_kernels import random_instance
from test_matching_properties import check, instances, lsa_optimum

from buddy.matching import kernels, parse_instance, solve, solver
from buddy.matching.assignment import compact, solve_components

pytest.importorskip("numba")


def random_graph(rng: np.random.Generator, n: int, m: int, density: float):
    keys = np.flatnonzero(rng.random(n * m) < density).astype(np.int64)
    rows, cols = keys // m, keys % m
    w = rng.integers(1, 6, len(keys)).astype(np.int64) * 7 + 100  # many ties, bonus 100
    cap = rng.integers(0, 3, m).astype(np.int64)
    return rows, cols, w, cap


def _value(match: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray) -> int:
    hit = match[rows] == cols
    return int(w[hit].sum())


@pytest.mark.parametrize("seed", range(40))
def test_warm_start_reaches_the_cold_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(5, 40)), int(rng.integers(3, 25))
    rows, cols, w, cap = random_graph(rng, n, m, float(rng.uniform(0.05, 0.5)))
    cap[cap == 0] = 1
    old = rng.random(len(rows)) < 0.5  # the previous round saw only half of the edges
    match = solve_components(n, m, cap, rows[old], cols[old], w[old])
    p = solver._potentials(n, m, cap, rows[old], cols[old], w[old], match)
    assert solver._is_optimal_pair(cap, rows[old], cols[old], w[old], match, p)
    warm = solver._warm_start(n, cap, rows, cols, w, match, p)
    assert warm is not None
    new, p2, freed = warm
    assert freed >= 0
    assert solver._is_optimal_pair(cap, rows, cols, w, new, p2)
    cold = solve_components(n, m, cap, rows, cols, w)
    assert _value(new, rows, cols, w) == _value(cold, rows, cols, w)
    assert (new >= 0).sum() == (cold >= 0).sum()


def test_invalid_warm_start_is_refused() -> None:
    rows = np.array([0, 1], dtype=np.int64)
    cols = np.array([0, 0], dtype=np.int64)
    w = np.array([10, 12], dtype=np.int64)
    cap = np.array([2], dtype=np.int64)
    match = np.array([0, -1], dtype=np.int64)
    p = np.array([3], dtype=np.int64)  # positive price on a column with a free place
    assert solver._warm_start(2, cap, rows, cols, w, match, p) is None
    assert not solver._is_optimal_pair(cap, rows, cols, w, match, p)


@pytest.fixture
def always_warm(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Force many rounds, every round after the first re-optimised warm; count warm rounds."""
    monkeypatch.setattr(solver, "DIRECT_PAIRS", 0)
    monkeypatch.setattr(solver, "CANDIDATES_K", 1)
    monkeypatch.setattr(solver, "VIOLATORS_K", 1)
    monkeypatch.setattr(solver, "COLUMN_K", 1)
    monkeypatch.setattr(solver, "WARM_SHARE", 1.0)
    used = {"warm": 0, "refused": 0}
    orig = solver._warm_start

    def spy(*args: Any) -> Any:
        out = orig(*args)
        if args[5] is not None:
            used["warm" if out is not None else "refused"] += 1
        return out

    monkeypatch.setattr(solver, "_warm_start", spy)
    return used


@pytest.mark.parametrize("mode", ["numba", "numpy"])
def test_forced_warm_rounds_are_optimal(mode: str, always_warm: dict[str, int],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernels, "MODE", mode)
    for seed in range(30, 42):
        data = random_instance(seed, 30 + seed, 15 + seed % 11)
        count, total = lsa_optimum(data)
        res = solve(parse_instance(data), detail=False)
        assert len(res.pairs) == count
        assert abs(res.summary.total_score - total) <= 1e-6 * max(1, count)
        assert res.summary.certified
    assert always_warm["warm"] >= 20 and always_warm["refused"] == 0


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_warm_path_matches_brute_force(data: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "DIRECT_PAIRS", 0)
        mp.setattr(solver, "CANDIDATES_K", 1)
        mp.setattr(solver, "VIOLATORS_K", 1)
        mp.setattr(solver, "WARM_SHARE", 1.0)
        check(data)


@pytest.mark.parametrize("seed", range(10))
def test_candidate_key_bookkeeping_equals_numpy_set_operations(seed: int) -> None:
    rng = np.random.default_rng(seed)
    keys = np.unique(rng.integers(0, 500, int(rng.integers(0, 300))))
    found = rng.integers(0, 600, int(rng.integers(0, 400)))
    assert np.array_equal(solver._unique_keys(found), np.unique(found))
    assert np.array_equal(solver._missing(found, keys), np.setdiff1d(found, keys))
    idx = rng.integers(0, 50, int(rng.integers(1, 200)))
    values, pos = compact(idx, 50)
    want_values, want_pos = np.unique(idx, return_inverse=True)
    assert np.array_equal(values, want_values) and np.array_equal(pos, want_pos)
