"""Property tests: the solver against an independent brute force on small random instances."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from buddy.matching import assignment, explain_pair, kernels, parse_instance, solve, solver

PROFILE = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

LEVELS = ["A0", "A1", "A2", "B1", "B2", "C1"]
SLOT_POOL = ["mon-evening", "tue-morning", "sat-morning", "sun-afternoon"]
DISTRICTS = [
    {"id": "a", "lat": 51.20, "lon": 6.78},
    {"id": "b", "lat": 51.21, "lon": 6.80},
    {"id": "c", "lat": 51.25, "lon": 6.75},
]


# --- an independent reading of the contract -------------------------------------------------


def km(d1: dict[str, Any], d2: dict[str, Any]) -> float:
    p1, p2 = math.radians(d1["lat"]), math.radians(d2["lat"])
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d2["lon"] - d1["lon"]) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def rules(data: dict[str, Any], n: dict[str, Any], v: dict[str, Any]) -> list[bool]:
    """[language, time, place, gender, excluded] satisfied?"""
    dist = {d["id"]: d for d in data["districts"]}
    n_langs = set(n["languages"]) | ({"de"} if LEVELS.index(n["german_level"]) >= 2 else set())
    v_langs = set(v["languages"]) | {"de"}
    d = km(dist[n["district"]], dist[v["district"]])
    in_person = n["mode"] != "online" and v["mode"] != "online" and d <= v["max_km"]
    online = n["mode"] != "in_person" and v["mode"] != "in_person"
    bg_n, bg_v = n.get("buddy_gender", "any"), v.get("buddy_gender", "any")
    g_n, g_v = n.get("gender", "unspecified"), v.get("gender", "unspecified")
    return [
        bool(n_langs & v_langs),
        bool(set(n["availability"]) & set(v["availability"])),
        in_person or online,
        bg_n in ("any", g_v) and bg_v in ("any", g_n),
        [n["id"], v["id"]] not in data.get("excluded", []),
    ]


def score(data: dict[str, Any], n: dict[str, Any], v: dict[str, Any]) -> float:
    w = {"language": 0.35, "time": 0.25, "place": 0.25, "waiting": 0.15} | data.get("weights", {})
    dist = {d["id"]: d for d in data["districts"]}
    n_langs = set(n["languages"]) | ({"de"} if LEVELS.index(n["german_level"]) >= 2 else set())
    lang = 1.0 if (n_langs & set(v["languages"])) - {"de"} else 0.0
    time = min(len(set(n["availability"]) & set(v["availability"])), 3) / 3
    d = km(dist[n["district"]], dist[v["district"]])
    if n["mode"] != "online" and v["mode"] != "online" and d <= v["max_km"]:
        place = 1 - d / v["max_km"] if v["max_km"] > 0 else 1.0
    else:
        place = 0.0
    waiting = min(n.get("waiting_days", 0), 180) / 180
    return (
        w["language"] * lang + w["time"] * time + w["place"] * place + w["waiting"] * waiting
    )


def brute(data: dict[str, Any]) -> tuple[int, float]:
    """Best (pairs, total score) by enumerating every assignment."""
    news, vols = data["newcomers"], data["volunteers"]
    options = [
        [None] + [j for j, v in enumerate(vols) if all(rules(data, n, v))] for n in news
    ]
    best = (0, 0.0)
    for choice in itertools.product(*options):
        used = [0] * len(vols)
        for j in choice:
            if j is not None:
                used[j] += 1
        if any(u > v["capacity"] for u, v in zip(used, vols, strict=True)):
            continue
        cnt = sum(j is not None for j in choice)
        tot = sum(score(data, news[i], vols[j]) for i, j in enumerate(choice) if j is not None)
        if (cnt, tot) > best:
            best = (cnt, tot)
    return best


def expected_code(data: dict[str, Any], n: dict[str, Any]) -> str:
    vols = data["volunteers"]
    if not vols:
        return "no_volunteers"
    verdicts = [rules(data, n, v) for v in vols]
    if any(all(r) for r in verdicts):
        return "capacity"
    codes = ["no_common_language", "no_common_time", "no_common_place",
             "gender_preference", "excluded"]
    alive = list(range(len(vols)))
    for k, code in enumerate(codes):
        alive = [j for j in alive if verdicts[j][k]]
        if not alive:
            return code
    raise AssertionError("unreachable")


# --- strategies --------------------------------------------------------------------------------

langs = st.lists(st.sampled_from(["ar", "uk", "en"]), max_size=2, unique=True)
slots = st.lists(st.sampled_from(SLOT_POOL), max_size=3, unique=True)
modes = st.sampled_from(["in_person", "online", "either"])
genders = st.sampled_from(["female", "male", "diverse", "unspecified"])
buddy_genders = st.sampled_from(["any", "any", "female", "male"])
districts = st.sampled_from(["a", "b", "c"])


@st.composite
def instances(draw: st.DrawFn, max_n: int = 5, max_m: int = 3) -> dict[str, Any]:
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    news = [
        {"id": f"n{i}", "languages": draw(langs), "german_level": draw(st.sampled_from(LEVELS)),
         "district": draw(districts), "availability": draw(slots), "mode": draw(modes),
         "gender": draw(genders), "buddy_gender": draw(buddy_genders),
         "waiting_days": draw(st.integers(0, 400))}
        for i in range(n)
    ]
    vols = [
        {"id": f"v{j}", "languages": draw(langs), "district": draw(districts),
         "max_km": draw(st.sampled_from([0, 1, 2.5, 5, 10])), "availability": draw(slots),
         "capacity": draw(st.integers(0, 2)), "mode": draw(modes), "gender": draw(genders),
         "buddy_gender": draw(buddy_genders)}
        for j in range(m)
    ]
    excluded = []
    if n and m:
        excluded = draw(st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)).map(
                lambda t: [f"n{t[0]}", f"v{t[1]}"]), max_size=3))
    data: dict[str, Any] = {"districts": DISTRICTS, "newcomers": news, "volunteers": vols,
                            "excluded": excluded}
    if draw(st.booleans()):
        data["weights"] = {k: draw(st.sampled_from([0, 0.1, 0.35, 1, 2.5]))
                           for k in ("language", "time", "place", "waiting")}
    return data


def check(data: dict[str, Any]) -> None:
    inst = parse_instance(data)
    res = solve(inst)
    news = {n["id"]: n for n in data["newcomers"]}
    vols = {v["id"]: v for v in data["volunteers"]}
    used: dict[str, int] = {}
    for p in res.pairs:
        n, v = news[p.newcomer], vols[p.volunteer]
        assert all(rules(data, n, v)), p
        assert abs(p.score - score(data, n, v)) <= 1e-6
        used[p.volunteer] = used.get(p.volunteer, 0) + 1
    assert len({p.newcomer for p in res.pairs}) == len(res.pairs)
    for vid, cnt in used.items():
        assert cnt <= vols[vid]["capacity"]
    best_cnt, best_tot = brute(data)
    assert len(res.pairs) == best_cnt
    assert res.summary.total_score >= best_tot - 1e-6 * max(1, best_cnt)
    assert res.summary.total_score <= best_tot + 1e-6 * max(1, best_cnt)
    matched = {p.newcomer for p in res.pairs}
    assert [u.newcomer for u in res.unmatched] == [i for i in news if i not in matched]
    for u in res.unmatched:
        assert u.reason == expected_code(data, news[u.newcomer])


@PROFILE
@given(instances())
def test_direct_solver_matches_brute_force(data: dict[str, Any]) -> None:
    check(data)


@pytest.mark.parametrize("split", [True, False], ids=["dm-split", "unmatched-columns"])
@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_certified_path_matches_brute_force(split: bool, data: dict[str, Any]) -> None:
    # force prune–solve–certify with one candidate per newcomer and the sparse solver: with
    # numba, the Dulmage–Mendelsohn split into two full matchings; without, one column per
    # newcomer for "stays unmatched"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "DIRECT_PAIRS", 0)
        mp.setattr(solver, "CANDIDATES_K", 1)
        mp.setattr(assignment, "DENSE_CELLS", 0)
        if not split:
            mp.setattr(kernels, "cardinality_module", lambda: None)
        elif kernels.cardinality_module() is None:
            pytest.skip("numba is not installed")
        check(data)


def lsa_optimum(data: dict[str, Any]) -> tuple[int, float]:
    """Independent exact optimum via dense linear_sum_assignment on the slot-expanded matrix."""
    news, vols = data["newcomers"], data["volunteers"]
    cols = [j for j, v in enumerate(vols) for _ in range(v["capacity"])]
    big = 1000.0
    cost = np.zeros((len(news), len(cols) + len(news)))
    for i, n in enumerate(news):
        for c, j in enumerate(cols):
            ok = all(rules(data, n, vols[j]))
            cost[i, c] = -(big + score(data, n, vols[j])) if ok else 0.0
    r, c = linear_sum_assignment(cost)
    real = (c < len(cols)) & (cost[r, c] < 0)
    return int(real.sum()), float(-(cost[r, c][real]).sum() - big * real.sum())


@settings(deadline=None, max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_n=40, max_m=20))
def test_medium_instances_all_paths_agree(data: dict[str, Any]) -> None:
    count, total = lsa_optimum(data)
    inst = parse_instance(data)
    res = solve(inst)
    assert len(res.pairs) == count
    assert abs(res.summary.total_score - total) <= 1e-6 * max(1, count)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "DIRECT_PAIRS", 0)
        mp.setattr(solver, "CANDIDATES_K", 2)
        mp.setattr(assignment, "DENSE_CELLS", 0)
        mp.setattr(solver, "BLOCK_ELEMENTS", 64)
        res2 = solve(inst)
    assert len(res2.pairs) == count
    assert abs(res2.summary.total_score - total) <= 1e-6 * max(1, count)


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.lists(st.floats(0, 400, allow_nan=False), min_size=5, max_size=5))
def test_solver_pairs_read_as_explain_pair(data: dict[str, Any], days: list[float]) -> None:
    for n, d in zip(data["newcomers"], days, strict=False):
        n["waiting_days"] = d
    inst = parse_instance(data)
    for p in solve(inst).pairs:
        ex = explain_pair(inst, p.newcomer, p.volunteer)
        assert (p.components, p.score, p.reasons) == (ex.components, ex.score, ex.reasons)
