"""A deterministic demo city: newcomers, volunteers, matches with months of sessions."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, insert, select, text, update

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    Availability,
    District,
    EndReason,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    Newcomer,
    NewcomerLanguage,
    NewcomerStatus,
    Role,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services.accounts import hash_password
from buddy.services.demo_people import newcomer_profile, pick, volunteer_profile

DEMO_PASSWORD = "buddy-demo-2026"
COORDINATOR_EMAIL = "koordination@example.org"
BATCH = 5000


class DemoError(ValueError):
    """The demo cannot be loaded here; str() says why."""


@dataclass(frozen=True)
class DemoReport:
    """What the demo created and how to log in."""

    newcomers: int
    volunteers: int
    matches: int
    meetings: int
    logins: list[tuple[str, str, str]]  # (role, login, password)


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert rows with ids given here (fast executemany) and return those ids in order."""
    first = (db.session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    for row_id, row in zip(ids, rows, strict=True):
        row["id"] = row_id
    _bulk(model, rows)
    if db.engine.dialect.name == "postgresql" and rows:
        table = model.__table__.name
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), {ids[-1]})"))
    return ids


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def create_demo(
    city: str,
    newcomers: int = 300,
    seed: int = 2015,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Fill an empty database with a realistic city; `newcomers` sets the size."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise DemoError("the database already has people in it; the demo needs an empty one")
    district_ids = list(db.session.scalars(select(District.id).where(District.city == city)))
    if not district_ids:
        raise DemoError(f"no districts for city {city!r}; run 'flask buddy load-city' first")
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    now = clock.now().replace(microsecond=0)
    password_hash = hash_password(DEMO_PASSWORD)
    volunteers = max(newcomers // 2, 1)

    coordinator_id = _insert(User, [{
        "email": COORDINATOR_EMAIL, "password_hash": password_hash, "role": Role.COORDINATOR,
        "locale": "de", "created_at": now - timedelta(days=400),
    }])[0]

    say(f"{newcomers} newcomers")
    n_profiles = [newcomer_profile(rng) for _ in range(newcomers)]
    n_users = []
    for i, p in enumerate(n_profiles):
        kind = pick(rng, {"phone": 60, "both": 25, "email": 15})
        n_users.append({
            "email": f"newcomer{i + 1}@example.org" if kind != "phone" else None,
            "phone": f"+49151{i + 1:08d}" if kind != "email" else None,
            "password_hash": password_hash, "role": Role.NEWCOMER,
            "locale": p["languages"][0] if p["languages"][0] in _ui_locales() else "en",
            "created_at": now - timedelta(days=rng.randint(0, 240)),
        })
    n_user_ids = _insert(User, n_users)
    n_rows = []
    for user_id, user, p in zip(n_user_ids, n_users, n_profiles, strict=True):
        n_rows.append({
            "user_id": user_id, "display_name": p["display_name"],
            "district_id": rng.choice(district_ids), "german_level": p["german_level"],
            "availability": Availability(p["availability"]), "mode": p["mode"],
            "gender": p["gender"], "buddy_gender": p["buddy_gender"], "topics": p["topics"],
            "status": NewcomerStatus.WAITING, "waiting_since": user["created_at"],
            "consent_at": user["created_at"], "created_at": user["created_at"],
            "updated_at": user["created_at"],
        })
    n_ids = _insert(Newcomer, n_rows)
    _bulk(NewcomerLanguage, [
        {"newcomer_id": nid, "code": code}
        for nid, p in zip(n_ids, n_profiles, strict=True) for code in p["languages"]
    ])

    say(f"{volunteers} volunteers")
    v_profiles = [volunteer_profile(rng) for _ in range(volunteers)]
    v_users = [{
        "email": f"volunteer{i + 1}@example.org",
        "phone": f"+49170{i + 1:08d}" if rng.random() < 0.5 else None,
        "password_hash": password_hash, "role": Role.VOLUNTEER, "locale": "de",
        "created_at": now - timedelta(days=rng.randint(0, 400)),
    } for i in range(volunteers)]
    v_user_ids = _insert(User, v_users)
    v_rows = []
    for i, (user_id, user, p) in enumerate(zip(v_user_ids, v_users, v_profiles, strict=True)):
        status = pick(rng, {"active": 85, "pending": 10, "paused": 5})
        if i == 0:
            status = "active"
        v_rows.append({
            "user_id": user_id, "display_name": p["display_name"],
            "district_id": rng.choice(district_ids),
            "availability": Availability(p["availability"]),
            "mode": p["mode"], "gender": p["gender"], "buddy_gender": p["buddy_gender"],
            "capacity": int(p["capacity"]), "active_matches": 0, "max_km": p["max_km"],
            "motivation": p["motivation"], "status": VolunteerStatus(status),
            "approved_at": user["created_at"] + timedelta(days=3) if status != "pending" else None,
            "consent_at": user["created_at"], "created_at": user["created_at"],
            "updated_at": user["created_at"],
        })
    v_ids = _insert(Volunteer, v_rows)

    say("matches and sessions")
    matches, meetings = _demo_matches(
        rng, now, coordinator_id, n_ids, n_rows, n_profiles, v_ids, v_rows, v_profiles
    )
    db.session.commit()
    first_newcomer = next(
        (u["phone"] or u["email"] for u, r in zip(n_users, n_rows, strict=True)
         if r["status"] == NewcomerStatus.MATCHED), n_users[0]["phone"] or n_users[0]["email"]
    )
    return DemoReport(
        newcomers=newcomers, volunteers=volunteers, matches=matches, meetings=meetings,
        logins=[("coordinator", COORDINATOR_EMAIL, DEMO_PASSWORD),
                ("volunteer", v_users[0]["email"], DEMO_PASSWORD),
                ("newcomer", first_newcomer, DEMO_PASSWORD)],
    )


def _ui_locales() -> set[str]:
    from buddy.config import LANGUAGES

    return set(LANGUAGES)


def _speaks_with(n_profile: dict, v_profile: dict) -> bool:
    shared = set(n_profile["languages"]) & set(v_profile["languages"])
    return bool(shared) or n_profile["german_level"] not in ("A0", "A1")


def _demo_matches(rng, now, coordinator_id, n_ids, n_rows, n_profiles, v_ids, v_rows,
                  v_profiles) -> tuple[int, int]:
    """Pair about a third of the newcomers with active volunteers; add their sessions.

    A big city gets years of history: matches started up to three years ago, the older ones
    ended after some months, each with weekly sessions while it lasted.
    """
    history_days = 180 if len(n_ids) <= 1000 else 3 * 365
    by_language: dict[str, list[int]] = defaultdict(list)
    for j, (row, p) in enumerate(zip(v_rows, v_profiles, strict=True)):
        if row["status"] == VolunteerStatus.ACTIVE:
            by_language["de"].append(j)
            for code in p["languages"]:
                by_language[code].append(j)
    match_rows, meeting_plan = [], []
    order = list(range(len(n_ids)))
    rng.shuffle(order)
    for i in order[: len(order) // 3]:
        j = _pick_volunteer(rng, n_profiles[i], by_language, v_rows, v_profiles)
        if j is None:
            continue
        started = now - timedelta(days=rng.randint(10, history_days))
        age = (now - started).days
        ended = age >= 30 and rng.random() < (0.12 if age < 180 else 0.5 if age < 365 else 0.95)
        ended_at = started + timedelta(days=rng.randint(20, min(age, 365))) if ended else None
        match_rows.append({
            "newcomer_id": n_ids[i], "volunteer_id": v_ids[j],
            "status": MatchStatus.ENDED if ended else MatchStatus.ACTIVE,
            "score": None, "components": {}, "reasons": [],
            "proposed_at": started - timedelta(days=1), "decided_by_id": coordinator_id,
            "decided_at": started, "ended_at": ended_at,
            "end_reason": rng.choice(list(EndReason)) if ended else None,
        })
        meeting_plan.append((len(match_rows) - 1, started, ended_at))
        if ended:
            continue
        v_rows[j]["active_matches"] += 1
        n_rows[i]["status"] = NewcomerStatus.MATCHED
    match_ids = _insert(Match, match_rows)
    meetings = _demo_meetings(rng, now, match_ids, meeting_plan)
    _sync_status(n_ids, n_rows, v_ids, v_rows)
    return len(match_ids), meetings


def _pick_volunteer(rng, newcomer: dict, by_language, v_rows, v_profiles) -> int | None:
    """A volunteer with a free place who shares a language (a few random tries)."""
    codes = list(newcomer["languages"]) + (["de"] if newcomer["german_level"] >= "A2" else [])
    pools = [by_language[c] for c in codes if by_language.get(c)]
    for _ in range(25 if pools else 0):
        pool = rng.choice(pools)
        j = pool[rng.randrange(len(pool))]
        if v_rows[j]["active_matches"] < v_rows[j]["capacity"] and _speaks_with(
                newcomer, v_profiles[j]):
            return j
    return None


def _demo_meetings(rng, now, match_ids, meeting_plan) -> int:
    rows = []
    for index, started, ended_at in meeting_plan:
        when = started + timedelta(days=rng.randint(3, 10))
        when = when.replace(hour=rng.choice([10, 14, 17, 18]), minute=0, second=0)
        stalls = rng.random() < 0.15
        last = ended_at or now + timedelta(days=7)
        while when < last:
            future = when > now
            status = MeetingStatus.PLANNED if future else pick(
                rng, {"held": 82, "cancelled": 10, "no_show": 8})
            rows.append({
                "match_id": match_ids[index], "starts_at": when, "duration_minutes": 60,
                "mode": "in_person", "place": rng.choice(["Stadtbücherei", "Café", "Park"]),
                "status": MeetingStatus(status), "topics": ["everyday"] if status == "held" else [],
                "topics_other": "", "note": "", "created_at": when - timedelta(days=5),
            })
            if stalls and ended_at is None and when > now - timedelta(days=40):
                break
            when += timedelta(days=rng.choice([7, 7, 7, 14]))
    _bulk(Meeting, rows)
    return len(rows)


def _sync_status(n_ids, n_rows, v_ids, v_rows) -> None:
    """Write the matched statuses and volunteers' active counts decided above."""
    matched = [nid for nid, row in zip(n_ids, n_rows, strict=True)
               if row["status"] == NewcomerStatus.MATCHED]
    for start in range(0, len(matched), BATCH):
        db.session.execute(
            update(Newcomer).where(Newcomer.id.in_(matched[start:start + BATCH]))
            .values(status=NewcomerStatus.MATCHED)
        )
    counts = [(vid, row["active_matches"]) for vid, row in zip(v_ids, v_rows, strict=True)
              if row["active_matches"]]
    if counts:
        db.session.execute(
            update(Volunteer),
            [{"id": vid, "active_matches": count} for vid, count in counts],
        )

