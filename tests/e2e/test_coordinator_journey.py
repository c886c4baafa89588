"""A coordinator runs a round on the demo city, reads why a pair was proposed, approves it,
and the introduction e-mail reaches the newcomer in their own language."""

import pytest

from buddy.extensions import db
from buddy.models import Match, MatchStatus, User
from buddy.services.demo import COORDINATOR_EMAIL, DEMO_PASSWORD, create_demo

from e2e_helpers import serve
from smtp_server import SMTPServer


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory, smtp):
    def setup(app):
        create_demo(app.config["CITY"])
        db.session.execute(db.update(User).where(User.email == COORDINATOR_EMAIL)
                           .values(locale="en"))
        db.session.commit()

    with serve(tmp_path_factory.mktemp("demo"), setup=setup, MAIL_SERVER="127.0.0.1",
               MAIL_PORT=smtp.port, MAIL_SEND_AFTER_REQUEST=True) as app:
        yield app


def test_coordinator_runs_a_round_and_approves(demo_app, browser, smtp, shot):
    base = demo_app.config["LIVE_URL"]
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/login")
    page.locator("#identifier").fill(COORDINATOR_EMAIL)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url("**/coord/")
    charts = page.locator("svg.chart")
    assert charts.count() >= 5
    for k in range(charts.count()):
        box = charts.nth(k).bounding_box()
        assert box["width"] > 300 and box["height"] > 100, "every chart is drawn"
    assert page.locator("svg.chart rect").count() > 20
    shot(page, "0-dashboard")
    page.get_by_role("link", name="Matching rounds").click()
    page.get_by_role("button", name="Run a round").click()
    page.wait_for_url("**/coord/rounds/*")
    assert "Pairs proposed" in page.inner_text("main")
    shot(page, "1-round")

    # take a proposal whose newcomer has an e-mail address and reads a language we translate
    with demo_app.app_context():
        match = next(
            m for m in db.session.scalars(db.select(Match).where(
                Match.status == MatchStatus.PROPOSED).order_by(Match.score.desc()))
            if m.newcomer.user.email and m.newcomer.user.locale not in ("de", "en")
        )
        match_id, locale = match.id, match.newcomer.user.locale
        newcomer_email = match.newcomer.user.email
        volunteer_first = match.volunteer.first_name
    row = page.locator(f"#match-{match_id}")
    reasons = row.locator("ul.reasons").inner_text()
    assert "common time" in reasons and ("both speak" in reasons or "km apart" in reasons
                                         or "same part of the city" in reasons)
    row.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert "Both get an e-mail." in page.inner_text("main")
    shot(page, "2-approved")

    import time

    deadline = time.time() + 20
    while time.time() < deadline and not any(m["To"] == newcomer_email
                                             for m in smtp.inbox.messages):
        time.sleep(0.2)
    [intro] = [m for m in smtp.inbox.messages if m["To"] == newcomer_email]
    assert intro["Content-Language"] == locale
    assert volunteer_first in intro["Subject"]
    assert not intro["Subject"].startswith("We have found"), "the subject is translated"
    context.close()
