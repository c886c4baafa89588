"""Hand-made edge cases for each rule, the reason codes, pinned pairs and explanations."""

from __future__ import annotations

import copy
import gc
from typing import Any

import pytest

from buddy.matching import (
    Weights,
    api,
    check_pair,
    explain_pair,
    explain_unmatched,
    parse_instance,
    result_to_dict,
    solve,
    solver,
)

DISTRICTS = [
    {"id": "bilk", "name": "Bilk", "lat": 51.2066, "lon": 6.7828, "borough": "3"},
    {"id": "oberbilk", "name": "Oberbilk", "lat": 51.2118, "lon": 6.8001, "borough": "3"},
    {"id": "garath", "name": "Garath", "lat": 51.1356, "lon": 6.9003, "borough": "10"},
]


def newcomer(nid: str = "n1", **kw: Any) -> dict[str, Any]:
    base = {"id": nid, "languages": ["ar"], "german_level": "A0", "district": "bilk",
            "availability": ["sat-morning"], "mode": "in_person"}
    return base | kw


def volunteer(vid: str = "v1", **kw: Any) -> dict[str, Any]:
    base = {"id": vid, "languages": ["ar"], "district": "bilk", "max_km": 5,
            "availability": ["sat-morning"], "capacity": 1, "mode": "in_person"}
    return base | kw


def instance(news: list[dict[str, Any]], vols: list[dict[str, Any]], **kw: Any) -> Any:
    return parse_instance({"districts": copy.deepcopy(DISTRICTS), "newcomers": news,
                           "volunteers": vols, **kw})


def pairs(res: Any) -> list[tuple[str, str]]:
    return [(p.newcomer, p.volunteer) for p in res.pairs]


def codes(res: Any) -> dict[str, str]:
    return {u.newcomer: u.reason for u in res.unmatched}


@pytest.mark.parametrize(("level", "ok"), [("A0", False), ("A1", False), ("A2", True),
                                           ("B1", True), ("C1", True)])
def test_german_counts_from_a2(level: str, ok: bool) -> None:
    inst = instance([newcomer(languages=["ti"], german_level=level)], [volunteer(languages=[])])
    res = solve(inst)
    assert bool(res.pairs) is ok
    if ok:
        assert res.pairs[0].components.language == 0.0
        assert "both speak German" in result_to_dict(res)["pairs"][0]["reasons"]
    else:
        assert codes(res) == {"n1": "no_common_language"}
        assert check_pair(inst, "n1", "v1") == ["language"]


def test_shared_non_german_language_scores() -> None:
    inst = instance([newcomer(german_level="B2")], [volunteer(languages=["ar", "en"])])
    p = solve(inst).pairs[0]
    assert p.components.language == 1.0
    assert p.reasons[0].code == "language" and p.reasons[0].params["languages"] == ["ar"]


def test_max_km_zero_same_district() -> None:
    inst = instance([newcomer(), newcomer("n2", district="oberbilk")],
                    [volunteer(max_km=0, capacity=2)])
    res = solve(inst)
    assert pairs(res) == [("n1", "v1")]
    assert res.pairs[0].components.place == 1.0
    assert "same district" in result_to_dict(res)["pairs"][0]["reasons"]
    assert codes(res) == {"n2": "no_common_place"}


def test_distance_limit_and_place_component() -> None:
    inst = instance([newcomer(district="oberbilk")], [volunteer(max_km=5)])
    p = solve(inst).pairs[0]
    km = p.reasons[2].params["km"]
    assert 1.0 < km < 2.0
    assert p.components.place == pytest.approx(1 - km / 5, abs=1e-3)
    assert result_to_dict(solve(inst))["pairs"][0]["reasons"][2] == f"{km:.1f} km apart"
    far = instance([newcomer(district="garath")], [volunteer(max_km=5)])
    assert codes(solve(far)) == {"n1": "no_common_place"}


@pytest.mark.parametrize(("n_mode", "v_mode", "ok", "place"), [
    ("online", "online", True, 0.0),
    ("online", "either", True, 0.0),
    ("either", "either", True, 0.0),
    ("online", "in_person", False, None),
    ("in_person", "online", False, None),
    ("in_person", "either", True, 1.0),
])
def test_online_versus_in_person(n_mode: str, v_mode: str, ok: bool, place: float | None) -> None:
    inst = instance([newcomer(mode=n_mode, district="garath")],
                    [volunteer(mode=v_mode, max_km=0) if n_mode != "in_person"
                     else volunteer(mode=v_mode, district="garath", max_km=0)])
    res = solve(inst)
    assert bool(res.pairs) is ok
    if ok:
        assert res.pairs[0].components.place == place
    else:
        assert codes(res) == {"n1": "no_common_place"}


def test_online_pair_says_meet_online() -> None:
    inst = instance([newcomer(mode="online", district="garath")], [volunteer(mode="either")])
    assert "meet online" in result_to_dict(solve(inst))["pairs"][0]["reasons"]


