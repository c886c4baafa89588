"""The equity view and the city report."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Blueprint, Response, jsonify, render_template, request

from buddy import clock
from buddy.models import Role
from buddy.services import report, stats
from buddy.views.access import role_required

bp = Blueprint("dashboard", __name__, url_prefix="/coord")


@bp.get("/equity")
@role_required(Role.COORDINATOR)
def equity():
    """Who the matching leaves behind: waiting time and match rate by group."""
    return render_template("coord/equity.html", tables={
        d: stats.equity(d) for d in stats.EQUITY_DIMENSIONS})


def _period() -> tuple[date, date]:
    """The report period from ?start=&end= (ISO dates); the last 12 months by default."""
    today = clock.now().date()
    try:
        end = date.fromisoformat(request.args.get("end", "")) if request.args.get("end") \
            else today
        start = date.fromisoformat(request.args.get("start", "")) if request.args.get(
            "start") else end - timedelta(days=365)
    except ValueError:
        start, end = today - timedelta(days=365), today
    return (start, end) if start <= end else (end, start)


@bp.get("/report")
@role_required(Role.COORDINATOR)
def city_report():
    """The anonymous city report as a printable page."""
    start, end = _period()
    return render_template("coord/report.html", report=report.build(start, end))


@bp.get("/report.json")
@role_required(Role.COORDINATOR)
def city_report_json():
    """The anonymous city report as JSON."""
    start, end = _period()
    return jsonify(report.as_json(report.build(start, end)))


@bp.get("/report.csv")
@role_required(Role.COORDINATOR)
def city_report_csv():
    """The anonymous city report as CSV."""
    start, end = _period()
    out = io.StringIO()
    csv.writer(out).writerows(report.as_rows(report.build(start, end)))
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=buddy-report-{start}-{end}.csv"})
