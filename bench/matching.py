"""Benchmark the matching engine against exact peers and a greedy baseline.

    python bench/matching.py                 # N = 300 and 5,000, both regimes
    python bench/matching.py --full          # N = 300, 5,000, 20,000, 100,000
    python bench/matching.py --sizes 20000 --regimes plentiful --methods buddy,sparse

Every method runs in its own child process (peak memory = the child's ru_maxrss, which
includes the interpreter, numpy/scipy and the generated instance); times cover the method
only, starting from the parsed instance (peers include building all feasible pairs).
Results go to bench/RESULTS.md (section "Matching") unless --no-write.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from buddy.matching import Instance, parse_instance, solve
from buddy.matching.feasibility import Encoded
from buddy.matching.instance import SLOTS

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
CITY = ROOT / "buddy" / "cities" / "duesseldorf.json"
METHODS = ("buddy", "dense", "sparse", "ortools", "greedy")
EXACT = ("buddy", "dense", "sparse", "ortools")
# (method, regime) → largest N it is run at; beyond that it does not fit in 24 GiB / our time
LIMITS = {"dense": 20_000, "sparse": 20_000, "ortools": 20_000, "greedy": 20_000, "buddy": 10**9}

# first languages of people arriving in Germany (asylum + Ukraine), rough shares
FIRST = {"ar": .20, "uk": .20, "tr": .10, "fa": .08, "ku": .08, "ru": .07, "prs": .05,
         "ps": .05, "ti": .04, "so": .03, "en": .05, "fr": .05}
SECOND = {"en": .45, "ar": .15, "ru": .15, "fr": .10, "fa": .10, "tr": .05}
VOL_EXTRA = {"ar": .10, "tr": .10, "ru": .10, "uk": .06, "fr": .18, "fa": .05, "es": .12,
             "ku": .04, "ti": .01, "so": .01, "ps": .02, "it": .11, "pl": .10}
LEVELS = {"A0": .30, "A1": .30, "A2": .20, "B1": .12, "B2": .06, "C1": .02}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
N_TEMPLATES = [  # newcomers: integration course in the morning → afternoons, some evenings
    [f"{d}-afternoon" for d in WEEKDAYS], [f"{d}-afternoon" for d in ("mon", "wed", "fri")],
    [f"{d}-afternoon" for d in ("tue", "thu")], [f"{d}-evening" for d in WEEKDAYS],
    ["sat-morning", "sat-afternoon"], ["sun-afternoon"], [f"{d}-morning" for d in WEEKDAYS],
    ["sat-afternoon", "sun-afternoon"],
]
V_TEMPLATES = [  # volunteers: often working → evenings and weekends
    [f"{d}-evening" for d in WEEKDAYS], [f"{d}-evening" for d in ("tue", "thu")],
    ["mon-evening", "wed-evening"], ["sat-morning", "sat-afternoon"],
    ["sun-morning", "sun-afternoon"], [f"{d}-afternoon" for d in ("mon", "wed", "fri")],
    [f"{d}-morning" for d in WEEKDAYS], ["fri-afternoon", "sat-morning"],
]


def districts() -> list[dict[str, Any]]:
    """Düsseldorf's districts from the city file (or a synthetic grid when it is missing)."""
    if CITY.exists():
        return json.loads(CITY.read_text(encoding="utf-8"))["districts"]
    rng = np.random.default_rng(1)
    return [{"id": f"d{k}", "name": f"District {k}", "lat": float(rng.uniform(51.12, 51.35)),
             "lon": float(rng.uniform(6.70, 6.94))} for k in range(50)]


def _pick(rng: np.random.Generator, table: dict[str, float], size: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys])
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _slots(rng: np.random.Generator, templates: list[list[str]]) -> list[str]:
    chosen = set(templates[rng.integers(len(templates))])
    if rng.random() < 0.4:
        chosen |= set(templates[rng.integers(len(templates))])
    if rng.random() < 0.3:
        chosen |= {SLOTS[k] for k in rng.choice(21, size=rng.integers(1, 3), replace=False)}
    return sorted(chosen, key=SLOTS.index)


