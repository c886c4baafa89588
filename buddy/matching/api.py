"""The public entry points: solve a round, check or explain one pair or one newcomer."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np

from .explain import hints as make_hints
from .explain import pair_reasons, proposed_pairs, unmatched_codes
from .feasibility import Components, Encoded, pair_components, pair_facts
from .instance import Instance, Newcomer, Volunteer, Weights
from .result import Pair, Reason, Result, Summary, Unmatched
from .solver import Progress, optimise

DETAIL_PAIRS = 20_000_000  # compute nearest almost-fitting volunteers up to unmatched × m


class _RareCollections:
    """Collect garbage rarely while ``solve()`` runs. numba's first load of its kernels and
    the result objects make hundreds of thousands of objects, and the frequent collections
    that triggers walk every live object of the caller too (at 20,000 newcomers: building
    the pairs 0.25 → 0.10 s, the whole run about 0.1 s less). Collections still happen, so
    garbage does not pile up. Nested and concurrent runs share one count; the caller's
    thresholds come back when the last one ends."""

    def __init__(self) -> None:
        """No run in progress."""
        self.lock = threading.Lock()
        self.depth = 0
        self.saved = gc.get_threshold()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        """Raise the first generation's threshold for the duration of the block."""
        with self.lock:
            if self.depth == 0:
                self.saved = gc.get_threshold()
                gc.set_threshold(200_000, *self.saved[1:])
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if self.depth == 0:
                    gc.set_threshold(*self.saved)


_rare_collections = _RareCollections()


@dataclass(frozen=True, slots=True)
class PairExplanation:
    """Why one arbitrary pair is or is not feasible, and what it would score."""

    broken: tuple[str, ...]
    components: Components
    score: float
    reasons: tuple[Reason, ...]


def _lookup(inst: Instance, newcomer_id: str, volunteer_id: str) -> tuple[Newcomer, Volunteer]:
    n = next((p for p in inst.newcomers if p.id == newcomer_id), None)
    v = next((p for p in inst.volunteers if p.id == volunteer_id), None)
    if n is None:
        raise KeyError(f"unknown newcomer {newcomer_id!r}")
    if v is None:
        raise KeyError(f"unknown volunteer {volunteer_id!r}")
    return n, v


def check_pair(inst: Instance, newcomer_id: str, volunteer_id: str) -> list[str]:
    """Codes of the rules (language, time, place, gender, excluded) the pair breaks."""
    n, v = _lookup(inst, newcomer_id, volunteer_id)
    return pair_facts(inst, n, v).broken()


def explain_pair(inst: Instance, newcomer_id: str, volunteer_id: str) -> PairExplanation:
    """Broken rules, score components, score and structured reasons of one pair."""
    n, v = _lookup(inst, newcomer_id, volunteer_id)
    facts = pair_facts(inst, n, v)
    comps = pair_components(facts, n, v)
    return PairExplanation(
        tuple(facts.broken()), comps, comps.score(inst.weights), pair_reasons(facts, comps, n, v)
    )


def explain_unmatched(inst: Instance, newcomer_id: str) -> Unmatched:
    """Reason code and nearest almost-fitting volunteer for one newcomer (ignores capacity use)."""
    enc = Encoded(inst)
    i = enc.nidx[newcomer_id]
    row = np.array([i])
    if enc.m:
        ok, _ = enc.block(i, i + 1)
        feasible = ok.any(axis=1)
    else:
        feasible = np.zeros(1, dtype=bool)
    has = np.zeros(enc.n, dtype=bool)
    has[i] = feasible[0]
    return unmatched_codes(enc, row, has, detail=True)[0]


def solve(
    instance: Instance,
    weights: Weights | None = None,
    pinned: Iterable[tuple[str, str]] = (),
    excluded: Iterable[tuple[str, str]] = (),
    progress: Progress | None = None,
    detail: bool | None = None,
) -> Result:
    """Exact optimum: most pairs, then highest total score; pinned pairs are kept as given.

    ``excluded`` adds to the instance's excluded pairs. ``detail`` controls the nearest
    almost-fitting volunteer of unmatched newcomers (None: only when cheap enough).
    """
    t0 = time.perf_counter()
    inst = instance
    if weights is not None:
        inst = replace(inst, weights=weights)
    extra = frozenset((str(a), str(b)) for a, b in excluded)
    if extra:
        inst = replace(inst, excluded=inst.excluded | extra)
    enc = Encoded(inst)
    news, vols = inst.newcomers, inst.volunteers
    active = np.ones(enc.n, dtype=bool)
    cap = enc.cap.copy()
    pinned_rows: list[tuple[int, int]] = []
    for a, b in pinned:
        if a not in enc.nidx or b not in enc.vidx:
            raise KeyError(f"pinned pair ({a!r}, {b!r}) names an unknown person")
        i, j = enc.nidx[a], enc.vidx[b]
        if not active[i]:
            raise ValueError(f"newcomer {a!r} is pinned twice")
        active[i] = False
        cap[j] = max(0, cap[j] - 1)
        pinned_rows.append((i, j))
    with _rare_collections():
        outcome = optimise(enc, active, cap, progress)
        left = np.flatnonzero((outcome.match < 0) & active)
        if detail is None:
            detail = len(left) * enc.m <= DETAIL_PAIRS
        pairs = [_pair(inst, enc, i, j, pinned=True) for i, j in pinned_rows]
        sel = np.flatnonzero(outcome.match >= 0)
        pairs.extend(proposed_pairs(enc, sel, outcome.match[sel]))
        unmatched = unmatched_codes(enc, left, outcome.has_feasible, detail)
        hint_list = make_hints(inst, [news[i] for i in left])
    total = float(sum(p.score for p in pairs))
    summary = Summary(
        newcomers=len(news),
        volunteers=len(vols),
        pairs=len(pairs),
        total_score=total,
        seconds=time.perf_counter() - t0,
        feasible_pairs=outcome.feasible_pairs,
        candidate_pairs=outcome.candidate_pairs,
        rounds=outcome.rounds,
        certified=outcome.certified,
    )
    return Result(tuple(pairs), tuple(unmatched), tuple(hint_list), summary)


def _pair(inst: Instance, enc: Encoded, i: int, j: int, pinned: bool = False) -> Pair:
    n, v = inst.newcomers[i], inst.volunteers[j]
    facts = pair_facts(inst, n, v, km=float(enc.dist[enc.nd[i], enc.vd[j]]))
    comps = pair_components(facts, n, v)
    return Pair(
        n.id, v.id, comps.score(inst.weights), comps,
        pair_reasons(facts, comps, n, v, pinned), pinned,
    )
