"""`flask buddy …` commands: thin wrappers over the services."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from buddy.extensions import db


def fail(message: str) -> None:
    """Print one line naming the problem and exit with status 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@click.group("buddy")
def buddy_cli() -> None:
    """Buddy administration commands."""


@buddy_cli.command("load-city")
@with_appcontext
def load_city_command() -> None:
    """Load or update the districts of the city named by the CITY setting."""
    from buddy.services.city import CityError, load_city

    city = current_app.config["CITY"]
    try:
        count = load_city(city)
    except CityError as error:
        fail(str(error))
    click.echo(f"{count} districts of {city} loaded.")


@buddy_cli.command("demo")
@click.option("--scale", type=click.IntRange(min=1), default=300, show_default=True,
              help="Number of newcomers (volunteers: half as many).")
@click.option("--if-empty", is_flag=True, help="Do nothing when people exist already.")
@with_appcontext
def demo_command(scale: int, if_empty: bool) -> None:
    """Create a deterministic demo city and print the demo logins."""
    from buddy.models import User
    from buddy.services.demo import DemoError, create_demo

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database has people in it already; no demo data added.")
        return
    try:
        with click.progressbar(length=3, label="Demo city", file=sys.stderr) as bar:
            report = create_demo(current_app.config["CITY"], newcomers=scale,
                                 progress=lambda message: bar.update(1))
    except DemoError as error:
        fail(str(error))
    click.echo(f"Demo: {report.newcomers} newcomers, {report.volunteers} volunteers, "
               f"{report.matches} matches, {report.meetings} sessions.")
    click.echo("Demo logins:")
    for role, login, password in report.logins:
        click.echo(f"  {role:<12} {login:<28} password: {password}")


@buddy_cli.command("create-coordinator")
@click.option("--email", prompt=True, help="The coordinator's e-mail address (the login).")
@click.password_option(help="At least 8 characters.")
@with_appcontext
def create_coordinator_command(email: str, password: str) -> None:
    """Create a coordinator account."""
    from buddy.services.accounts import AccountError, create_coordinator

    try:
        user = create_coordinator(email, password)
    except AccountError as error:
        fail(str(error))
    click.echo(f"Coordinator {user.email} created.")


@buddy_cli.command("send-mail")
@with_appcontext
def send_mail_command() -> None:
    """Send the e-mails waiting in the outbox (retrying failed ones when due)."""
    from buddy.services.mail import send_pending

    report = send_pending()
    click.echo(f"{report.sent} sent, {report.retried} to retry later, {report.failed} failed.")


@buddy_cli.command("round")
@click.option("--coordinator", "email", required=True, help="Who runs the round (e-mail).")
@with_appcontext
def round_command(email: str) -> None:
    """Run a matching round with the default weights and show its progress."""
    from buddy.models import User
    from buddy.services import rounds

    coordinator = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if coordinator is None or coordinator.role.value != "coordinator":
        fail(f"--coordinator: no coordinator with the e-mail address {email!r}")
    round_ = rounds.start_round(coordinator, rounds.default_weights())
    with click.progressbar(length=100, label="Matching", file=sys.stderr,
                           show_pos=False) as bar:
        def progress(message: str) -> None:
            bar.label = f"Matching: {message}"[:60]
            bar.update(1)
        round_ = rounds.run_round(round_.id, progress=progress)
        bar.update(100)
    if round_.status.value != "done":
        fail(f"the round failed: {round_.error}")
    click.echo(f"Round {round_.id}: {round_.pairs} pairs proposed for {round_.newcomers} "
               f"newcomers and {round_.volunteers} volunteers in {round_.seconds:.2f} s; "
               f"{len(round_.unmatched)} without a buddy.")


@buddy_cli.command("stale")
@with_appcontext
def stale_command() -> None:
    """Ask long-waiting newcomers whether they are still interested; pause non-answers."""
    from buddy.services import stale

    report = stale.run()
    click.echo(f"{report.asked} asked by e-mail, {report.to_call} to call, "
               f"{report.paused} paused for lack of an answer.")


@buddy_cli.command("followup")
@with_appcontext
def followup_command() -> None:
    """Apply the follow-up rules and add items for stalled matches (run it daily)."""
    from buddy.services import followup

    click.echo(f"{followup.scan()} new follow-up items.")


@buddy_cli.command("checkins")
@with_appcontext
def checkins_command() -> None:
    """E-mail the one-tap check-in link for sessions of the last two days (run it daily)."""
    from buddy.services import sessions

    click.echo(f"{sessions.send_checkins()} check-in e-mails queued.")


@buddy_cli.command("digest")
@with_appcontext
def digest_command() -> None:
    """E-mail the coordinators what is due in the follow-up queue (run it weekly)."""
    from buddy.services import followup

    click.echo(f"{followup.send_digest()} digests queued.")


@buddy_cli.command("retention")
@click.option("--apply", is_flag=True, help="Anonymise for real (without it: a dry run).")
@with_appcontext
def retention_command(apply: bool) -> None:
    """Anonymise people inactive for RETENTION_MONTHS and old ended matches (idempotent)."""
    from buddy.services import privacy

    plan = privacy.retention(apply=apply)
    verb = "anonymised" if apply else "would be anonymised (dry run; --apply to do it)"
    click.echo(f"{len(plan.people)} people and {len(plan.ended_matches)} ended matches {verb}.")
    for user_id in plan.people:
        click.echo(f"  person {user_id}")
    for match_id in plan.ended_matches:
        click.echo(f"  match {match_id}")


@buddy_cli.command("backup")
@click.option("--to", "target", type=click.Path(dir_okay=False, writable=True),
              help="The backup file (default: instance/backups/buddy-<time>.<ext>).")
@with_appcontext
def backup_command(target: str | None) -> None:
    """Back up the database: SQLite's online backup API, or pg_dump for PostgreSQL."""
    from buddy.services.backup import BackupError, backup

    try:
        path = backup(target)
    except BackupError as error:
        fail(str(error))
    click.echo(f"Backup written to {path}")