def generate(n: int, regime: str, seed: int = 0) -> dict[str, Any]:
    """A seeded, realistic instance with n newcomers (volunteers: n/2 scarce, 1.5n plentiful)."""
    rng = np.random.default_rng([seed, n, regime == "scarce"])
    m = n // 2 if regime == "scarce" else (3 * n) // 2
    dists = districts()
    dw = rng.uniform(0.5, 2.0, len(dists))
    dw /= dw.sum()
    did = [d["id"] for d in dists]
    first, second = _pick(rng, FIRST, n), _pick(rng, SECOND, n)
    levels = _pick(rng, LEVELS, n)
    n_mode = _pick(rng, {"in_person": .45, "either": .45, "online": .10}, n)
    n_gender = _pick(rng, {"female": .45, "male": .45, "diverse": .02, "unspecified": .08}, n)
    news = []
    for i in range(n):
        langs = [first[i]]
        if rng.random() < 0.35 and second[i] != first[i]:
            langs.append(second[i])
        g = n_gender[i]
        bg = "female" if g == "female" and rng.random() < 0.35 else (
            "male" if g == "male" and rng.random() < 0.05 else "any")
        news.append({
            "id": f"n{i}", "languages": langs, "german_level": levels[i],
            "district": did[rng.choice(len(did), p=dw)], "availability": _slots(rng, N_TEMPLATES),
            "mode": n_mode[i], "gender": g, "buddy_gender": bg,
            "waiting_days": int(min(700, rng.exponential(60))),
        })
    v_mode = _pick(rng, {"in_person": .35, "either": .55, "online": .10}, m)
    v_gender = _pick(rng, {"female": .60, "male": .35, "diverse": .02, "unspecified": .03}, m)
    extra = _pick(rng, VOL_EXTRA, m)
    vols = []
    for j in range(m):
        langs = ["en"] if rng.random() < 0.5 else []
        if rng.random() < 0.3:
            langs.append(extra[j])
        g = v_gender[j]
        vols.append({
            "id": f"v{j}", "languages": sorted(set(langs)),
            "district": did[rng.choice(len(did), p=dw)],
            "max_km": float(rng.choice([2, 3, 5, 5, 8, 10, 15])),
            "availability": _slots(rng, V_TEMPLATES),
            "capacity": int(rng.choice([1, 2, 3], p=[.6, .3, .1])), "mode": v_mode[j],
            "gender": g, "buddy_gender": "female" if g == "female" and rng.random() < .15
            else "any",
        })
    excluded = [[f"n{i}", f"v{rng.integers(m)}"] for i in range(n) if rng.random() < 0.01]
    return {"districts": dists, "newcomers": news, "volunteers": vols, "excluded": excluded}


# --- peers ------------------------------------------------------------------------------------


