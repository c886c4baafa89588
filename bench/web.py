"""Page times of the main pages at the demo size and at a large city (median and p95).

    python bench/web.py                      # builds both cities in a temp folder first
    python bench/web.py --demo A.db --large B.db [--repeat 20]

Each city is a SQLite file made by `flask buddy demo` (300 newcomers) and
`flask buddy demo --scale 100000`. The app is served by werkzeug on a free localhost port and
every page is fetched over HTTP, one request at a time, logged in as the right person.
Results go to bench/RESULTS.md between the web markers.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- web:begin -->", "<!-- web:end -->"
COORDINATOR = ("koordination@example.org", "buddy-demo-2026")
PAGES = ["/coord/", "/coord/newcomers", "/coord/newcomers?status=waiting&language=ar",
         "/coord/volunteers?status=pending", "/coord/follow-up", "/coord/rounds",
         "/coord/equity", "/coord/report", "/coord/outbox", "/coord/stale"]


def build_city(folder: Path, scale: int) -> Path:
    """A fresh SQLite city made by the real commands."""
    env = {**os.environ, "BUDDY_INSTANCE": str(folder), "FLASK_APP": "app"}
    flask = [sys.executable, "-m", "flask"]
    for args in (["db", "upgrade"], ["buddy", "load-city"],
                 ["buddy", "demo", "--scale", str(scale)]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True)
    return folder / "buddy.db"


class Client:
    """A tiny cookie-keeping HTTP client for one host."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Accept-Language": "de"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        text = response.read().decode()
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text

    def login(self, login: str, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/login", {"csrf_token": token, "identifier": login,
                                                    "password": password})
        assert status == 302, f"login as {login} failed ({status})"


def serve(db_file: Path):
    """The app on a free port, with this city's database."""
    from werkzeug.serving import make_server

    sys.path.insert(0, str(ROOT))
    from buddy.web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
                      "RATELIMIT_ENABLED": False, "MAIL_SEND_AFTER_REQUEST": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return app, server


def people(app) -> tuple[str, str, int]:
    """A volunteer and a newcomer of an active match (for their pages), and a round id."""
    from buddy.extensions import db
    from buddy.models import Match, MatchStatus

    with app.app_context():
        match = db.session.scalar(db.select(Match).where(Match.status == MatchStatus.ACTIVE))
        return match.volunteer.user.login, match.newcomer.user.login, match.id


def measure(db_file: Path, repeat: int) -> dict[str, tuple[float, float]]:
    """Median and p95 milliseconds per page."""
    app, server = serve(db_file)
    coordinator = Client(server.server_port)
    coordinator.login(*COORDINATOR)
    volunteer_login, newcomer_login, match_id = people(app)
    volunteer, newcomer = Client(server.server_port), Client(server.server_port)
    volunteer.login(volunteer_login, COORDINATOR[1])
    newcomer.login(newcomer_login, COORDINATOR[1])
    targets = [(coordinator, p) for p in PAGES] + [
        (volunteer, "/me/"), (volunteer, f"/me/matches/{match_id}"), (newcomer, "/me/")]
    out = {}
    for client, page in targets:
        times = []
        for _ in range(repeat + 1):
            start = time.perf_counter()
            status, _ = client.request("GET", page)
            times.append((time.perf_counter() - start) * 1000)
            assert status == 200, (page, status)
        times = sorted(times[1:])  # the first request warms caches
        role = "volunteer" if client is volunteer else "newcomer"
        shown = page.replace(str(match_id), "<id>")
        label = shown if client is coordinator else f"{shown} ({role})"
        out[label] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
    server.shutdown()
    return out


def write(demo: dict, large: dict, sizes: str) -> None:
    """Replace the web section of bench/RESULTS.md."""
    lines = [BEGIN, "", f"Measured {time.strftime('%Y-%m-%d')} on this machine (2 cores); "
             f"{sizes}.",
             "Median and p95 of the requests after one warm-up, one request at a time.", "",
             "| page | demo median ms | demo p95 ms | large median ms | large p95 ms | ratio |",
             "|---|---:|---:|---:|---:|---:|"]
    for page, (dm, dp) in demo.items():
        lm, lp = large.get(page, (float("nan"), float("nan")))
        lines.append(f"| `{page}` | {dm:.0f} | {dp:.0f} | {lm:.0f} | {lp:.0f} | {lm / dm:.1f}× |")
    lines += ["", END]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Web pages\n\n" + "\n".join(lines) + "\n"
    RESULTS.write_text(text)


def main() -> None:
    """Build or take the two cities, measure, record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path)
    parser.add_argument("--large", type=Path)
    parser.add_argument("--scale", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="buddy-bench-"))
    demo_db = args.demo or build_city(tmp / "demo", 300)
    large_db = args.large or build_city(tmp / "large", args.scale)
    demo = measure(demo_db, args.repeat)
    large = measure(large_db, args.repeat)
    for page in demo:
        print(f"{page:55} demo {demo[page][0]:7.1f} ms   large {large[page][0]:7.1f} ms")
    write(demo, large, f"demo = 300 newcomers, large = --scale {args.scale}")


if __name__ == "__main__":
    main()
