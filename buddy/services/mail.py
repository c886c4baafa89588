"""The outbox: every e-mail is a row first and is sent afterwards, with retries."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from buddy import clock
from buddy.extensions import db
from buddy.models import MailStatus, OutboxMail

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def queue(key: str, to_addr: str, locale: str, template: str, **context) -> OutboxMail:
    """Render an e-mail in the recipient's locale and add it to the outbox (caller commits).

    The key names the event and the recipient; a mail whose key is already queued is not
    queued again, so a repeated request sends one e-mail.
    """
    existing = db.session.scalar(select(OutboxMail).where(OutboxMail.key == key))
    if existing is not None:
        return existing
    subject, body = render(template, locale, **context)
    mail = OutboxMail(key=key, to_addr=to_addr, locale=locale, subject=subject, body=body)
    db.session.add(mail)
    return mail


def render(template: str, locale: str, **context) -> tuple[str, str]:
    """Subject and body of an e-mail template in the given locale."""
    with force_locale(locale):
        text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


@dataclass(frozen=True)
class SendReport:
    """What one pass over the outbox did."""

    sent: int
    retried: int
    failed: int


def _claim(mail: OutboxMail) -> bool:
    """Take a mail for sending; False when another sender got it first.

    The mail must still be due: a sender that claimed it moved `next_attempt_at` a lease
    ahead. (`mail.attempts` alone is not enough: the commit of an earlier claim expires the
    object, so it is reloaded with the other sender's count and would match again.)
    """
    now = clock.now()
    result = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail.id,
            OutboxMail.status == MailStatus.WAITING,
            OutboxMail.attempts == mail.attempts,
            OutboxMail.next_attempt_at <= now,
        )
        .values(attempts=OutboxMail.attempts + 1, next_attempt_at=now + LEASE)
    )
    db.session.commit()
    return result.rowcount == 1


def _deliver(mail: OutboxMail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    # stable per outbox row: if a mail is ever delivered twice (a crash between sending and
    # recording it), mail programs see the same Message-ID and show it once
    message["Message-ID"] = f"<outbox-{mail.id}.{mail.key_digest}@{_domain(config)}>"
    message.set_content(mail.body)
    message["Content-Language"] = mail.locale
    if not config["MAIL_SERVER"]:
        current_app.logger.info("mail (no SMTP server set) to %s: %s", mail.to_addr, mail.subject)
        return
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def _domain(config) -> str:
    address = parseaddr(config["MAIL_SENDER"])[1]
    return address.rpartition("@")[2] or "buddy.local"


def send_pending(limit: int = 200) -> SendReport:
    """Send the mails that are due; a failure is retried later with growing pauses."""
    due = db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.status == MailStatus.WAITING, OutboxMail.next_attempt_at <= clock.now())
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    sent = retried = failed = 0
    for mail in due:
        if not _claim(mail):
            continue
        try:
            _deliver(mail)
        except (OSError, smtplib.SMTPException) as error:
            mail.last_error = f"{type(error).__name__}: {error}"[:500]
            if mail.attempts >= MAX_ATTEMPTS:
                mail.status = MailStatus.FAILED
                failed += 1
            else:
                mail.next_attempt_at = clock.now() + timedelta(minutes=2**mail.attempts)
                retried += 1
        else:
            mail.status = MailStatus.SENT
            mail.sent_at = clock.now()
            mail.last_error = None
            sent += 1
        db.session.commit()
    return SendReport(sent=sent, retried=retried, failed=failed)


def send_soon(response):
    """Send due mail right after this response has gone out (never inside the request)."""
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SEND_AFTER_REQUEST", True):
        return response

    def send() -> None:
        with app.app_context():
            try:
                send_pending(limit=20)
            except Exception:  # the outbox keeps the mail; `flask buddy send-mail` retries
                app.logger.exception("sending mail after a request failed")
            finally:
                db.session.remove()

    response.call_on_close(send)
    return response