def all_pairs(inst: Instance) -> tuple[Encoded, np.ndarray, np.ndarray, np.ndarray]:
    """Every feasible pair with its integer score (solver units), built block by block."""
    enc = Encoded(inst)
    rows, cols, scores = [], [], []
    step = max(1, (1 << 21) // max(enc.m, 1))
    for r0 in range(0, enc.n, step):
        ok, s = enc.block(r0, min(enc.n, r0 + step))
        ok &= (enc.cap > 0)[None, :]
        i, j = np.nonzero(ok)
        rows.append((i + r0).astype(np.int32))
        cols.append(j.astype(np.int32))
        scores.append(s[i, j].astype(np.int64))
    return enc, np.concatenate(rows), np.concatenate(cols), np.concatenate(scores)


def _expand(enc: Encoded, rows: np.ndarray, cols: np.ndarray, w: np.ndarray) -> tuple:
    cap = enc.cap
    offset = np.concatenate(([0], np.cumsum(cap)))
    rep = cap[cols]
    er = np.repeat(rows, rep)
    first = np.repeat(np.cumsum(rep) - rep, rep)
    ec = np.repeat(offset[cols], rep) + (np.arange(len(er)) - first)
    return er, ec, np.repeat(w, rep), int(offset[-1]), offset


def _objective(inst: Instance, enc: Encoded, match: dict[int, int]) -> tuple[int, float]:
    from buddy.matching.feasibility import pair_components, pair_facts

    total = 0.0
    for i, j in match.items():
        n, v = inst.newcomers[i], inst.volunteers[j]
        facts = pair_facts(inst, n, v, km=float(enc.dist[enc.nd[i], enc.vd[j]]))
        assert not facts.broken()
        total += pair_components(facts, n, v).score(inst.weights)
    return len(match), total


def run_dense(inst: Instance) -> dict[str, Any]:
    """Dense linear_sum_assignment on the slot-expanded matrix with one dummy per newcomer."""
    from scipy.optimize import linear_sum_assignment

    enc, rows, cols, s = all_pairs(inst)
    big = enc.max_pair_int * max(1, enc.n) + 1
    er, ec, ew, total, offset = _expand(enc, rows, cols, s + big)
    m_big = float(big + enc.max_pair_int + 1)
    cost = np.full((enc.n, total + enc.n), 3 * m_big)
    cost[:, total:] = m_big
    cost[er, ec] = m_big - ew
    ri, ci = linear_sum_assignment(cost)
    real = ci < total
    owner = np.searchsorted(offset, ci[real], side="right") - 1
    return {"match": dict(zip(ri[real].tolist(), owner.tolist(), strict=True)),
            "feasible": len(rows)}


def run_sparse(inst: Instance) -> dict[str, Any]:
    """min_weight_full_bipartite_matching on every feasible (slot-expanded) pair."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    enc, rows, cols, s = all_pairs(inst)
    big = enc.max_pair_int * max(1, enc.n) + 1
    er, ec, ew, total, offset = _expand(enc, rows, cols, s + big)
    del s
    m_big = float(big + enc.max_pair_int + 1)
    n = enc.n
    mat = sp.csr_matrix(
        (np.concatenate((m_big - ew, np.full(n, m_big))),
         (np.concatenate((er, np.arange(n))), np.concatenate((ec, total + np.arange(n))))),
        shape=(n, total + n))
    del er, ec, ew
    ri, ci = min_weight_full_bipartite_matching(mat)
    real = ci < total
    owner = np.searchsorted(offset, ci[real], side="right") - 1
    return {"match": dict(zip(ri[real].tolist(), owner.tolist(), strict=True)),
            "feasible": len(rows)}


def run_ortools(inst: Instance) -> dict[str, Any]:
    """OR-Tools SimpleMinCostFlow: source → newcomer → volunteer → sink, free flow amount."""
    from ortools.graph.python import min_cost_flow

    enc, rows, cols, s = all_pairs(inst)
    n, m = enc.n, enc.m
    big = enc.max_pair_int * max(1, n) + 1
    src, snk = n + m, n + m + 1
    f = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate((np.full(n, src), rows, n + np.arange(m), [src]))
    heads = np.concatenate((np.arange(n), n + cols, np.full(m, snk), [snk]))
    caps = np.concatenate((np.ones(n + len(rows)), enc.cap, [n])).astype(np.int64)
    costs = np.concatenate((np.zeros(n), -(s + big), np.zeros(m), [0])).astype(np.int64)
    f.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32),
                                           caps, costs)
    f.set_node_supply(src, n)
    f.set_node_supply(snk, -n)
    assert f.solve() == f.OPTIMAL
    base = n
    flows = f.flows(np.arange(base, base + len(rows)))
    used = flows > 0
    return {"match": dict(zip(rows[used].tolist(), cols[used].tolist(), strict=True)),
            "feasible": len(rows)}


def run_greedy(inst: Instance) -> dict[str, Any]:
    """Longest-waiting newcomer first takes the best-scoring volunteer with a free place."""
    enc = Encoded(inst)
    left = enc.cap.copy()
    match: dict[int, int] = {}
    order = np.argsort(-enc.wait_int, kind="stable")
    feasible = 0
    for i in order.tolist():
        ok, s = enc.block(i, i + 1)
        feasible += int(ok.sum())
        ok = ok[0] & (left > 0)
        if ok.any():
            j = int(np.argmax(np.where(ok, s[0], -1)))
            match[i] = j
            left[j] -= 1
    return {"match": match, "feasible": feasible}


def run_buddy(inst: Instance) -> dict[str, Any]:
    """Buddy's solve() (pairs, reasons, unmatched codes and hints included)."""
    t0 = time.perf_counter()

    def say(msg: str) -> None:
        if "block" not in msg and "/" not in msg.split(",")[0]:
            print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", file=sys.stderr, flush=True)

    res = solve(inst, detail=False, progress=say)
    s = res.summary
    return {"pairs": s.pairs, "total": s.total_score, "feasible": s.feasible_pairs,
            "candidates": s.candidate_pairs, "rounds": s.rounds}


RUNNERS = {"buddy": run_buddy, "dense": run_dense, "sparse": run_sparse,
           "ortools": run_ortools, "greedy": run_greedy}


def worker(method: str, n: int, regime: str, seed: int) -> None:
    """Child process: generate, run one method, print one JSON line."""
    inst = parse_instance(generate(n, regime, seed))
    t0 = time.perf_counter()
    out = RUNNERS[method](inst)
    seconds = time.perf_counter() - t0
    if "match" in out:
        enc = Encoded(inst)
        out["pairs"], out["total"] = _objective(inst, enc, out.pop("match"))
    out["seconds"] = seconds
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(method: str, n: int, regime: str, seed: int, repeats: int,
            timeout: float, progress: bool = False) -> dict[str, Any] | None:
    """Run a method ``repeats`` times in fresh child processes; median time, max peak."""
    runs = []
    for _ in range(repeats):
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", method, "--n", str(n), "--regime", regime,
                 "--seed", str(seed)], stdout=subprocess.PIPE,
                stderr=None if progress else subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout {timeout:.0f}s"}
        if proc.returncode != 0:
            tail = ((proc.stderr or "").strip().splitlines() or ["?"])[-1]
            return {"error": tail[:80]}
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    out = dict(runs[-1])
    out["seconds"] = statistics.median(r["seconds"] for r in runs)
    out["peak_mb"] = max(r["peak_mb"] for r in runs)
    out["repeats"] = repeats
    return out


