"""The five feasibility rules and the score formula: per pair, and vectorised over blocks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .instance import (
    BUDDY_GENDERS,
    GENDERS,
    GERMAN,
    SLOT_INDEX,
    District,
    Instance,
    Newcomer,
    Volunteer,
    Weights,
)

EARTH_RADIUS_KM = 6371.0
RULES = ("language", "time", "place", "gender", "excluded")
WAITING_CAP_DAYS = 180
IN_PERSON, ONLINE = 1, 2
_MODE_BITS = {"in_person": IN_PERSON, "online": ONLINE, "either": IN_PERSON | ONLINE}


def haversine_km(a: District, b: District) -> float:
    """Great-circle distance between two district centroids (earth radius 6371.0 km)."""
    if a.lat == b.lat and a.lon == b.lon:
        return 0.0
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Components:
    """The four score components of a pair, each in [0, 1]."""

    language: float
    time: float
    place: float
    waiting: float

    def score(self, w: Weights) -> float:
        """Σ weight × component."""
        return (
            w.language * self.language
            + w.time * self.time
            + w.place * self.place
            + w.waiting * self.waiting
        )


@dataclass(frozen=True, slots=True)
class PairFacts:
    """Everything the rules and the score need to know about one pair."""

    shared: frozenset[str]
    common_slots: tuple[str, ...]
    km: float
    in_person: bool
    online: bool
    gender_ok: bool
    excluded: bool

    def broken(self) -> list[str]:
        """Codes of the rules this pair breaks, in contract order (empty = feasible)."""
        out = []
        if not self.shared:
            out.append("language")
        if not self.common_slots:
            out.append("time")
        if not (self.in_person or self.online):
            out.append("place")
        if not self.gender_ok:
            out.append("gender")
        if self.excluded:
            out.append("excluded")
        return out


def gender_ok(n: Newcomer, v: Volunteer) -> bool:
    """Rule 4: each side's buddy_gender is any or equals the other side's gender."""
    return (n.buddy_gender in ("any", v.gender)) and (v.buddy_gender in ("any", n.gender))


def pair_facts(inst: Instance, n: Newcomer, v: Volunteer, km: float | None = None) -> PairFacts:
    """Evaluate the rules for one pair (plain Python, for explanations and checks)."""
    if km is None:
        km = haversine_km(inst.district(n.district), inst.district(v.district))
    both_in_person = n.mode in ("in_person", "either") and v.mode in ("in_person", "either")
    theirs = set(v.availability)
    return PairFacts(
        shared=n.spoken & v.spoken,
        common_slots=tuple(s for s in n.availability if s in theirs),
        km=km,
        in_person=both_in_person and km <= v.max_km,
        online=n.mode in ("online", "either") and v.mode in ("online", "either"),
        gender_ok=gender_ok(n, v),
        excluded=(n.id, v.id) in inst.excluded,
    )


def pair_components(facts: PairFacts, n: Newcomer, v: Volunteer) -> Components:
    """Score components of a pair per the contract formula."""
    if facts.in_person:
        place = 1.0 - facts.km / v.max_km if v.max_km > 0 else 1.0
    else:
        place = 0.0
    return Components(
        language=1.0 if facts.shared - {GERMAN} else 0.0,
        time=min(len(facts.common_slots), 3) / 3,
        place=place,
        waiting=min(n.waiting_days, WAITING_CAP_DAYS) / WAITING_CAP_DAYS,
    )


def score_scale(weights: Weights) -> float:
    """Integer units per score point used inside the solver (resolution ≤ 1e-7 per pair)."""
    total = weights.language + weights.time + weights.place + weights.waiting
    return 1e8 / max(total, 10.0)


class Encoded:
    """Column-oriented integer encoding of an instance for vectorised rule evaluation."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        news, vols = inst.newcomers, inst.volunteers
        self.n, self.m = n, m = len(news), len(vols)
        w = inst.weights
        self.scale = scale = score_scale(w)
        dist_ids = {d.id: k for k, d in enumerate(inst.districts)}
        kd = len(inst.districts)
        table = np.zeros((kd, kd))
        for a in range(kd):
            for b in range(a + 1, kd):
                table[a, b] = table[b, a] = haversine_km(inst.districts[a], inst.districts[b])
        self.dist = table
        langs = sorted({c for p in (*news, *vols) for c in p.languages} - {GERMAN})
        bit = {GERMAN: 0} | {c: k + 1 for k, c in enumerate(langs)}
        self.lang_codes = [GERMAN, *langs]
        self.words = words = max(1, (len(bit) + 63) // 64)

        known: dict[frozenset[str], list[int]] = {}  # few distinct sets among many people

        def lang_mask(spoken: frozenset[str]) -> list[int]:
            out = known.get(spoken)
            if out is None:
                out = known[spoken] = [0] * words
                for c in spoken:
                    out[bit[c] // 64] |= 1 << (bit[c] % 64)
            return out

        self.nl = np.array([lang_mask(p.spoken) for p in news], dtype=np.uint64).reshape(n, words)
        self.vl = np.array([lang_mask(p.spoken) for p in vols], dtype=np.uint64).reshape(m, words)
        self.n_all_de = bool(np.all(self.nl[:, 0] & np.uint64(1))) if n else True

        slot_masks: dict[tuple[str, ...], int] = {}

        def slot_mask(slots: tuple[str, ...]) -> int:
            out = slot_masks.get(slots)
            if out is None:
                out = slot_masks[slots] = sum(1 << SLOT_INDEX[s] for s in slots)
            return out

        self.ns = np.array([slot_mask(p.availability) for p in news], dtype=np.uint32)
        self.vs = np.array([slot_mask(p.availability) for p in vols], dtype=np.uint32)
        self.nd = np.array([dist_ids[p.district] for p in news], dtype=np.intp)
        self.vd = np.array([dist_ids[p.district] for p in vols], dtype=np.intp)
        self.nm = np.array([_MODE_BITS[p.mode] for p in news], dtype=np.uint8)
        self.vm = np.array([_MODE_BITS[p.mode] for p in vols], dtype=np.uint8)
        self.vmax = np.array([p.max_km for p in vols], dtype=np.float64)
        self.cap = np.array([p.capacity for p in vols], dtype=np.int64)
        self.ngc = np.array([_GCODE[p.gender, p.buddy_gender] for p in news], dtype=np.intp)
        self.vgc = np.array([_GCODE[p.gender, p.buddy_gender] for p in vols], dtype=np.intp)
        self.gender_table = _gender_table()
        self.gender_free = bool(
            np.all(self.gender_table[np.unique(self.ngc)][:, np.unique(self.vgc)])
        )
        waiting = np.array([p.waiting_days for p in news], dtype=np.float64)
        frac = np.minimum(waiting, WAITING_CAP_DAYS) / WAITING_CAP_DAYS
        self.wait_int = np.rint(scale * w.waiting * frac).astype(np.int64)
        self.lang_int = int(round(scale * w.language))
        self.time_int = np.rint(scale * w.time * np.array([0, 1, 2, 3]) / 3).astype(np.int32)
        # district × volunteer tables: in-person feasibility and integer place score
        dkm = table[:, self.vd] if kd else np.zeros((0, m))
        self.inp_table = ((self.vm & IN_PERSON) != 0)[None, :] & (dkm <= self.vmax[None, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            frac_place = np.where(self.vmax > 0, 1.0 - dkm / self.vmax, 1.0)
        self.place_table = np.where(
            self.inp_table, np.rint(scale * w.place * frac_place), 0
        ).astype(np.int32)
        self.wait32 = self.wait_int.astype(np.int32)
        self.max_pair_int = (
            self.lang_int + int(self.time_int[3]) + int(round(scale * w.place))
            + (int(self.wait_int.max()) if n else 0)
        )
        nidx = {p.id: k for k, p in enumerate(news)}
        vidx = {p.id: k for k, p in enumerate(vols)}
        self.nidx, self.vidx = nidx, vidx
        keys = [nidx[a] * m + vidx[b] for a, b in inst.excluded if a in nidx and b in vidx]
        self.excl = np.array(sorted(keys), dtype=np.int64)

    def block(
        self, r0: int, r1: int, cols: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Feasibility mask and int32 score (without the cardinality bonus) of rows r0:r1."""
        cs = slice(None) if cols is None else cols
        rows = slice(r0, r1)
        vl = self.vl[cs]
        both = self.nl[rows, 0][:, None] & vl[None, :, 0]
        other = (both & np.uint64(~1 & 0xFFFFFFFFFFFFFFFF)) != 0
        for k in range(1, self.words):
            extra = (self.nl[rows, k][:, None] & vl[None, :, k]) != 0
            other |= extra
        common = self.ns[rows][:, None] & self.vs[cs][None, :]
        pop = np.bitwise_count(common)
        ok = pop > 0
        if not (self.n_all_de or bool(np.all(self.nl[rows, 0] & np.uint64(1)))):
            ok &= (both != 0) | other
        inp = self.inp_table[self.nd[rows]][:, cs] if cols is not None else (
            self.inp_table[self.nd[rows]]
        )
        inp &= ((self.nm[rows] & IN_PERSON) != 0)[:, None]
        onl = ((self.nm[rows] & ONLINE) != 0)[:, None] & ((self.vm[cs] & ONLINE) != 0)[None, :]
        ok &= inp | onl
        if not self.gender_free:
            ok &= self.gender_table[self.ngc[rows][:, None], self.vgc[cs][None, :]]
        if len(self.excl) and cols is None:
            lo, hi = np.searchsorted(self.excl, [r0 * self.m, r1 * self.m])
            if hi > lo:
                keys = self.excl[lo:hi]
                ok[keys // self.m - r0, keys % self.m] = False
        elif len(self.excl):
            ok &= ~self.excluded_mask(np.arange(r0, r1), np.asarray(cols))
        place = self.place_table[self.nd[rows]]
        if cols is not None:
            place = place[:, cols]
        score = np.where(inp, place, np.int32(0))
        np.minimum(pop, 3, out=pop)
        score += self.time_int.take(pop)
        score += other * np.int32(self.lang_int)
        score += self.wait32[rows][:, None]
        return ok, score

    def excluded_mask(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Boolean matrix: is (rows[a], cols[b]) an excluded pair (rows and cols distinct)."""
        out = np.zeros((len(rows), len(cols)), dtype=bool)
        if not len(self.excl):
            return out
        rpos = np.full(self.n, -1, dtype=np.int64)
        rpos[rows] = np.arange(len(rows))
        cpos = np.full(self.m, -1, dtype=np.int64)
        cpos[cols] = np.arange(len(cols))
        a, b = rpos[self.excl // self.m], cpos[self.excl % self.m]
        hit = (a >= 0) & (b >= 0)
        out[a[hit], b[hit]] = True
        return out

    def rule_masks(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Per-rule satisfaction masks (len(rows) × m), in contract order."""
        both = (self.nl[rows][:, None, :] & self.vl[None, :, :]) != 0
        lang = both.any(axis=2)
        time = (self.ns[rows][:, None] & self.vs[None, :]) != 0
        inp = self.inp_table[self.nd[rows]] & ((self.nm[rows] & IN_PERSON) != 0)[:, None]
        onl = ((self.nm[rows] & ONLINE) != 0)[:, None] & ((self.vm & ONLINE) != 0)[None, :]
        gender = self.gender_table[self.ngc[rows][:, None], self.vgc[None, :]]
        excl = ~self.excluded_mask(np.asarray(rows), np.arange(self.m))
        return {"language": lang, "time": time, "place": inp | onl, "gender": gender,
                "excluded": excl}


_GCODE = {(g, b): a * len(BUDDY_GENDERS) + c
          for a, g in enumerate(GENDERS) for c, b in enumerate(BUDDY_GENDERS)}


def _gender_table() -> np.ndarray:
    size = len(GENDERS) * len(BUDDY_GENDERS)
    table = np.zeros((size, size), dtype=bool)
    for a in range(size):
        for b in range(size):
            ga, ba = GENDERS[a // 3], BUDDY_GENDERS[a % 3]
            gb, bb = GENDERS[b // 3], BUDDY_GENDERS[b % 3]
            table[a, b] = ba in ("any", gb) and bb in ("any", ga)
    return table
