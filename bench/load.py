"""Load and fault benchmark: Buddy under gunicorn and PostgreSQL, with concurrent clients.

    python bench/load.py                       # 60 s of load, then the database checks
    python bench/load.py --seconds 90 --faults # PostgreSQL restarted and SMTP down mid-run

It builds a fresh database `buddy_load` on the local PostgreSQL server (127.0.0.1:5432, trust
auth, user postgres) with the real commands (`flask db upgrade`, `buddy load-city`,
`buddy demo`, `buddy round`), serves the app with gunicorn (4 workers, bench/load_app.py) on a
free localhost port with a real SMTP server (aiosmtpd) in this process, and drives it for a
bounded time with threads that sign newcomers up, log people in, log volunteers' sessions and
approve proposals (several coordinators racing on the same proposals). Every request's latency
and status is recorded. Afterwards it checks the database: every acknowledged sign-up stored
exactly once, no volunteer over capacity, no newcomer with two active matches, no duplicate
outbox key or (recipient, subject) per event, and every queued mail delivered exactly once.

With --faults, PostgreSQL is restarted (`pg_ctlcluster --skip-systemctl-redirect VERSION main
restart`) at 30 % of the run and the SMTP server is stopped from 50 % to 75 % of the run: the
requests that fail must fail during the outage only, fast, and the app must recover without a
restart. Results go to bench/RESULTS.md between the load markers. Only localhost is contacted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
DATABASE = "buddy_load"
SERVER_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DSN = f"host=127.0.0.1 port=5432 user=postgres dbname={DATABASE}"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
PASSWORD = "buddy-demo-2026"
COORDINATOR = "koordination@example.org"
TIMEOUT = 30.0  # seconds a client waits for one response before it counts as an error
PREFACE = """Made by `python bench/load.py` (steady) and `python bench/load.py --faults` on this
machine (2 cores), PostgreSQL on 127.0.0.1 and gunicorn on the same machine as the clients, so
the clients' threads compete with the app for the two cores. Passwords are hashed with the
production setting (scrypt N=65536), so sign-ups and logins are CPU-bound by design."""
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# --------------------------------------------------------------------------- the database


def prepare(instance: Path) -> dict:
    """A fresh `buddy_load` database with the demo city and one matching round; returns the
    environment for `flask` and gunicorn."""
    with psycopg.connect(SERVER_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    env = {**os.environ, "DATABASE_URL": URL, "FLASK_APP": "app",
           "BUDDY_INSTANCE": str(instance), "MAIL_SERVER": ""}
    flask = [sys.executable, "-m", "flask"]
    for args in (["db", "upgrade"], ["buddy", "load-city"], ["buddy", "demo"],
                 ["buddy", "round", "--coordinator", COORDINATOR]):
        done = subprocess.run(flask + args, cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True, timeout=600)
        last = (done.stdout.strip().splitlines() or ["ok"])[-1]
        print(f"  flask {' '.join(args)}: {last}", flush=True)
    return env


def query(sql: str, *params) -> list[tuple]:
    """Rows of one query on the benchmark database (a fresh connection each time)."""
    with psycopg.connect(DSN, connect_timeout=5) as conn:
        return conn.execute(sql, params or None).fetchall()


def workload_targets() -> tuple[list[str], dict[str, list[int]], list[int], int]:
    """Demo newcomers' logins (all have the demo password), volunteers with their active
    matches, the open proposals, and the round id."""
    newcomers = [row[0] for row in query(
        "SELECT email FROM \"user\" WHERE role = 'newcomer' AND email IS NOT NULL ORDER BY id")]
    volunteers: dict[str, list[int]] = {}
    for email, match_id in query(
            "SELECT u.email, m.id FROM match m JOIN volunteer v ON v.id = m.volunteer_id "
            "JOIN \"user\" u ON u.id = v.user_id WHERE m.status = 'active' ORDER BY m.id"):
        volunteers.setdefault(email, []).append(match_id)
    proposals = [row[0] for row in query(
        "SELECT id FROM match WHERE status = 'proposed' ORDER BY id")]
    round_id = query("SELECT max(id) FROM match_round")[0][0]
    return newcomers, volunteers, proposals, round_id


# --------------------------------------------------------------------------- mail


class Inbox:
    """aiosmtpd handler that counts every delivered message by its Message-ID."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.message_ids[str(message["Message-ID"])] += 1
        return "250 OK"