def main() -> None:
    """Parse flags, run the grid, print a table and update bench/RESULTS.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker")
    ap.add_argument("--n", type=int)
    ap.add_argument("--regime", default="plentiful")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--full", action="store_true", help="also N = 20,000 and 100,000")
    ap.add_argument("--sizes", help="comma-separated N values")
    ap.add_argument("--regimes", default="scarce,plentiful")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--append", action="store_true", help="add rows to the existing table")
    ap.add_argument("--repeats", type=int, help="runs per cell (default: 3 up to N = 5,000)")
    ap.add_argument("--progress", action="store_true", help="show Buddy's progress on stderr")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.n, args.regime, args.seed)
        return
    sizes = ([int(x) for x in args.sizes.split(",")] if args.sizes
             else [300, 5_000, 20_000, 100_000] if args.full else [300, 5_000])
    rows = []
    for n in sizes:
        for regime in args.regimes.split(","):
            ref = None
            for method in args.methods.split(","):
                if n > LIMITS[method]:
                    rows.append((n, regime, method, None))
                    continue
                repeats = args.repeats or (3 if n <= 5_000 else 1)
                r = measure(method, n, regime, args.seed, repeats, args.timeout, args.progress)
                if r and "error" not in r and method in EXACT:
                    key = (r["pairs"], r["total"])
                    if ref is None:
                        ref = key
                    elif key[0] != ref[0] or abs(key[1] - ref[1]) > 1e-6 * max(1, key[0]):
                        r["error"] = f"DISAGREES: {key} vs {ref}"
                if r and method == "greedy" and ref is not None and "error" not in r:
                    r["gap"] = (ref[0] - r["pairs"], ref[1] - r["total"])
                rows.append((n, regime, method, r))
                print(_row(n, regime, method, r), flush=True)
    if not args.no_write:
        write(rows, args.append)


def _row(n: int, regime: str, method: str, r: dict[str, Any] | None) -> str:
    if r is None:
        return f"| {n:,} | {regime} | {method} | skipped (does not fit) | | | | |"
    if "error" in r:
        return f"| {n:,} | {regime} | {method} | {r['error']} | | | | |"
    note = f"median of {r['repeats']}" if r["repeats"] > 1 else "1 run"
    if "rounds" in r:
        note += f"; {r['candidates']:,} candidates, {r['rounds']} round(s)"
    if "gap" in r:
        gp, gs = r["gap"]
        pct = 100 * gs / (r["total"] + gs) if r["total"] + gs else 0.0
        note += f"; gap {gp:,} pairs, {gs:.1f} score ({pct:.1f}%)"
    return (f"| {n:,} | {regime} | {method} | {r['seconds']:.2f} | {r['peak_mb']:,.0f} | "
            f"{r['feasible']:,} | {r['pairs']:,} | {r['total']:.4f} | {note} |")


def write(rows: list[tuple[int, str, str, dict[str, Any] | None]], append: bool = False) -> None:
    """Replace (or extend) the generated table in the "## Matching" section of RESULTS.md."""
    head = ("| N | regime | method | seconds | peak MB | feasible pairs | pairs | total score "
            "| notes |\n|---|---|---|---|---|---|---|---|---|\n")
    table = head + "\n".join(_row(*r) for r in rows) + "\n"
    begin, end = "<!-- matching:begin -->", "<!-- matching:end -->"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    if append and begin in text and end in text:
        old = text[text.index(begin) + len(begin) + 1 : text.index(end)]
        table = old + "\n".join(_row(*r) for r in rows) + "\n"
    block = f"{begin}\n{table}{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n## Matching\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}", file=sys.stderr)

if __name__ == "__main__":
    main()