@pytest.mark.parametrize(("n_kw", "v_kw", "ok"), [
    ({"buddy_gender": "female"}, {"gender": "female"}, True),
    ({"buddy_gender": "female"}, {"gender": "male"}, False),
    ({"buddy_gender": "female"}, {"gender": "unspecified"}, False),
    ({"gender": "male"}, {"buddy_gender": "female"}, False),
    ({"gender": "female"}, {"buddy_gender": "female"}, True),
    ({"gender": "diverse", "buddy_gender": "male"}, {"gender": "male", "buddy_gender": "any"},
     True),
    ({}, {"buddy_gender": "male"}, False),
])
def test_gender_preference_both_ways(n_kw: dict[str, str], v_kw: dict[str, str], ok: bool) -> None:
    res = solve(instance([newcomer(**n_kw)], [volunteer(**v_kw)]))
    assert bool(res.pairs) is ok
    if not ok:
        assert codes(res) == {"n1": "gender_preference"}


def test_excluded_pair_and_unknown_people_in_excluded() -> None:
    inst = instance([newcomer()], [volunteer()], excluded=[["n1", "v1"], ["ghost", "v1"]])
    res = solve(inst)
    assert codes(res) == {"n1": "excluded"}
    assert res.unmatched[0].blocked_by == "excluded"
    inst2 = instance([newcomer()], [volunteer()])
    assert codes(solve(inst2, excluded=[("n1", "v1")])) == {"n1": "excluded"}


def test_capacity_zero_and_capacity_code() -> None:
    inst = instance([newcomer(), newcomer("n2")], [volunteer(capacity=0)])
    res = solve(inst)
    assert res.pairs == ()
    assert codes(res) == {"n1": "capacity", "n2": "capacity"}
    assert res.unmatched[0].nearest == "v1" and res.unmatched[0].blocked_by == "capacity"


def test_capacity_used_elsewhere_prefers_longer_waiting() -> None:
    inst = instance([newcomer(waiting_days=10), newcomer("n2", waiting_days=90)], [volunteer()])
    res = solve(inst)
    assert pairs(res) == [("n2", "v1")]
    assert codes(res) == {"n1": "capacity"}


def test_cardinality_beats_score() -> None:
    # n1 is the better fit for v1, but only v1 fits n2: two pairs beat one great pair
    inst = instance(
        [newcomer(availability=["sat-morning", "mon-evening", "tue-evening"], waiting_days=180),
         newcomer("n2", languages=["ti"])],
        [volunteer(availability=["sat-morning", "mon-evening", "tue-evening"],
                   languages=["ar", "ti"]),
         volunteer("v2", languages=["ar"], district="oberbilk")],
    )
    res = solve(inst)
    assert sorted(pairs(res)) == [("n1", "v2"), ("n2", "v1")]


def test_no_volunteers_and_no_newcomers() -> None:
    res = solve(instance([newcomer()], []))
    assert codes(res) == {"n1": "no_volunteers"}
    assert solve(instance([], [volunteer()])).summary.pairs == 0
    empty = solve(instance([], []))
    assert result_to_dict(empty)["summary"]["pairs"] == 0


def test_unicode_ids() -> None:
    inst = instance([newcomer("نور-١"), newcomer("Олена")], [volunteer("Jürgen ✓", capacity=2)])
    res = solve(inst)
    assert sorted(pairs(res)) == [("Олена", "Jürgen ✓"), ("نور-١", "Jürgen ✓")]
    assert check_pair(inst, "نور-١", "Jürgen ✓") == []


def test_reason_code_order() -> None:
    # one volunteer fails language, another time: language alone does not empty the pool
    inst = instance([newcomer()], [volunteer(languages=["uk"]), volunteer("v2",
                    availability=["sun-evening"])])
    assert codes(solve(inst)) == {"n1": "no_common_time"}
    u = explain_unmatched(inst, "n1")
    assert u.reason == "no_common_time" and u.nearest == "v1" and u.blocked_by == "language"


def test_pinned_pairs_are_kept_and_use_capacity() -> None:
    inst = instance([newcomer(), newcomer("n2")], [volunteer(), volunteer("v2", languages=["uk"])])
    res = solve(inst, pinned=[("n2", "v1")])
    assert pairs(res) == [("n2", "v1")]
    assert res.pairs[0].pinned
    assert res.pairs[0].reasons[0].code == "pinned"
    assert codes(res) == {"n1": "capacity"}
    # a pinned pair that breaks a rule is kept and says so
    res = solve(inst, pinned=[("n1", "v2")])
    assert ("n1", "v2") in pairs(res) and ("n2", "v1") in pairs(res)
    broken = [r.params["rule"] for r in res.pairs[0].reasons if r.code == "rule_broken"]
    assert broken == ["language"]
    with pytest.raises(KeyError):
        solve(inst, pinned=[("nobody", "v1")])
    with pytest.raises(ValueError):
        solve(inst, pinned=[("n1", "v1"), ("n1", "v2")])