class MailServer:
    """A real SMTP server on a fixed localhost port that can be stopped and started again."""

    def __init__(self, port: int) -> None:
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the clients


@dataclass
class Record:
    """One request: what, when (seconds since the start), how long, and the outcome."""

    kind: str
    start: float
    seconds: float
    status: int  # 0: connection error or timeout
    error: str = ""


@dataclass
class Run:
    """Shared state of one load run."""

    port: int
    t0: float
    deadline: float
    records: list[Record] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # sign-ups answered 302 → /join/done
    unknown: list[str] = field(default_factory=list)  # sign-ups whose POST got no answer
    attempted: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> None:
        with self.lock:
            self.records.append(record)

    def running(self) -> bool:
        return time.monotonic() < self.deadline


class Client:
    """A cookie-keeping HTTP client for the app; every request is recorded in the run."""

    def __init__(self, run: Run) -> None:
        self.run, self.cookies = run, {}

    def request(self, kind: str, method: str, path: str,
                body: dict | None = None) -> tuple[int, str, str]:
        """Status, Location header and body; status 0 when the connection failed."""
        headers = {"Accept-Language": "de", "Host": f"127.0.0.1:{self.run.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.run.port, timeout=TIMEOUT)
        try:
            conn.request(method, path, data, headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.run.add(Record(kind, start - self.run.t0, time.monotonic() - start, 0,
                                type(error).__name__))
            return 0, "", ""
        finally:
            conn.close()
        self.run.add(Record(kind, start - self.run.t0, time.monotonic() - start,
                            response.status))
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, urlsplit(response.getheader("Location") or "").path, text

    def token(self, kind: str, path: str) -> str | None:
        """GET a page and return its CSRF token (None when the page failed)."""
        status, _, page = self.request(kind, "GET", path)
        match = CSRF.search(page) if status == 200 else None
        return match.group(1) if match else None

    def login(self, login: str) -> bool:
        """Log in through the real form; True on success."""
        self.cookies.clear()
        token = self.token("login page", "/login")
        if token is None:
            return False
        status, location, _ = self.request("login", "POST", "/login", {
            "csrf_token": token, "identifier": login, "password": PASSWORD})
        return status == 302 and location != "/login"


def signups(run: Run, tag: str, number: int) -> None:
    """New newcomers sign up, each from a fresh browser, until the time is up."""
    rng = random.Random(number)
    count = 0
    while run.running():
        count += 1
        email = f"load-{tag}-{number}-{count}@example.org"
        client = Client(run)
        token = client.token("sign-up page", "/join/newcomer")
        if token is None:
            time.sleep(0.2)
            continue
        form = {
            "csrf_token": token, "display_name": f"Lasttest {number}-{count}", "phone": "",
            "email": email, "password": "a long password",
            "languages": rng.sample(["ar", "uk", "fa", "tr", "en", "ti"], 2),
            "german_level": rng.choice(["A0", "A1", "A2", "B1"]), "district": "bilk",
            "availability": ["mon-evening", "sat-morning"], "mode": "either",
            "gender": "female", "buddy_gender": "any", "topics": ["everyday"], "consent": "y"}
        with run.lock:
            run.attempted.append(email)
        status, location, _ = client.request("sign-up", "POST", "/join/newcomer", form)
        with run.lock:
            if status == 302 and location == "/join/done":
                run.acknowledged.append(email)
            elif status == 0:
                run.unknown.append(email)


def logins(run: Run, newcomers: list[str], number: int) -> None:
    """Demo newcomers log in, look at their page and log out again."""
    rng = random.Random(1000 + number)
    while run.running():
        client = Client(run)
        if not client.login(rng.choice(newcomers)):
            time.sleep(0.2)
            continue
        token = client.token("my page", "/me/")
        if token is not None:
            client.request("logout", "POST", "/logout", {"csrf_token": token})


def volunteers(run: Run, mine: dict[str, list[int]], number: int) -> None:
    """Volunteers log sessions on their active matches, each at a fresh date (no overlap)."""
    day = Counter()
    logins_ = list(mine)
    clients: dict[str, Client] = {}
    turn = 0
    while run.running() and logins_:
        login = logins_[turn % len(logins_)]
        turn += 1
        client = clients.get(login)
        if client is None:
            client = Client(run)
            if not client.login(login):
                time.sleep(0.2)
                continue
            clients[login] = client
        match_id = random.Random(turn).choice(mine[login])
        token = client.token("session form", f"/me/matches/{match_id}/sessions/new")
        if token is None:
            clients.pop(login)  # logged out or failed: log in again next time
            time.sleep(0.2)
            continue
        day[match_id] += 1
        when = date(2025, 1, 1) + timedelta(days=day[match_id])
        client.request("log session", "POST", f"/me/matches/{match_id}/sessions/new", {
            "csrf_token": token, "date": when.isoformat(), "time": "18:30",
            "duration_minutes": "60", "mode": "in_person", "place": "Stadtbücherei",
            "status": "held", "topics": ["everyday"], "note": f"load run {number}"})


def coordinators(run: Run, proposals: list[int], round_id: int, number: int) -> None:
    """Coordinators read the round and approve its proposals; all of them race on the same
    list, starting a few places apart, so most approvals meet a competitor."""
    client = Client(run)
    ordered = proposals[number * 3:] + proposals[:number * 3]
    index = 0
    while run.running():
        if not client.cookies and not client.login(COORDINATOR):
            time.sleep(0.2)
            continue
        token = client.token("round page", f"/coord/rounds/{round_id}")
        if token is None:
            client.cookies.clear()
            time.sleep(0.2)
            continue
        if index < len(ordered):
            client.request("approve", "POST", f"/coord/matches/{ordered[index]}/approve",
                           {"csrf_token": token})
            index += 1


def warm_up(port: int, round_id: int, workers: int) -> None:
    """Fetch the pages a few times from parallel clients so that every worker has loaded its
    templates and catalogs before the clock starts (these requests are not recorded)."""
    run = Run(port=port, t0=time.monotonic(), deadline=time.monotonic() + 120)

    def fetch() -> None:
        client = Client(run)
        for path in ("/", "/login", "/join/newcomer", "/privacy"):
            client.request("warm-up", "GET", path)
        if client.login(COORDINATOR):
            client.request("warm-up", "GET", f"/coord/rounds/{round_id}")

    threads = [threading.Thread(target=fetch) for _ in range(2 * workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


# --------------------------------------------------------------------------- faults


@dataclass
class Fault:
    """One injected fault: when it started and ended (seconds since the start)."""

    name: str
    start: float
    end: float = float("nan")
    note: str = ""


def restart_postgres(run: Run, at: float, faults: list[Fault]) -> None:
    """Restart the PostgreSQL cluster at `at` seconds and note when it answered again."""
    time.sleep(max(0.0, run.t0 + at - time.monotonic()))
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    fault = Fault("PostgreSQL restart", time.monotonic() - run.t0)
    faults.append(fault)
    done = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                           "restart"], capture_output=True, text=True, timeout=120)
    for _ in range(600):  # at most 60 s until it accepts queries
        try:
            query("SELECT 1")
            break
        except psycopg.Error:
            time.sleep(0.1)
    fault.end = time.monotonic() - run.t0
    fault.note = f"pg_ctlcluster {version} main restart, exit {done.returncode}"


def smtp_outage(run: Run, server: MailServer, start: float, end: float,
                faults: list[Fault]) -> None:
    """Stop the SMTP server from `start` to `end` seconds."""
    time.sleep(max(0.0, run.t0 + start - time.monotonic()))
    fault = Fault("SMTP server down", time.monotonic() - run.t0)
    faults.append(fault)
    server.stop()
    time.sleep(max(0.0, run.t0 + end - time.monotonic()))
    server.start()
    fault.end = time.monotonic() - run.t0


# --------------------------------------------------------------------------- checks


def check_database(run: Run) -> dict[str, int]:
    """Inconsistencies found by SQL (all should be 0)."""
    rows = dict(query("SELECT lower(email), count(*) FROM \"user\" "
                      "WHERE email LIKE 'load-%' GROUP BY lower(email)"))
    acknowledged = set(run.acknowledged)
    return {
        "acknowledged sign-ups missing": sum(1 for e in acknowledged if rows.get(e, 0) == 0),
        "sign-ups stored more than once": sum(1 for n in rows.values() if n > 1),
        "stored sign-ups never attempted": len(set(rows) - set(run.attempted)),
        "stored although answered with an error": sum(
            1 for e in set(run.attempted) - acknowledged if rows.get(e, 0)),
        "acknowledged newcomers without profile": query(
            "SELECT count(*) FROM \"user\" u LEFT JOIN newcomer n ON n.user_id = u.id "
            "WHERE u.email = ANY(%s) AND n.id IS NULL", list(acknowledged))[0][0],
        "volunteers over capacity": query(
            "SELECT count(*) FROM volunteer v WHERE v.active_matches > v.capacity OR "
            "(SELECT count(*) FROM match m WHERE m.volunteer_id = v.id "
            " AND m.status IN ('active', 'paused')) > v.capacity")[0][0],
        "volunteer counters off": query(
            "SELECT count(*) FROM volunteer v WHERE v.active_matches <> "
            "(SELECT count(*) FROM match m WHERE m.volunteer_id = v.id "
            " AND m.status IN ('active', 'paused'))")[0][0],
        "newcomers with two active matches": query(
            "SELECT count(*) FROM (SELECT newcomer_id FROM match WHERE status = 'active' "
            "GROUP BY newcomer_id HAVING count(*) > 1) t")[0][0],
        "matched newcomers without active match": query(
            "SELECT count(*) FROM newcomer n WHERE n.status = 'matched' AND NOT EXISTS "
            "(SELECT 1 FROM match m WHERE m.newcomer_id = n.id "
            " AND m.status IN ('active', 'paused'))")[0][0],
        "duplicate outbox keys": query(
            "SELECT count(*) FROM (SELECT key FROM outbox_mail GROUP BY key "
            "HAVING count(*) > 1) t")[0][0],
        "duplicate (recipient, subject) per event": query(
            "SELECT count(*) FROM (SELECT to_addr, subject, split_part(key, ':', 1), "
            "split_part(key, ':', 2) FROM outbox_mail GROUP BY 1, 2, 3, 4 "
            "HAVING count(*) > 1) t")[0][0],
        "overlapping sessions": query(
            "SELECT count(*) FROM meeting a JOIN meeting b ON a.match_id = b.match_id "
            "AND a.id < b.id AND a.starts_at < b.starts_at + b.duration_minutes * "
            "interval '1 minute' AND b.starts_at < a.starts_at + a.duration_minutes * "
            "interval '1 minute'")[0][0],
    }


def drain_outbox(env: dict, server: MailServer, wait: float) -> dict[str, int]:
    """Run `flask buddy send-mail` until the outbox is empty (waiting for retry pauses, at
    most `wait` seconds) and compare the outbox with what the SMTP server received."""
    deadline = time.monotonic() + wait
    runs = 0
    while True:
        subprocess.run([sys.executable, "-m", "flask", "buddy", "send-mail"], cwd=ROOT,
                       env={**env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(server.port)},
                       check=True, capture_output=True, timeout=300)
        runs += 1
        waiting, due_in = query("SELECT count(*), extract(epoch FROM min(next_attempt_at) - "
                                "(now() AT TIME ZONE 'utc')) FROM outbox_mail "
                                "WHERE status = 'waiting'")[0]
        if not waiting or time.monotonic() > deadline:
            break
        pause = min(max(float(due_in or 0) + 1, 1), deadline - time.monotonic())
        print(f"  {waiting} mails wait for their retry; next in {pause:.0f} s", flush=True)
        time.sleep(max(pause, 0))
    time.sleep(1)  # let the SMTP server finish its last message
    sent = {f"outbox-{i}": status for i, status in query("SELECT id, status FROM outbox_mail")}
    received = server.inbox.message_ids
    by_outbox = Counter()
    for message_id, n in received.items():
        match = re.search(r"(outbox-\d+)@", message_id)
        by_outbox[match.group(1) if match else message_id] += n
    return {
        "outbox rows": len(sent),
        "send-mail runs": runs,
        "still waiting": sum(1 for s in sent.values() if s == "waiting"),
        "failed": sum(1 for s in sent.values() if s == "failed"),
        "sent but never received": sum(1 for k, s in sent.items()
                                       if s == "sent" and by_outbox[k] == 0),
        "received more than once": sum(1 for n in by_outbox.values() if n > 1),
        "received without outbox row": sum(1 for k in by_outbox if k not in sent),
    }


# --------------------------------------------------------------------------- numbers


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of sorted values, NaN when empty."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values)) - 1))]


def summarise(records: list[Record], seconds: float) -> list[tuple]:
    """Per kind and overall: count, rps, p50/p95/p99/max ms, 5xx, connection errors."""
    kinds = sorted({r.kind for r in records}) + ["all"]
    rows = []
    for kind in kinds:
        chosen = [r for r in records if kind in ("all", r.kind)]
        times = sorted(r.seconds * 1000 for r in chosen)
        rows.append((kind, len(chosen), len(chosen) / seconds, percentile(times, 50),
                     percentile(times, 95), percentile(times, 99), times[-1] if times else 0,
                     sum(1 for r in chosen if r.status >= 500),
                     sum(1 for r in chosen if r.status == 0),
                     sum(1 for r in chosen if 400 <= r.status < 500)))
    return rows


def failed(record: Record) -> bool:
    """A 5xx answer, a connection error or a timeout."""
    return record.status == 0 or record.status >= 500


def overlaps(record: Record, start: float, end: float) -> bool:
    """Whether the request was in flight at some moment of [start, end]."""
    return record.start <= end and record.start + record.seconds >= start


def errors_outside(records: list[Record], faults: list[Fault], grace: float) -> int:
    """Failed requests that were not in flight during a PostgreSQL outage (+ grace)."""
    windows = [(f.start, f.end + grace) for f in faults if f.name.startswith("PostgreSQL")]
    return sum(1 for r in records
               if failed(r) and not any(overlaps(r, a, b) for a, b in windows))


def sys_load() -> str:
    """The load average, to say how busy the machine was."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def write(label: str, text: str, preface: str) -> None:
    """Put this run's block (### label) into the load section of bench/RESULTS.md, keeping
    the other run's block; nothing outside the load markers is touched."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    if BEGIN not in current:
        current = current.rstrip() + f"\n\n## Load and faults\n\n{BEGIN}\n{END}\n"
    head, rest = current.split(BEGIN, 1)
    inside, tail = rest.split(END, 1)
    runs = {}
    for part in inside.split("\n### ")[1:]:
        title, _, body = part.partition("\n")
        runs[title.strip()] = body.strip()
    runs[label] = text.split("\n", 1)[1].strip()
    order = sorted(runs, key=lambda t: (not t.startswith("Steady"), t))
    blocks = "\n\n".join(f"### {title}\n\n{runs[title]}" for title in order)
    RESULTS.write_text(f"{head}{BEGIN}\n\n{preface.strip()}\n\n{blocks}\n\n{END}{tail}")


def report(args, label: str, elapsed: float, run: Run, faults: list[Fault],
           consistency: dict, mail: dict, load: tuple[str, str]) -> str:
    """The Markdown for one run."""
    rows = summarise(run.records, elapsed)
    out = [f"### {label}", "",
           f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {elapsed:.0f} s; gunicorn "
           f"{args.workers} sync workers; clients: {args.signups} sign-up, {args.logins} "
           f"login, {args.volunteers} volunteer, {args.coordinators} coordinator threads. "
           f"Load average before / after: {load[0]} → {load[1]}.", "",
           "| requests | count | per s | p50 ms | p95 ms | p99 ms | max ms | 5xx | conn. "
           "errors | 4xx |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for kind, n, rps, p50, p95, p99, worst, e5, ec, e4 in rows:
        name = f"**{kind}**" if kind == "all" else kind
        out.append(f"| {name} | {n:,} | {rps:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
                   f"{worst:.0f} | {e5} | {ec} | {e4} |")
    out += ["", f"Sign-ups: {len(run.attempted)} posted, {len(run.acknowledged)} acknowledged "
            f"(302 → /join/done), {len(run.unknown)} without an answer, "
            f"{consistency.pop('stored although answered with an error')} stored although "
            "answered with an error (the person would be told the address is taken)."]
    slow = sorted(run.records, key=lambda r: -r.seconds)[:3]
    out += ["", "Slowest requests: " + "; ".join(
        f"{r.kind} at {r.start:.1f} s took {r.seconds * 1000:.0f} ms ({r.status or r.error})"
        for r in slow) + "."]
    if faults:
        out += ["", "Faults:"]
        for fault in faults:
            during = [r for r in run.records if overlaps(r, fault.start, fault.end + 5)]
            bad = [r for r in during if failed(r)]
            slowest = max((r.seconds for r in during), default=0)
            out.append(f"- {fault.name} from {fault.start:.1f} s to {fault.end:.1f} s "
                       f"({fault.end - fault.start:.1f} s{'; ' + fault.note if fault.note else ''})"
                       f": {len(bad)} failed of {len(during)} requests in flight then (+5 s), "
                       f"slowest {slowest * 1000:.0f} ms.")
        last_bad = max((r.start + r.seconds for r in run.records if failed(r)), default=None)
        after = [r for r in run.records if last_bad is not None and r.start > last_bad]
        out.append(f"- Failed requests outside the PostgreSQL outage (+{args.grace:.0f} s): "
                   f"{errors_outside(run.records, faults, args.grace)}. The last failed request "
                   f"ended at {'none' if last_bad is None else f'{last_bad:.1f} s'}; the "
                   f"{len(after)} requests started after it all got "
                   f"{'non-5xx answers' if not any(failed(r) for r in after) else 'ERRORS'}, "
                   "with the same gunicorn workers (no restart).")
    out += ["", "Database checks (all should be 0):", ""]
    out += [f"- {name}: {value}" for name, value in consistency.items()]
    out += ["", "Mail (outbox against what the SMTP server received):", ""]
    out += [f"- {name}: {value}" for name, value in mail.items()]
    return "\n".join(out)


def main() -> None:
    """Prepare, serve, drive, check and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--faults", action="store_true",
                        help="restart PostgreSQL and stop the SMTP server mid-run")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--signups", type=int, default=3)
    parser.add_argument("--logins", type=int, default=2)
    parser.add_argument("--volunteers", type=int, default=3)
    parser.add_argument("--coordinators", type=int, default=3)
    parser.add_argument("--grace", type=float, default=5.0,
                        help="seconds after PostgreSQL answers again that errors may still occur")
    parser.add_argument("--mail-wait", type=float, default=420.0,
                        help="at most this long for retry pauses before the outbox must be empty")
    parser.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="buddy-load-"))
    print("Preparing the database …", flush=True)
    env = prepare(instance)
    newcomers, mine, proposals, round_id = workload_targets()
    print(f"  {len(newcomers)} newcomer logins, {len(mine)} volunteers with active matches, "
          f"{len(proposals)} proposals in round {round_id}", flush=True)

    server = MailServer(free_port())
    server.start()
    port = free_port()
    log = instance / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--error-logfile", str(log),
         "bench.load_app:app"],
        cwd=ROOT, env={**env, "BUDDY_LOAD_MAIL_PORT": str(server.port)})
    try:
        for _ in range(300):  # at most 30 s until it answers
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")
                break
            except OSError:
                time.sleep(0.1)
        warm_up(port, round_id, args.workers)
        before = sys_load()
        print(f"Driving http://127.0.0.1:{port} for {args.seconds:.0f} s "
              f"(load average {before}) …", flush=True)
        t0 = time.monotonic()
        run = Run(port=port, t0=t0, deadline=t0 + args.seconds)
        tag = f"{int(time.time())}"
        threads = [threading.Thread(target=signups, args=(run, tag, i))
                   for i in range(args.signups)]
        threads += [threading.Thread(target=logins, args=(run, newcomers, i))
                    for i in range(args.logins)]
        logins_ = sorted(mine)
        for i in range(args.volunteers):
            part = {login: mine[login] for login in logins_[i::args.volunteers]}
            threads.append(threading.Thread(target=volunteers, args=(run, part, i)))
        threads += [threading.Thread(target=coordinators, args=(run, proposals, round_id, i))
                    for i in range(args.coordinators)]
        faults: list[Fault] = []
        if args.faults:
            threads.append(threading.Thread(target=restart_postgres,
                                             args=(run, 0.3 * args.seconds, faults)))
            threads.append(threading.Thread(target=smtp_outage, args=(
                run, server, 0.5 * args.seconds, 0.75 * args.seconds, faults)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 2 * TIMEOUT + 120)
        elapsed = time.monotonic() - t0
        after = sys_load()
        gunicorn_alive = gunicorn.poll() is None
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
    print(f"Done after {elapsed:.1f} s; checking the database and the outbox …", flush=True)
    consistency = check_database(run)
    mail = drain_outbox(env, server, args.mail_wait)
    server.stop()
    label = ("With faults: PostgreSQL restarted, SMTP server down" if args.faults
             else "Steady load")
    text = report(args, label, elapsed, run, faults, consistency, mail, (before, after))
    if not gunicorn_alive:
        text += "\n\n**gunicorn exited during the run.**"
    print(text)
    errors = Counter(r.error or str(r.status) for r in run.records if failed(r))
    print("error kinds:", dict(errors))
    print("gunicorn log:", log)
    if not args.no_write:
        write(label, text, PREFACE)
        print("written to", RESULTS)


if __name__ == "__main__":
    main()
