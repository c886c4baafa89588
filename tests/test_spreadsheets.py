"""Spreadsheets in and out: CSV import with a dry run, the template, and audited exports."""

import csv
import io
import re
import threading
from datetime import datetime
from html import unescape

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
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

from helpers import PASSWORD, count, csrf_token, login

EN = {"Accept-Language": "en"}
NEWCOMER_HEADER = ("display_name;email;phone;languages;german_level;district;availability;mode;"
                   "gender;buddy_gender;topics;locale;consent")


@pytest.fixture
def coordinator(client, make_coordinator):
    user = make_coordinator(locale="en")
    login(client, user)
    return user


@pytest.fixture
def german_coordinator(client, make_coordinator):
    user = make_coordinator()
    login(client, user)
    return user


def excel_file(*rows: str, header: str = NEWCOMER_HEADER) -> bytes:
    """What Excel writes as “CSV UTF-8” in a German locale: BOM, semicolons, CRLF."""
    return ("\ufeff" + "\r\n".join((header, *rows)) + "\r\n").encode()


def upload(client, data: bytes, kind: str = "newcomer", name: str = "people.csv", **kwargs):
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that it never closes (a ResourceWarning under filterwarnings=error).
    boundary, body = encode_multipart(
        {"kind": kind, "file": FileStorage(io.BytesIO(data), name, content_type="text/csv")})
    return client.post("/coord/import", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def dry_run(client, data: bytes, kind: str = "newcomer", headers=EN):
    """Upload a file and return the dry-run page's address and HTML."""
    response = upload(client, data, kind)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = response.headers["Location"]
    return page, unescape(client.get(page, headers=headers).get_data(as_text=True))


def digest_of(html: str) -> str:
    return re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', html).group(1)


def confirm(client, page: str, html: str, headers=EN):
    response = client.post(f"{page}/confirm", data={"digest": digest_of(html)})
    assert response.status_code == 302
    return unescape(client.get(response.headers["Location"], headers=headers)
                    .get_data(as_text=True))


def row_errors(html: str, line: int) -> str:
    start = html.index(f'id="row-{line}"')
    return html[start:html.index("</tr>", start)]


AMINA = "Amina Haddad;amina@example.org;0151 23456789;ar en;A1;bilk;mon-evening sat-morning;" \
        "either;female;female;everyday|letters;ar;ja"
YUSUF = "Yusuf Ali;;'+49 176 12345678;fa;A0;oberkassel;tue-morning;online;male;any;;fa;yes"


def test_excel_file_with_bom_semicolons_and_crlf(client, coordinator):
    page, html = dry_run(client, excel_file(AMINA, YUSUF))
    assert "Nothing has been saved yet." in html
    assert 'id="row-2" class="ok"' in html and 'id="row-3" class="ok"' in html
    assert count(Newcomer) == 0 and count(User) == 1  # the dry run wrote nothing
    html = confirm(client, page, html)
    assert "2 people were imported." in html
    amina = db.session.scalar(db.select(Newcomer).join(Newcomer.user)
                              .where(User.email == "amina@example.org"))
    assert amina.user.phone == "+4915123456789" and amina.user.locale == "ar"
    assert list(amina.languages) == ["ar", "en"] and amina.topics == ["everyday", "letters"]
    assert amina.availability == {"mon-evening", "sat-morning"}
    assert amina.status == NewcomerStatus.WAITING and amina.consent_at is not None
    yusuf = db.session.scalar(db.select(Newcomer).where(Newcomer.display_name == "Yusuf Ali"))
    assert yusuf.user.email is None and yusuf.mode.value == "online"
    assert yusuf.district.slug == "oberkassel" and yusuf.user.role == Role.NEWCOMER


def test_comma_file_without_bom_for_volunteers(client, coordinator):
    data = (b"display_name,email,languages,district,max_km,availability,capacity,consent\n"
            b'Julia Weber,julia@example.org,"en fr",bilk,3,mon-evening,2,yes\n'
            b"Paul Schmitz,paul@example.org,,flingern-nord,,sat-morning,,yes\n")
    page, html = dry_run(client, data, kind="volunteer")
    assert html.count('class="ok"') == 2, html
    assert "2 people were imported." in confirm(client, page, html)
    julia = db.session.scalar(db.select(Volunteer).where(Volunteer.display_name == "Julia Weber"))
    assert julia.status == VolunteerStatus.PENDING and julia.capacity == 2
    assert julia.max_km == 3 and list(julia.languages) == ["en", "fr"]
    paul = db.session.scalar(db.select(Volunteer).where(Volunteer.display_name == "Paul Schmitz"))
    assert paul.max_km == 5 and paul.capacity == 1 and paul.mode.value == "either"  # defaults
    assert paul.user.locale == "de"


BAD = ("Bad Row;;;ar;A1;nowhere;mon-evening;either;female;any;;ar;yes",
       ";bad@example.org;;ar;A1;bilk;;either;female;any;;ar;")


def test_bad_rows_get_messages_in_german_by_default(client, german_coordinator):
    page, html = dry_run(client, excel_file(AMINA, *BAD), headers={})
    assert 'id="row-2" class="ok"' in html
    assert "Bitte wähle aus der Liste." in row_errors(html, 3)  # district
    assert "Bitte gib deinen Namen ein." in row_errors(html, 4)
    assert "Bitte wähle mindestens eine Zeit." in row_errors(html, 4)
    assert "Bitte stimme zu, damit wir deine Angaben speichern dürfen." in row_errors(html, 4)


def test_bad_rows_get_messages_in_the_coordinators_language(client, coordinator):
    page, html = dry_run(client, excel_file(AMINA, *BAD))
    third, fourth = row_errors(html, 3), row_errors(html, 4)
    assert 'data-field="district"' in third and "Please choose from the list." in third
    assert "Please enter your name." in fourth and "Please choose at least one time." in fourth
    assert "Please agree so that we may store your details." in fourth
    assert "1 person was imported." in confirm(client, page, html)
    assert count(Newcomer) == 1
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "import.confirmed"))
    assert event.actor_id == coordinator.id
    assert event.data == {"kind": "newcomer", "rows": 3, "created": 1, "skipped": 2,
                          "filename": "people.csv"}


