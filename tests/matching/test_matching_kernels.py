"""The compiled (numba) pair kernels and the numpy fallback select the same pairs."""

from __future__ import annotations

import string
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_matching_properties import check, instances, lsa_optimum

from buddy.matching import kernels, parse_instance, solve, solver
from buddy.matching.feasibility import Encoded

pytest.importorskip("numba")

SLOTS = [f"{d}-{t}" for d in ("mon", "tue", "wed", "sat") for t in ("morning", "evening")]
DISTRICTS = [{"id": f"d{k}", "lat": 51.2 + 0.02 * k, "lon": 6.78 + 0.01 * (k % 3)}
             for k in range(5)]


def random_instance(seed: int, n: int, m: int, many_languages: bool = False) -> dict[str, Any]:
    """A seeded random instance; ``many_languages`` needs more than one 64-bit language word."""
    rng = np.random.default_rng(seed)
    pool = ["ar", "uk", "en", "fa"]
    if many_languages:
        pool = [a + b for a in "xyz" for b in string.ascii_lowercase][:70]

    def pick(options: list[Any], size: int) -> list[Any]:
        return [options[k] for k in rng.choice(len(options), size=size, replace=False)]

    news = [{"id": f"n{i}", "languages": sorted({pool[i % len(pool)], *pick(pool, 1)}),
             "german_level": str(rng.choice(["A0", "A1", "A2", "B1"])),
             "district": f"d{rng.integers(5)}",
             "availability": pick(SLOTS, int(rng.integers(1, 5))),
             "mode": str(rng.choice(["in_person", "online", "either"])),
             "gender": str(rng.choice(["female", "male"])),
             "buddy_gender": str(rng.choice(["any", "any", "female"])),
             "waiting_days": int(rng.integers(0, 300))} for i in range(n)]
    vols = [{"id": f"v{j}", "languages": pick(pool, int(rng.integers(0, 3))),
             "district": f"d{rng.integers(5)}", "max_km": float(rng.choice([0, 2, 5, 10])),
             "availability": pick(SLOTS, int(rng.integers(1, 5))),
             "capacity": int(rng.integers(0, 3)),
             "mode": str(rng.choice(["in_person", "online", "either"])),
             "gender": str(rng.choice(["female", "male"])),
             "buddy_gender": str(rng.choice(["any", "any", "male"]))} for j in range(m)]
    excluded = [[f"n{rng.integers(n)}", f"v{rng.integers(m)}"] for _ in range(n // 4)]
    return {"districts": DISTRICTS, "newcomers": news, "volunteers": vols, "excluded": excluded}


@pytest.fixture
def certify_always(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Force prune–solve–certify with tiny candidate lists (many rounds)."""
    monkeypatch.setattr(solver, "DIRECT_PAIRS", 0)
    monkeypatch.setattr(solver, "CANDIDATES_K", 1)
    monkeypatch.setattr(solver, "VIOLATORS_K", 1)
    monkeypatch.setattr(solver, "COLUMN_K", 1)
    return monkeypatch


@pytest.mark.parametrize("seed,many", [(1, False), (2, False), (3, True), (4, False)])
def test_scan_and_certify_identical(seed: int, many: bool) -> None:
    enc = Encoded(parse_instance(random_instance(seed, 70, 45, many)))
    assert (enc.words > 1) == many
    rng = np.random.default_rng(seed)
    active = rng.random(enc.n) < 0.9
    usable = enc.cap > 0
    a = kernels.scan(enc, active, usable, 3, 2, True, 1 << 21)
    b = kernels.scan(enc, active, usable, 3, 2, False, 97)
    assert np.array_equal(a.count, b.count)
    assert np.array_equal(a.smax, b.smax)
    assert np.array_equal(a.rest, b.rest)
    assert set(zip(a.rows.tolist(), a.cols.tolist(), strict=True)) == set(
        zip(b.rows.tolist(), b.cols.tolist(), strict=True))
    ok, score = enc.block(0, enc.n)
    assert int(a.count.sum()) == int(ok.sum())
    # each active row's 4th best usable score bounds every pair outside its 3 best
    key = np.where(ok & usable[None, :] & active[:, None], score, kernels.NEG)
    assert np.array_equal(a.rest, -np.sort(-key, axis=1)[:, 3])
    big = enc.max_pair_int * 20
    bigp = np.where(usable, big - rng.integers(0, 2 * big, enc.m), kernels.NEG)
    cur = rng.integers(0, big, enc.n)
    cols = np.flatnonzero(rng.random(enc.m) < 0.4)
    ok, _ = enc.block(0, enc.n)
    pairs = np.flatnonzero(ok.ravel())
    keys = np.sort(rng.choice(pairs, len(pairs) // 3, replace=False)).astype(np.int64)
    for kw in ({}, {"cols": cols}, {"keys": keys}, {"cols": cols, "keys": keys}):
        fa = kernels.certify(enc, active, bigp, a.smax, cur, 2, True, 1 << 21, **kw)
        fb = kernels.certify(enc, active, bigp, a.smax, cur, 2, False, 97, **kw)
        assert np.array_equal(fa.nviol, fb.nviol) and fa.nviol.sum() > 0
        assert np.array_equal(fa.best, fb.best)
        got = set(zip(fa.rows.tolist(), fa.cols.tolist(), strict=True))
        assert got == set(zip(fb.rows.tolist(), fb.cols.tolist(), strict=True))
        # from the spec: every flagged pair is feasible, in the chosen columns
        # and beats its row's threshold; a row's count is the number of such pairs
        ok, score = enc.block(0, enc.n)
        looked = ok & usable[None, :] & active[:, None]
        if "cols" in kw:
            looked[:, np.setdiff1d(np.arange(enc.m), cols)] = False
        if "keys" in kw:
            looked.ravel()[keys] = False  # candidate pairs are not looked at
        val = score + bigp[None, :]
        viol = looked & (val > cur[:, None])
        assert np.array_equal(fa.nviol, viol.sum(axis=1))
        # each row's best value left out is reported: its best violator beyond the two it
        # flags, else its best pair that does not beat its dual (or a bound above that when
        # nothing in the row can beat the dual), never less
        fine = np.where(looked & ~viol, val, kernels.NEG).max(axis=1)
        third = -np.sort(-np.where(viol, val, kernels.NEG), axis=1)[:, 2]
        left = np.where(fa.nviol > 2, third, fine)
        exact = fa.nviol > 0
        assert (fa.best[active] >= left[active]).all()
        assert np.array_equal(fa.best[exact], left[exact])
        assert all(viol[r, c] for r, c in got)
        assert len(got) == int(np.minimum(viol.sum(axis=1), 2).sum())


@pytest.mark.parametrize("seed,many,k,m", [(1, False, 3, 30), (2, False, 1, 30),
                                           (3, True, 2, 30), (4, False, 5, 30),
                                           (12, False, 1, 300), (13, True, 2, 200)])
def test_greedy_seed_is_the_spec_greedy_in_both_kernels(seed: int, many: bool, k: int,
                                                        m: int) -> None:
    """Rows with the fewest feasible pairs (with any volunteer) go first, or the most (ties:
    lower index); each active row takes its best usable pair (score desc, column asc) whose
    volunteer has capacity left."""
    # with 300 volunteers the compiled greedy compacts its open columns as they fill up
    enc = Encoded(parse_instance(random_instance(seed, 3 * m, m, many)))
    rng = np.random.default_rng(seed)
    active = rng.random(enc.n) < 0.9
    cap = enc.cap.astype(np.int64)
    usable = cap > 0
    ok, score = enc.block(0, enc.n)
    feasible = ok.sum(axis=1)
    ok &= usable[None, :] & active[:, None]
    for most_first in (False, True):
        got = {}
        for compiled in (True, False):
            first = kernels.scan(enc, active, usable, k, 1, compiled, 1 << 21)
            got[compiled] = kernels.greedy(enc, active, cap, first, compiled, most_first)
        assert np.array_equal(got[True], got[False])
        expect = np.full(enc.n, -1)
        left = cap.copy()
        sign = -1 if most_first else 1
        for i in sorted(range(enc.n), key=lambda i: (sign * int(feasible[i]), i)):
            open_ = np.flatnonzero(ok[i] & (left > 0))
            if len(open_):
                j = open_[np.argmax(score[i, open_])]  # first maximum: the lowest column
                expect[i], left[j] = j, left[j] - 1
        assert np.array_equal(got[True], expect)
        taken = np.flatnonzero(expect >= 0)
        assert len(taken) > 10 and not active[expect < 0].all()
        assert (np.bincount(expect[taken], minlength=enc.m) <= cap).all()


@pytest.mark.parametrize("seed", range(5, 11))
def test_numba_and_numpy_solve_identically(seed: int, certify_always: pytest.MonkeyPatch) -> None:
    data = random_instance(seed, 60, 30, many_languages=seed == 7)
    inst = parse_instance(data)
    out = {}
    for mode in ("numba", "numpy"):
        certify_always.setattr(kernels, "MODE", mode)
        res = solve(inst, detail=False)
        pairs = sorted((p.newcomer, p.volunteer) for p in res.pairs)
        s = res.summary
        out[mode] = (pairs, s.total_score, s.feasible_pairs, s.candidate_pairs, s.rounds)
    assert out["numba"] == out["numpy"]
    count, total = lsa_optimum(data)
    assert len(out["numba"][0]) == count
    assert abs(out["numba"][1] - total) <= 1e-6 * max(1, count)


def test_forced_multi_round_certify_is_optimal(certify_always: pytest.MonkeyPatch) -> None:
    certify_always.setattr(kernels, "MODE", "numba")
    rounds = []
    for seed in range(20, 26):
        data = random_instance(seed, 40, 25)
        count, total = lsa_optimum(data)
        res = solve(parse_instance(data), detail=False)
        assert len(res.pairs) == count
        assert abs(res.summary.total_score - total) <= 1e-6 * max(1, count)
        assert res.summary.certified
        rounds.append(res.summary.rounds)
    assert max(rounds) >= 3


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_numba_certified_path_matches_brute_force(data: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "DIRECT_PAIRS", 0)
        mp.setattr(solver, "CANDIDATES_K", 1)
        mp.setattr(solver, "VIOLATORS_K", 1)
        mp.setattr(kernels, "MODE", "numba")
        check(data)


@pytest.mark.parametrize("mode", ["numba", "numpy"])
def test_incremental_certificate_is_exact(mode: str, certify_always: pytest.MonkeyPatch) -> None:
    """Later rounds re-check only rows whose dual fell and columns whose price fell."""
    certify_always.setattr(kernels, "MODE", mode)
    passes = {"full": 0, "columns": 0}
    orig = kernels.certify

    def spy(*args: Any, **kw: Any) -> Any:
        passes["columns" if kw.get("cols") is not None else "full"] += 1
        return orig(*args, **kw)

    certify_always.setattr(kernels, "certify", spy)
    for seed in range(40, 52):
        data = random_instance(seed, 45, 20 + seed % 9)
        count, total = lsa_optimum(data)
        res = solve(parse_instance(data), detail=False)
        assert len(res.pairs) == count
        assert abs(res.summary.total_score - total) <= 1e-6 * max(1, count)
    assert passes["columns"] > 0


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.parametrize("seed", range(60, 66))
def test_incremental_certificate_never_misses_a_violation(mode: str, seed: int) -> None:
    """Duals and prices move at random; after every check no non-candidate pair beats them."""
    enc = Encoded(parse_instance(random_instance(seed, 60, 30)))
    rng = np.random.default_rng(seed)
    n, m = enc.n, enc.m
    active, usable = np.ones(n, dtype=bool), enc.cap > 0
    compiled = mode == "numba"
    first = kernels.scan(enc, active, usable, 1, 0, compiled, 1 << 21)
    keys = np.unique(first.rows * m + first.cols)
    cert = solver._Certificate(enc, active, usable, first.smax, compiled)
    big = enc.max_pair_int * 4
    p = rng.integers(0, big, m)
    cur = rng.integers(big, 2 * big, n)
    ok, score = enc.block(0, n)
    flagged_rows = 0
    for rnd in range(1, 15):
        flagged, _, _ = cert.check(rnd, cur, p, big, m, keys, lambda _msg: None)
        flagged_rows += len(np.unique(flagged // m))
        keys = np.union1d(keys, flagged)
        outside = ok & usable[None, :]
        outside.ravel()[keys] = False
        assert not (outside & (score + big - p[None, :] > cur[:, None])).any(), rnd
        moved = rng.random(m) < 0.3
        p = np.maximum(0, p + moved * rng.integers(-big // 4, big // 8, m))
        cur = np.maximum(0, cur + rng.integers(-big // 4, big // 8, n))
    assert flagged_rows > 0
