"""Hypothesis throws arbitrary, huge, empty and malformed values at the forms: never a 500,
never a half-written row — on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from buddy.extensions import db
from buddy.models import Meeting, Newcomer, User, Volunteer

from helpers import login, newcomer_form, volunteer_form

FUZZ = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# text with NUL, bidi controls, Arabic-Indic digits, RTL marks, emoji, huge values
nasty = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("\x00\u202e\u2066\u200c\u200d\u200f٠١٢٣٤٥٦٧٨٩ab@+ 🌸"),
            max_size=30),
    st.just("x" * 20_000), st.just(""), st.just("9" * 40), st.just("-1"),
    st.just("AMINA@EXAMPLE.ORG"), st.just("٠١٥١٢٣٤٥٦٧٨٩"),
)


def consistent() -> None:
    """Every newcomer/volunteer has a user and every non-coordinator user has a profile."""
    users = db.session.scalar(select(func.count()).select_from(User).where(
        User.role != "coordinator"))
    profiles = (db.session.scalar(select(func.count()).select_from(Newcomer))
                + db.session.scalar(select(func.count()).select_from(Volunteer)))
    assert users == profiles


@FUZZ
@given(field=st.sampled_from(sorted(newcomer_form())), value=nasty,
       extra=st.dictionaries(st.sampled_from(["role", "status", "id", "user_id"]), nasty,
                             max_size=2))
def test_newcomer_signup_never_fails_badly(client, field, value, extra):
    client.post("/logout")
    response = client.post("/join/newcomer",
                           data={**newcomer_form(email=""), field: value, **extra})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    consistent()
    stored = db.session.scalars(select(Newcomer.display_name)).all()
    assert all("\x00" not in name and "\u202e" not in name for name in stored)


@FUZZ
@given(field=st.sampled_from(sorted(volunteer_form())), value=nasty)
def test_volunteer_signup_never_fails_badly(client, field, value):
    client.post("/logout")
    response = client.post("/join/volunteer", data={**volunteer_form(), field: value})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    consistent()


@FUZZ
@given(identifier=nasty, password=nasty)
def test_login_and_reset_never_fail_badly(client, identifier, password):
    assert client.post("/login", data={"identifier": identifier,
                                       "password": password}).status_code in (200, 302)
    assert client.post("/reset", data={"identifier": identifier}).status_code in (200, 302)


@FUZZ
@given(field=st.sampled_from(["date", "time", "duration_minutes", "mode", "place", "status",
                              "cancelled_by", "topics", "topics_other", "note"]), value=nasty)
def test_session_form_never_fails_badly(client, make_newcomer, make_volunteer, field, value):
    from buddy.models import Match, MatchStatus

    volunteer = db.session.scalar(select(Volunteer)) or make_volunteer()
    match = db.session.scalar(select(Match))
    if match is None:
        match = Match(newcomer=make_newcomer(), volunteer=volunteer, status=MatchStatus.ACTIVE)
        db.session.add(match)
        db.session.commit()
    login(client, volunteer.user)
    before = db.session.scalar(select(func.count()).select_from(Meeting))
    data = {"date": "2026-05-05", "time": "18:00", "duration_minutes": "60",
            "mode": "in_person", "status": "planned", field: value}
    response = client.post(f"/me/matches/{match.id}/sessions/new", data=data)
    assert response.status_code in (200, 302)
    after = db.session.scalar(select(func.count()).select_from(Meeting))
    assert after in (before, before + 1) and (after == before + 1) == (response.status_code
                                                                      == 302)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["status", "district", "language", "min_days",
                                               "page", "start", "end"]), nasty, max_size=4))
def test_coordinator_filters_never_fail_badly(client, make_coordinator, params):
    if not client.get_cookie("session"):
        login(client, db.session.scalar(select(User).where(User.role == "coordinator"))
              or make_coordinator())
    for url in ("/coord/newcomers", "/coord/volunteers", "/coord/report", "/coord/outbox",
                "/coord/follow-up", "/coord/stale"):
        assert client.get(url, query_string=params).status_code in (200, 302)


@FUZZ
@given(values=st.fixed_dictionaries({}, optional={
    "language": nasty, "time": nasty, "place": nasty, "waiting": nasty}))
def test_round_weights_never_fail_badly(client, make_coordinator, values):
    if not client.get_cookie("session"):
        login(client, db.session.scalar(select(User).where(User.role == "coordinator"))
              or make_coordinator())
    assert client.post("/coord/rounds", data=values).status_code in (200, 302)


@FUZZ
@given(kind=nasty, text=nasty, reason=nasty, note=nasty, lang=nasty)
def test_report_end_and_language_never_fail_badly(client, make_newcomer, make_volunteer,
                                                  kind, text, reason, note, lang):
    from buddy.models import Match, MatchStatus, NewcomerStatus

    match = db.session.scalar(select(Match).where(Match.status == MatchStatus.ACTIVE))
    if match is None:
        number = db.session.scalar(select(func.count()).select_from(User))
        newcomer = make_newcomer(email=f"n{number}@x.org")
        match = Match(newcomer=newcomer, volunteer=make_volunteer(
            email=f"v{newcomer.id}@x.org"), status=MatchStatus.ACTIVE)
        newcomer.status = NewcomerStatus.MATCHED
        match.volunteer.active_matches = 1
        db.session.add(match)
        db.session.commit()
    client.post("/logout")
    login(client, match.newcomer.user)
    assert client.post(f"/me/matches/{match.id}/report",
                       data={"kind": kind, "text": text}).status_code in (200, 302)
    assert client.post("/lang", data={"lang": lang, "next": text}).status_code == 302
    response = client.post(f"/me/matches/{match.id}/end", data={"reason": reason,
                                                               "note": note})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert match.volunteer.active_matches in (0, 1)
    assert (match.volunteer.active_matches == 0) == (match.status == MatchStatus.ENDED)


@settings(FUZZ, max_examples=8)
@given(field=st.sampled_from(sorted(newcomer_form())), value=nasty,
       current=nasty, new=nasty, code=nasty)
def test_profile_password_and_code_forms_never_fail_badly(client, make_newcomer,
                                                          field, value, current, new, code):
    newcomer = db.session.scalar(select(Newcomer)) or make_newcomer(email="amina@example.org")
    client.post("/logout")
    login(client, newcomer.user)
    assert client.post("/me/profile", data={**newcomer_form(), field: value}).status_code in (
        200, 302)
    assert client.post("/me/password", data={"current": current, "password": new}
                       ).status_code in (200, 302)
    assert client.post("/login/code", data={"code": code}).status_code in (200, 302)
    assert client.post("/reset/" + (value or "x")[:200], data={
        "password": new, "confirm": new}).status_code in (200, 302, 404)
    db.session.expire_all()
    consistent()


@settings(FUZZ, max_examples=8)
@given(field=st.sampled_from(sorted(newcomer_form())), value=nasty, number=nasty,
       reason=nasty, kind=nasty, days=nasty, upload=st.binary(max_size=300))
def test_coordinator_forms_never_fail_badly(client, make_coordinator, make_newcomer,
                                           make_volunteer, field, value, number, reason,
                                           kind, days, upload):
    import io

    from buddy.models import FollowUp, Match, MatchStatus

    coordinator = db.session.scalar(select(User).where(User.role == "coordinator")) \
        or make_coordinator()
    if db.session.scalar(select(FollowUp)) is None:
        match = Match(newcomer=make_newcomer(email="fz-n@example.org"),
                      volunteer=make_volunteer(email="fz-v@example.org"),
                      status=MatchStatus.PROPOSED)
        db.session.add_all([match, FollowUp(match=match, kind="rematch")])
        db.session.commit()
    match = db.session.scalar(select(Match))
    item = db.session.scalar(select(FollowUp))
    client.post("/logout")
    login(client, coordinator)
    posts = [
        ("/coord/newcomers/new", {**newcomer_form(password=None, locale="ar"), field: value}),
        ("/coord/manual", {"newcomer": number, "volunteer": number, "override_reason": reason}),
        (f"/coord/matches/{match.id}/reject", {"reason": reason}),
        (f"/coord/follow-up/{item.id}", {"kind": kind, "text": reason}),
        (f"/coord/follow-up/{item.id}/snooze", {"days": days}),
        ("/coord/matches/approve", {"match": [number, value]}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code in (200, 302), url
    response = client.post("/coord/import", data={
        "kind": kind, "file": (io.BytesIO(upload), "people.csv")},
        content_type="multipart/form-data")
    assert response.status_code in (200, 302)
    db.session.expire_all()
    consistent()