def test_duplicates_in_the_database_and_within_the_file(client, coordinator, make_newcomer):
    make_newcomer(email="amina@example.org")
    again = AMINA.replace("amina@example.org", "other@example.org")  # same phone as row 2
    page, html = dry_run(client, excel_file(AMINA, again, YUSUF))
    assert "Someone with this contact is already registered." in row_errors(html, 2)
    assert "The same contact is already in row 2." in row_errors(html, 3)
    assert 'id="row-4" class="ok"' in html
    confirm(client, page, html)
    assert count(Newcomer) == 2  # the one made before and Yusuf


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty."),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
     "This is not a CSV file."),
    (bytes(range(256)) * 4, "This is not a CSV file."),
    (b"Name;E-Mail\r\nAmina;amina@example.org\r\n", "The first row must name the columns"),
    ("Amina Haddad;amina@example.org\r\n".encode("cp1252"), "The first row must name"),
    ("display_name;email\r\nJürgen;j@example.org\r\n".encode("cp1252"), "not in UTF-8"),
    (NEWCOMER_HEADER.encode() + b"\r\n;;\r\n", "The file has no rows below the column names."),
])
def test_a_file_that_is_not_csv_is_refused(client, coordinator, data, message):
    response = upload(client, data, headers=EN)
    assert response.status_code == 200
    assert message in unescape(response.get_data(as_text=True))
    assert count(Newcomer) == 0 and count(User) == 1 and count(AuditEvent) == 0


