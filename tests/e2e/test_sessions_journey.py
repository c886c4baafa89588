"""A volunteer logs a session and ends the match; the newcomer checks in on a phone in
Ukrainian; the coordinator sees the follow-up item appear and resolves it."""

from datetime import timedelta

import pytest

from buddy import clock
from buddy.extensions import db
from buddy.models import (
    Availability,
    FollowUp,
    GermanLevel,
    Match,
    MatchStatus,
    Meeting,
    Newcomer,
    NewcomerStatus,
    Role,
    User,
    Volunteer,
    VolunteerStatus,
)
from buddy.services import followup, sessions
from buddy.services.accounts import hash_password

from e2e_helpers import serve
from helpers import PASSWORD, district


@pytest.fixture(scope="module")
def journey_app(tmp_path_factory):
    def setup(app):
        def user(email, role, locale):
            return User(email=email, role=role, locale=locale,
                        password_hash=hash_password(PASSWORD))

        newcomer = Newcomer(user=user("olena@example.org", Role.NEWCOMER, "uk"),
                            display_name="Olena Melnyk", german_level=GermanLevel.A1,
                            district=district("bilk"), status=NewcomerStatus.MATCHED,
                            availability=Availability(["mon-evening"]))
        newcomer.languages = ["uk"]
        volunteer = Volunteer(user=user("julia@example.org", Role.VOLUNTEER, "en"),
                              display_name="Julia Weber", district=district("bilk"),
                              status=VolunteerStatus.ACTIVE, capacity=1, active_matches=1,
                              availability=Availability(["mon-evening"]))
        coordinator = user("chef@example.org", Role.COORDINATOR, "en")
        match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE,
                      decided_at=clock.now() - timedelta(days=5))
        db.session.add_all([newcomer, volunteer, coordinator, match])
        db.session.commit()

    with serve(tmp_path_factory.mktemp("journey"), setup=setup) as app:
        yield app


def log_in(page, base, email):
    page.goto(base + "/login")
    page.locator("#identifier").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()


def test_sessions_checkin_and_follow_up(journey_app, browser, shot):
    base = journey_app.config["LIVE_URL"]
    yesterday = (clock.now() - timedelta(days=1)).date().isoformat()

    desk = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, base, "julia@example.org")
    page.get_by_role("link", name="Sessions and more").click()
    page.get_by_role("link", name="Plan or log a session").click()
    page.locator("#date").fill(yesterday)
    page.locator("#time").fill("18:30")
    page.locator("input[name=status][value=held]").check()
    page.locator("input[name=topics][value=letters]").check()
    page.locator("#submit").click()
    assert "The session is saved." in page.inner_text("main")
    assert "took place" in page.inner_text("main")
    shot(page, "1-logged")

    with journey_app.app_context():
        meeting = db.session.scalar(db.select(Meeting))
        token = sessions.checkin_token(meeting)
    phone = browser.new_context(locale="uk-UA", viewport={"width": 390, "height": 844},
                                is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    mobile.goto(f"{base}/checkin/{token}")
    assert mobile.get_attribute("html", "lang") == "uk"
    buttons = mobile.locator("form.big-choice button")
    assert buttons.count() == 3
    assert buttons.nth(1).bounding_box()["height"] >= 48, "big buttons for a thumb"
    assert buttons.nth(1).inner_text() == "Ні, ми не зустрілися"
    shot(mobile, "2-checkin")
    buttons.nth(1).tap()  # "No, we did not meet"
    mobile.wait_for_load_state()
    assert mobile.locator("h1").inner_text() != ""
    shot(mobile, "3-thanks")
    with journey_app.app_context():
        assert db.session.scalar(db.select(Meeting.newcomer_answer)) == "not_met"
        followup.scan()

    page.get_by_role("link", name="End the match").click()
    page.locator("input[name=reason][value=no_time]").check()
    page.locator("#submit").click()
    assert "The match has ended." in page.inner_text("main")
    page.locator("header form button[type=submit]").first.click()

    log_in(page, base, "chef@example.org")
    page.goto(base + "/coord/follow-up")
    queue = page.inner_text("main")
    assert "Newcomer and volunteer disagree whether a session took place" in queue
    shot(page, "4-queue")
    page.get_by_role("link", name="Newcomer and volunteer disagree whether a session took "
                                   "place").click()
    assert "No, we did not meet" in page.inner_text("main")
    page.get_by_role("button", name="Resolve").click()
    assert "The item is resolved." in page.inner_text("main")
    with journey_app.app_context():
        kinds = set(db.session.scalars(db.select(FollowUp.kind).where(
            FollowUp.status != "resolved")))
        assert "disagreement" not in kinds
    desk.close()
    phone.close()
