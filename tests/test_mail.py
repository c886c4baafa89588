"""The outbox: written first, sent to a real SMTP server, retried when it is down."""

from datetime import datetime, timedelta

import pytest

from buddy.extensions import db
from buddy.models import MailStatus, OutboxMail
from buddy.services import mail

from smtp_server import SMTPServer, free_port


@pytest.fixture
def smtp(app):
    server = SMTPServer().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()


def queue_reset(to="olena@example.org", locale="ar", key="reset:1"):
    mail.queue(key=key, to_addr=to, locale=locale, template="reset_password",
               link="http://buddy.test/reset/abc", minutes=60)
    db.session.commit()


def test_mail_is_sent_once_in_the_recipients_language(smtp):
    queue_reset()
    queue_reset()  # the same event again: still one mail
    report = mail.send_pending()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert mail.send_pending().sent == 0
    [message] = smtp.inbox.messages
    assert message["To"] == "olena@example.org"
    assert message["Subject"] == "كلمة مرورك الجديدة في Buddy"
    assert message["Content-Language"] == "ar"
    assert "http://buddy.test/reset/abc" in message.get_content()
    stored = db.session.scalar(db.select(OutboxMail))
    assert message["Message-ID"] == f"<outbox-{stored.id}.{stored.key_digest}@localhost>"
    assert stored.status == MailStatus.SENT and stored.sent_at is not None


def test_server_down_then_back_nothing_lost_nothing_twice(app, frozen_clock):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    start = datetime(2026, 3, 3, 9, 0)
    frozen_clock(start)
    queue_reset(key="reset:1")
    queue_reset(to="sam@example.org", locale="de", key="reset:2")

    report = mail.send_pending()
    assert (report.sent, report.retried) == (0, 2)
    stored = db.session.scalars(db.select(OutboxMail)).all()
    assert all(m.status == MailStatus.WAITING and "Connection" in m.last_error for m in stored)
    assert mail.send_pending().sent == 0, "not due yet: backoff"

    server = SMTPServer(port).start()
    try:
        frozen_clock(start + timedelta(minutes=3))
        report = mail.send_pending()
        assert report.sent == 2
        assert mail.send_pending().sent == 0
        assert sorted(m["To"] for m in server.inbox.messages) == [
            "olena@example.org", "sam@example.org"]
    finally:
        server.stop()


def test_a_mail_another_sender_claimed_meanwhile_is_not_sent_again(smtp, frozen_clock):
    """Two senders (e.g. two gunicorn workers after their requests) load the same due mails;
    the commit of this sender's first claim reloads the second mail with the other sender's
    attempt count, which must not let this sender claim it a second time."""
    frozen_clock(datetime(2026, 3, 3, 9, 0))
    queue_reset(key="reset:1")
    queue_reset(to="sam@example.org", locale="de", key="reset:2")
    first, second = db.session.scalars(db.select(OutboxMail).order_by(OutboxMail.id)).all()
    with db.engine.begin() as other:  # the other sender claims the second mail
        other.execute(db.update(OutboxMail).where(OutboxMail.id == second.id).values(
            attempts=OutboxMail.attempts + 1, next_attempt_at=datetime(2026, 3, 3, 9, 5)))
    assert mail._claim(first) is True
    assert mail._claim(second) is False, "already claimed by the other sender"


def test_a_mail_fails_for_good_after_the_last_attempt(app, frozen_clock):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=1)
    when = datetime(2026, 3, 3, 9, 0)
    frozen_clock(when)
    queue_reset()
    for _ in range(mail.MAX_ATTEMPTS):
        mail.send_pending()
        when += timedelta(days=1)
        frozen_clock(when)
    stored = db.session.scalar(db.select(OutboxMail))
    assert stored.status == MailStatus.FAILED and stored.attempts == mail.MAX_ATTEMPTS


def test_without_smtp_settings_mail_goes_to_the_log(app, caplog):
    queue_reset()
    with caplog.at_level("INFO"):
        assert mail.send_pending().sent == 1
    assert "olena@example.org" in caplog.text


def test_outbox_page_shows_failed_mail_with_its_error(client, make_coordinator, app):
    from helpers import login

    db.session.add(OutboxMail(key="k", to_addr="a@example.org", locale="de", subject="Hallo",
                              body="x", status=MailStatus.FAILED, attempts=8,
                              last_error="ConnectionRefusedError: refused"))
    db.session.commit()
    login(client, make_coordinator())
    html = client.get("/coord/outbox").get_data(as_text=True)
    assert "ConnectionRefusedError: refused" in html and "fehlgeschlagen" in html