def test_limits_on_rows_and_size(client, coordinator, app, monkeypatch):
    from buddy.services import spreadsheet_rows

    monkeypatch.setattr(spreadsheet_rows, "IMPORT_MAX_ROWS", 2)
    html = upload(client, excel_file(AMINA, YUSUF, AMINA), headers=EN).get_data(as_text=True)
    assert "The file has more than 20,000 rows." in unescape(html)
    too_big = excel_file(*[YUSUF] * 80_000)
    assert len(too_big) > 5 * 1024 * 1024
    html = upload(client, too_big, headers=EN).get_data(as_text=True)
    assert "The file is too large." in unescape(html)


def test_template_round_trips(client, coordinator):
    for kind in ("newcomer", "volunteer"):
        response = client.get(f"/coord/import/template/{kind}.csv")
        assert response.mimetype == "text/csv" and "attachment" in response.headers[
            "Content-Disposition"]
        data = response.get_data()
        assert data.startswith("\ufeff".encode())
        header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert header[:3] == ["display_name", "email", "phone"] and "consent" in header
        assert "password" not in header and "csrf_token" not in header
        assert ("locale" in header) == (kind == "newcomer")
        page, html = dry_run(client, data, kind=kind)
        assert 'id="row-2" class="ok"' in html and "1 person was imported." in confirm(
            client, page, html)
    assert count(Newcomer) == 1 and count(Volunteer) == 1


def test_confirm_checks_again_and_writes_nothing_if_things_changed(client, coordinator,
                                                                    make_newcomer):
    page, html = dry_run(client, excel_file(AMINA, YUSUF))
    make_newcomer(phone="+4917612345678")  # Yusuf signs up himself meanwhile
    response = client.post(f"{page}/confirm", data={"digest": digest_of(html)})
    html = unescape(client.get(response.headers["Location"], headers=EN).get_data(as_text=True))
    assert "Something changed since the check." in html
    assert count(Newcomer) == 1
    assert "Someone with this contact is already registered." in row_errors(html, 3)
    assert "1 person was imported." in confirm(client, page, html)
    assert count(Newcomer) == 2
    again = client.post(f"{page}/confirm", data={"digest": digest_of(html)}, headers=EN,
                        follow_redirects=True)
    assert "This file is already being imported." in unescape(again.get_data(as_text=True))
    assert count(Newcomer) == 2


@pytest.mark.parametrize("app_config", [{"IMPORT_INLINE_MAX_ROWS": 1}], indirect=True)
def test_large_files_run_in_the_background_with_a_progress_bar(client, coordinator):
    rows = [f"Person {i};p{i}@example.org;;ar;A1;bilk;mon-evening;;;;;ar;yes" for i in range(5)]
    page, html = dry_run(client, excel_file(*rows))
    response = client.post(f"{page}/confirm", data={"digest": digest_of(html)})
    for thread in threading.enumerate():
        if thread.name.startswith("import-"):
            thread.join(timeout=30)
    html = unescape(client.get(page, headers=EN).get_data(as_text=True))
    assert "5 people were imported." in html and "<progress" not in html
    assert count(Newcomer) == 5
    assert db.session.scalar(db.select(AuditEvent.data).where(
        AuditEvent.action == "import.confirmed"))["created"] == 5
    assert response.status_code == 302