def test_weights_override_and_explain_pair() -> None:
    inst = instance([newcomer(waiting_days=90)], [volunteer()])
    ex = explain_pair(inst, "n1", "v1")
    assert ex.broken == ()
    assert ex.components.waiting == 0.5 and ex.components.time == pytest.approx(1 / 3)
    assert ex.score == pytest.approx(0.35 + 0.25 / 3 + 0.25 + 0.075)
    res = solve(inst, weights=Weights(language=0, time=0, place=0, waiting=1))
    assert res.pairs[0].score == 0.5
    assert "waiting 90 days" in result_to_dict(res)["pairs"][0]["reasons"]


def test_hints_suggest_missing_profiles() -> None:
    news = [newcomer(f"t{k}", languages=["ti"], district="garath",
                     availability=["mon-evening", "tue-evening"]) for k in range(4)]
    news.append(newcomer("a1", district="bilk"))
    inst = instance(news, [volunteer(languages=["uk"])])
    hints = result_to_dict(solve(inst))["hints"]
    assert hints[0] == {"language": "ti", "district": "garath", "borough": "10",
                        "slots": ["mon-evening"], "newcomers": 4}
    assert hints[1]["language"] == "ar" and hints[1]["newcomers"] == 1


def test_certify_path_runs_rounds_and_is_exact() -> None:
    news = [newcomer(f"n{k}", waiting_days=k) for k in range(6)]
    vols = [volunteer(f"v{k}", district="oberbilk" if k % 2 else "bilk") for k in range(4)]
    inst = instance(news, vols)
    direct = solve(inst)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(solver, "DIRECT_PAIRS", 0)
        mp.setattr(solver, "CANDIDATES_K", 1)
        mp.setattr(solver, "COLUMN_K", 0)
        certified = solve(inst)
    assert certified.summary.rounds >= 2
    assert certified.summary.pairs == direct.summary.pairs == 4
    assert certified.summary.total_score == pytest.approx(direct.summary.total_score, abs=1e-9)


def test_proposed_pairs_read_exactly_as_explain_pair() -> None:
    # every feasible pair of a varied instance, built in one vectorised pass, must carry the
    # same components, score and reasons as the per-pair explanation (the contract's reading)
    import numpy as np

    from buddy.matching.explain import proposed_pairs
    from buddy.matching.feasibility import Encoded

    many = [f"x{a}{b}" for a in "abc" for b in "abcdefghijklmnopqrstuvwxyz"][:70]
    slots = ["mon-morning", "mon-evening", "tue-evening", "sat-morning", "sun-afternoon"]
    news = [newcomer(f"n{k}", languages=[many[(3 * k) % 70], many[69 - k % 5], "ar"][: 1 + k % 3],
                     german_level=["A0", "A1", "B1"][k % 3], district=DISTRICTS[k % 3]["id"],
                     availability=slots[k % 4 : k % 4 + 1 + k % 3],
                     mode=["in_person", "online", "either"][k % 3],
                     waiting_days=[0, 12.5, 180, 400, 61][k % 5]) for k in range(24)]
    vols = [volunteer(f"v{k}", languages=[many[(5 * k) % 70], many[69 - k % 5]][: k % 3],
                      district=DISTRICTS[(k + 1) % 3]["id"], max_km=[0, 2.5, 5, 30][k % 4],
                      availability=slots[(k + 2) % 5 :] or slots[:2],
                      mode=["either", "in_person", "online"][k % 3]) for k in range(15)]
    vols.append(volunteer("polyglot", languages=many, mode="either", max_km=10))
    inst = instance(news, vols)
    enc = Encoded(inst)
    assert enc.words > 1
    ok, _ = enc.block(0, enc.n)
    rows, cols = np.nonzero(ok)
    assert len(rows) > 60 and len({p["district"] for p in vols}) == 3
    built = proposed_pairs(enc, rows, cols)
    assert len(built) == len(rows)
    for p in built:
        ex = explain_pair(inst, p.newcomer, p.volunteer)
        assert ex.broken == () and not p.pinned
        assert (p.components, p.score, p.reasons) == (ex.components, ex.score, ex.reasons)
    shared = {r.params["languages"][0] for p in built for r in p.reasons if r.code == "language"}
    assert shared - {"de", "ar"} and {p.components.place for p in built} - {0.0, 1.0}


def test_solve_leaves_the_garbage_collector_as_it_found_it() -> None:
    """solve() collects rarely while it runs, then restores the caller's thresholds — also
    when runs overlap (the last one to end restores them) and when one fails."""
    inst = instance([newcomer(f"n{k}") for k in range(3)], [volunteer()])
    before = gc.get_threshold()
    seen = []
    rare = api._rare_collections
    with rare():
        seen.append(gc.get_threshold())
        assert solve(inst).summary.pairs == 1  # a run inside a run
        seen.append(gc.get_threshold())
    assert seen[0][0] > before[0] and seen[1] == seen[0]
    assert gc.get_threshold() == before
    with pytest.raises(KeyError):
        solve(inst, pinned=[("nobody", "v1")])
    with pytest.raises(ValueError), rare():
        raise ValueError
    assert gc.get_threshold() == before and rare.depth == 0
