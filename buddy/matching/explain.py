"""Explanations: reasons of a pair, why a newcomer stayed unmatched, recruitment hints."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from .feasibility import IN_PERSON, ONLINE, RULES, WAITING_CAP_DAYS, Components, Encoded, PairFacts
from .instance import GERMAN, SLOTS, Instance, Newcomer, Volunteer
from .result import Hint, Pair, Reason, Unmatched

MAX_HINTS = 5
HINT_SLOTS = 3
_BLOCK = 1 << 20


def pair_reasons(
    facts: PairFacts, comps: Components, n: Newcomer, v: Volunteer, pinned: bool = False
) -> tuple[Reason, ...]:
    """Structured reasons of a pair: language, time, place, waiting (+ pinned, broken rules)."""
    out: list[Reason] = []
    if pinned:
        out.append(Reason("pinned"))
        out.extend(Reason("rule_broken", {"rule": r}) for r in facts.broken())
    return (*out, *_reasons(
        bool(facts.shared), sorted(facts.shared - {GERMAN}), facts.common_slots, comps,
        facts.km, n.district == v.district, facts.in_person, facts.online, n.waiting_days,
    ))


def _reasons(shared: bool, other: list[str], slots: tuple[str, ...], comps: Components,
             km: float, same_district: bool, in_person: bool, online: bool,
             days: float) -> tuple[Reason, ...]:
    out: list[Reason] = []
    if shared:
        out.append(Reason("language", {
            "languages": other or [GERMAN], "component": comps.language,
        }))
    if slots:
        out.append(Reason("time", {"slots": list(slots), "component": comps.time}))
    if in_person or online:
        out.append(Reason("place", {
            "km": round(km, 3),
            "same_district": same_district,
            "in_person": in_person,
            "online": online,
            "component": comps.place,
        }))
    if days > 0:
        out.append(Reason("waiting", {"days": days, "component": comps.waiting}))
    return tuple(out)


def proposed_pairs(enc: Encoded, rows: np.ndarray, cols: np.ndarray) -> list[Pair]:
    """The solver's pairs (feasible, not pinned) with scores and reasons, the facts of all
    of them computed at once; the same values as ``pair_facts`` and ``pair_components``."""
    inst = enc.inst
    news, vols, weights = inst.newcomers, inst.volunteers, inst.weights
    nd, vd = enc.nd[rows], enc.vd[cols]
    km = enc.dist[nd, vd]
    in_person = enc.inp_table[nd, cols] & ((enc.nm[rows] & IN_PERSON) != 0)
    online = ((enc.nm[rows] & ONLINE) != 0) & ((enc.vm[cols] & ONLINE) != 0)
    slots = enc.ns[rows] & enc.vs[cols]
    shared = enc.nl[rows] & enc.vl[cols]
    other = shared.copy()
    other[:, 0] &= np.uint64(~1 & 0xFFFFFFFFFFFFFFFF)
    vmax = enc.vmax[cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        place = np.where(in_person, np.where(vmax > 0, 1.0 - km / vmax, 1.0), 0.0)
    days = np.array([news[i].waiting_days for i in rows.tolist()], dtype=np.float64)
    comps = zip(
        (other != 0).any(axis=1).astype(np.float64).tolist(),
        (np.minimum(np.bitwise_count(slots), 3) / 3).tolist(),
        place.tolist(),
        (np.minimum(days, WAITING_CAP_DAYS) / WAITING_CAP_DAYS).tolist(), strict=True,
    )
    lang_names: dict[tuple[int, ...], list[str]] = {}
    slot_names: dict[int, tuple[str, ...]] = {}
    out = []
    for i, j, c, k, sh, ot, s, same, inp, onl in zip(
        rows.tolist(), cols.tolist(), comps, km.tolist(), shared.any(axis=1).tolist(),
        map(tuple, other.tolist()), slots.tolist(), (nd == vd).tolist(), in_person.tolist(),
        online.tolist(), strict=True,
    ):
        n, v = news[i], vols[j]
        if ot not in lang_names:
            lang_names[ot] = [enc.lang_codes[64 * w + b] for w, x in enumerate(ot)
                              for b in range(64) if x >> b & 1]
        if s not in slot_names:
            slot_names[s] = tuple(SLOTS[b] for b in range(len(SLOTS)) if s >> b & 1)
        comp = Components(*c)
        reasons = _reasons(sh, list(lang_names[ot]), slot_names[s], comp, k, same, inp, onl,
                           n.waiting_days)
        out.append(Pair(n.id, v.id, comp.score(weights), comp, reasons))
    return out


def unmatched_codes(
    enc: Encoded, rows: np.ndarray, has_feasible: np.ndarray, detail: bool
) -> list[Unmatched]:
    """Contract reason code (and optionally nearest almost-fitting volunteer) per row."""
    news, vols = enc.inst.newcomers, enc.inst.volunteers
    if enc.m == 0:
        return [Unmatched(news[i].id, "no_volunteers") for i in rows]
    out: dict[int, Unmatched] = {}
    need = rows if detail else rows[~has_feasible[rows]]
    for i in rows[has_feasible[rows]]:
        out[int(i)] = Unmatched(news[i].id, "capacity")
    step = max(1, _BLOCK // enc.m)
    for s in range(0, len(need), step):
        part = need[s : s + step]
        masks = enc.rule_masks(part)
        alive = np.ones((len(part), enc.m), dtype=bool)
        code = np.full(len(part), -1)
        for r, rule in enumerate(RULES):
            alive &= masks[rule]
            newly = (code < 0) & ~alive.any(axis=1)
            code[newly] = r
        if detail:
            broken = sum((~masks[rule]).astype(np.int8) for rule in RULES)
            km = enc.dist[enc.nd[part]][:, enc.vd]
        for a, i in enumerate(part):
            reason = "capacity" if code[a] < 0 else f"{_CODES[code[a]]}"
            if not detail:
                out[int(i)] = Unmatched(news[i].id, reason)
                continue
            feasible = broken[a] == 0
            pool = feasible if feasible.any() else broken[a] == 1
            if not pool.any():
                out[int(i)] = Unmatched(news[i].id, reason)
                continue
            j = int(np.argmin(np.where(pool, km[a], np.inf)))
            if feasible[j]:
                rule = "capacity"
            else:
                rule = next(r for r in RULES if not masks[r][a, j])
            out[int(i)] = Unmatched(news[i].id, reason, vols[j].id, rule, float(km[a, j]))
    return [out[int(i)] for i in rows]


_CODES = {
    0: "no_common_language",
    1: "no_common_time",
    2: "no_common_place",
    3: "gender_preference",
    4: "excluded",
}


def hints(inst: Instance, unmatched: list[Newcomer], limit: int = MAX_HINTS) -> list[Hint]:
    """Greedy recruitment hints: profiles fitting the most still-uncovered unmatched newcomers."""
    by_id = {d.id: d for d in inst.districts}
    use_borough = bool(inst.districts) and all(d.borough is not None for d in inst.districts)

    def area(n: Newcomer) -> str:
        d = by_id[n.district]
        return d.borough if use_borough and d.borough is not None else d.id

    masks = {n.id: sum(1 << SLOTS.index(s) for s in n.availability) for n in unmatched}
    groups: dict[tuple[str, str], list[Newcomer]] = defaultdict(list)
    for n in unmatched:
        if n.availability:
            for lang in n.spoken:
                groups[(lang, area(n))].append(n)
    found = {key: _greedy_slots([masks[n.id] for n in members])
             for key, members in groups.items()}
    out: list[Hint] = []
    while groups and len(out) < limit:
        best: tuple[int, int, str, str] | None = None
        best_slots: tuple[str, ...] = ()
        best_members: list[Newcomer] = []
        for (lang, where), members in groups.items():
            slots, covered = found[(lang, where)]
            rank = (len(covered), lang != GERMAN, lang, where)
            if best is None or rank[:2] > best[:2] or (
                rank[:2] == best[:2] and rank[2:] < best[2:]
            ):
                best, best_slots = rank, slots
                best_members = [members[k] for k in covered]
        if best is None or best[0] == 0:
            break
        lang, where = best[2], best[3]
        district = Counter(n.district for n in best_members).most_common(1)[0][0]
        borough = where if use_borough else by_id[district].borough
        out.append(Hint(lang, district, best_slots, best[0], borough))
        taken = {n.id for n in best_members}
        for key, members in list(groups.items()):  # only groups that lost someone change
            if any(n.id in taken for n in members):
                kept = [n for n in members if n.id not in taken]
                if kept:
                    groups[key], found[key] = kept, _greedy_slots([masks[n.id] for n in kept])
                else:
                    del groups[key], found[key]
    return out


def _greedy_slots(masks: list[int]) -> tuple[tuple[str, ...], list[int]]:
    """Pick up to HINT_SLOTS slots covering the most masks; return slots and covered indices."""
    arr = np.array(masks, dtype=np.int64)
    chosen = 0
    for _ in range(HINT_SLOTS):
        open_ = (arr & chosen) == 0
        if not open_.any():
            break
        counts = ((arr[open_][:, None] >> np.arange(21)) & 1).sum(axis=0)
        b = int(np.argmax(counts))
        if counts[b] == 0:
            break
        chosen |= 1 << b
    covered = np.flatnonzero((arr & chosen) != 0).tolist()
    slots = tuple(SLOTS[b] for b in range(21) if chosen >> b & 1)
    return slots, covered