def test_the_progress_page_refreshes_itself(app, client, coordinator):
    from buddy.services import spreadsheets

    page, html = dry_run(client, excel_file(AMINA))
    import_id = page.rsplit("/", 1)[1]
    spreadsheets._save_state(import_id, state="running", total=10, done=4)
    html = client.get(page, headers=EN).get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress max="10" value="4"' in html


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_uploads_beyond_the_global_size_limit_still_need_the_csrf_token(client,
                                                                         make_coordinator):
    user = make_coordinator(locale="en")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"identifier": user.login, "password": PASSWORD,
                                "csrf_token": token})
    data = excel_file(*[f"P {i};p{i}@example.org;;ar;A1;bilk;mon-evening;;;;;ar;yes"
                        for i in range(6000)])
    assert len(data) > 256 * 1024  # larger than MAX_CONTENT_LENGTH for all other requests
    refused = upload(client, data, headers=EN)
    assert refused.status_code == 200
    assert "The page was open for too long." in refused.get_data(as_text=True)
    token = csrf_token(client.get("/coord/import").get_data(as_text=True))
    boundary, body = encode_multipart({"csrf_token": token, "kind": "newcomer",
                                       "file": FileStorage(io.BytesIO(data), "big.csv")})
    response = client.post("/coord/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 302 and "/coord/import/" in response.headers["Location"]
    assert count(Newcomer) == 0


def test_only_coordinators_may_import_or_export(client, make_volunteer, make_newcomer):
    for person in (None, make_volunteer(email="v@example.org").user,
                   make_newcomer(email="n@example.org").user):
        if person is not None:
            login(client, person)
        for url in ("/coord/import", "/coord/import/template/newcomer.csv"):
            response = client.get(url)
            assert response.status_code == (302 if person is None else 403), url
        for url in ("/coord/export/newcomers.csv", "/coord/export/sessions.csv"):
            response = client.post(url, buffered=True)
            assert response.status_code == (302 if person is None else 403), url
    assert count(AuditEvent) == 0


@pytest.fixture
def people(make_newcomer, make_volunteer, coordinator):
    newcomer = make_newcomer("=HYPERLINK(\"http://evil.example\",\"click\")",
                             email="amina@example.org")
    volunteer = make_volunteer("@Julia", email="julia@example.org")
    match = Match(newcomer=newcomer, volunteer=volunteer, status=MatchStatus.ACTIVE, score=0.5)
    db.session.add(match)
    db.session.add(Meeting(match=match, starts_at=datetime(2026, 3, 2, 18), topics=["work"]))
    db.session.commit()
    return newcomer, volunteer


def download(client, url: str):
    """A streamed download, read inside the request (as a WSGI server does)."""
    return client.post(url, buffered=True)


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode()) and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_exports_are_audited_and_neutralise_formulas(client, people, coordinator):
    rows = read_csv(download(client, "/coord/export/newcomers.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["display_name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert record["email"] == "amina@example.org" and record["languages"] == "ar"
    assert record["availability"] == "mon-evening" and record["district"] == "bilk"
    volunteers = read_csv(download(client, "/coord/export/volunteers.csv"))
    assert dict(zip(*volunteers, strict=True))["display_name"] == "'@Julia"
    matches = read_csv(download(client, "/coord/export/matches.csv"))
    assert dict(zip(*matches, strict=True))["volunteer_name"] == "'@Julia"
    sessions = read_csv(download(client, "/coord/export/sessions.csv"))
    assert dict(zip(*sessions, strict=True))["starts_at"] == "2026-03-02 18:00"
    events = db.session.execute(db.select(AuditEvent.action, AuditEvent.data, AuditEvent.actor_id)
                                .order_by(AuditEvent.id)).all()
    assert [(action, data) for action, data, _ in events] == [
        ("export.people", {"kind": "newcomers", "rows": 1}),
        ("export.people", {"kind": "volunteers", "rows": 1}),
        ("export.matches", {"kind": "matches", "rows": 1}),
        ("export.sessions", {"kind": "sessions", "rows": 1}),
    ]
    assert {actor for *_, actor in events} == {coordinator.id}
    assert client.post("/coord/export/passwords.csv").status_code == 404


def test_export_queries_do_not_grow_with_the_rows(app, client, coordinator, make_newcomer):
    from sqlalchemy import event

    def queries(url: str) -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            download(client, url)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    make_newcomer(email="a@example.org")
    few = queries("/coord/export/newcomers.csv")
    for i in range(20):
        make_newcomer(email=f"n{i}@example.org")
    assert queries("/coord/export/newcomers.csv") == few
