"""Signing up in one's own language: every rule, every message next to its field."""

import pytest

from buddy.extensions import db
from buddy.models import (
    AuditEvent,
    Newcomer,
    NewcomerStatus,
    Role,
    User,
    Volunteer,
    VolunteerStatus,
)

from helpers import count, error_of, newcomer_form, volunteer_form

AR = {"Accept-Language": "ar"}
UK = {"Accept-Language": "uk"}


def test_newcomer_signs_up_and_waits(client):
    response = client.post("/join/newcomer", data=newcomer_form())
    assert response.status_code == 302 and response.headers["Location"] == "/join/done"
    newcomer = db.session.scalar(db.select(Newcomer))
    assert newcomer.user.phone == "+4915123456789" and newcomer.user.email is None
    assert newcomer.user.role == Role.NEWCOMER and newcomer.user.locale == "de"
    assert newcomer.status == NewcomerStatus.WAITING
    assert list(newcomer.languages) == ["ar", "en"]
    assert newcomer.availability == {"mon-evening", "sat-morning"}
    assert newcomer.district.name == "Bilk" and newcomer.german_level.value == "A1"
    assert newcomer.topics == ["everyday", "letters"] and newcomer.consent_at is not None
    assert db.session.scalar(db.select(AuditEvent.action)) == "newcomer.signed_up"
    done = client.get("/join/done").get_data(as_text=True)
    assert "Amina" in done


def test_newcomer_signs_up_in_arabic(client):
    page = client.get("/join/newcomer", headers=AR).get_data(as_text=True)
    assert "سجّل لتتعلم الألمانية" in page and 'dir="rtl"' in page
    assert "الاثنين" in page, "week days come from CLDR in the reader's language"
    client.post("/join/newcomer", data=newcomer_form(display_name="أمينة حداد"), headers=AR)
    assert db.session.scalar(db.select(User.locale)) == "ar"
    done = client.get("/join/done", headers=AR).get_data(as_text=True)
    assert "أنت الآن على القائمة. نبحث عن متطوع يناسبك." in done
    home = client.get("/me/").get_data(as_text=True)
    assert "نبحث لك عن رفيق." in home and "أمينة" in home


def test_empty_form_in_ukrainian_keeps_what_was_typed_and_stores_nothing(client):
    data = newcomer_form(display_name="", email="olena@example.org", phone="")
    html = client.post("/join/newcomer", data=data, headers=UK).get_data(as_text=True)
    assert error_of(html, "display_name") == "Будь ласка, введіть своє ім'я."
    assert 'value="olena@example.org"' in html
    assert "a long password" not in html, "passwords are never sent back"
    assert count(User) == 0 and count(Newcomer) == 0


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "Bitte gib eine Telefonnummer oder eine E-Mail-Adresse an."),
    (AR, "من فضلك أعطنا رقم هاتف أو بريدًا إلكترونيًا."),
    (UK, "Будь ласка, вкажіть номер телефону або адресу електронної пошти."),
])
def test_phone_or_email_is_needed(client, headers, message):
    html = client.post("/join/newcomer", data=newcomer_form(phone="", email=""),
                       headers=headers).get_data(as_text=True)
    assert error_of(html, "phone") == message
    assert count(User) == 0


def test_same_phone_in_another_format_cannot_register_twice(client):
    client.post("/join/newcomer", data=newcomer_form(phone="+49 151 23456789"))
    client.post("/logout")
    html = client.post("/join/newcomer", data=newcomer_form(phone="015123456789"),
                       headers=UK).get_data(as_text=True)
    assert error_of(html, "phone").startswith("Цими даними не можна зареєструватися.")
    assert count(User) == 1


def test_email_differing_only_in_case_is_the_same(client):
    client.post("/join/volunteer", data=volunteer_form(email="Julia@Example.org"))
    client.post("/logout")
    html = client.post("/join/volunteer", data=volunteer_form(email="julia@EXAMPLE.org")
                       ).get_data(as_text=True)
    assert error_of(html, "email") != ""
    assert count(User) == 1


@pytest.mark.parametrize("phone", ["12", "0151 2345678901234", "hello"])
def test_bad_phone_numbers_are_refused(client, phone):
    html = client.post("/join/newcomer", data=newcomer_form(phone=phone)).get_data(as_text=True)
    assert "0151 23456789" in error_of(html, "phone")
    assert count(User) == 0


def test_arabic_indic_digits_are_read(client):
    client.post("/join/newcomer", data=newcomer_form(phone="٠١٥١ ٢٣٤٥٦٧٨٩"))
    assert db.session.scalar(db.select(User.phone)) == "+4915123456789"
    client.post("/logout")
    client.post("/join/volunteer", data=volunteer_form(max_km="٧"))
    assert db.session.scalar(db.select(Volunteer.max_km)) == 7


@pytest.mark.parametrize("name", [
    "Zahrā Ahmadi 🌸", "آزاده‌ی کریمی", "ሰላም ተስፋማርያም", "Олена Шевченко", "\u200fأمينة",
])
def test_names_in_any_script_are_stored_exactly(client, name):
    client.post("/join/newcomer", data=newcomer_form(display_name=name))
    assert db.session.scalar(db.select(Newcomer.display_name)) == name


def test_names_are_normalised_to_nfc(client):
    client.post("/join/newcomer", data=newcomer_form(display_name="Zahra\u0304 Ahmadi"))
    assert db.session.scalar(db.select(Newcomer.display_name)) == "Zahrā Ahmadi"


def test_bidi_override_characters_are_refused(client):
    html = client.post("/join/newcomer", data=newcomer_form(display_name="Amina\u202eadmin")
                       ).get_data(as_text=True)
    assert error_of(html, "display_name") == "Bitte entferne die unsichtbaren Richtungszeichen."
    assert count(User) == 0


@pytest.mark.parametrize("field", ["display_name", "email", "phone"])
def test_ten_thousand_characters_get_a_message_not_a_500(client, field):
    response = client.post("/join/newcomer", data=newcomer_form(**{field: "x" * 10_000}))
    assert response.status_code == 200
    assert "höchstens" in error_of(response.get_data(as_text=True), field)
    assert count(User) == 0


@pytest.mark.parametrize(("field", "value"), [
    ("district", "atlantis"), ("languages", ["ar", "xx"]), ("german_level", "Z9"),
    ("availability", ["mon-night"]), ("mode", "teleport"), ("buddy_gender", "robot"),
])
def test_forged_choices_are_refused(client, field, value):
    html = client.post("/join/newcomer", data=newcomer_form(**{field: value})
                       ).get_data(as_text=True)
    assert error_of(html, field) != ""
    assert count(User) == 0


def test_consent_and_availability_are_required(client):
    html = client.post("/join/newcomer", data=newcomer_form(consent=None, availability=[])
                       ).get_data(as_text=True)
    assert error_of(html, "consent") == "Bitte stimme zu, damit wir deine Angaben speichern dürfen."
    assert error_of(html, "availability") != ""
    assert count(User) == 0


def test_short_password_is_refused(client):
    html = client.post("/join/newcomer", data=newcomer_form(password="short")
                       ).get_data(as_text=True)
    assert error_of(html, "password") == "Verwende zwischen 8 und 64 Zeichen."


def test_volunteer_signs_up_as_pending(client):
    response = client.post("/join/volunteer", data=volunteer_form())
    assert response.headers["Location"] == "/join/done"
    volunteer = db.session.scalar(db.select(Volunteer))
    assert volunteer.status == VolunteerStatus.PENDING
    assert (volunteer.capacity, volunteer.max_km, volunteer.active_matches) == (2, 5, 0)
    assert list(volunteer.languages) == ["en", "fr"] and volunteer.user.email == "julia@example.org"
    assert volunteer.district.slug == "oberkassel"
    assert "Koordinator" in client.get("/me/").get_data(as_text=True)


@pytest.mark.parametrize(("changes", "field"), [
    ({"email": ""}, "email"), ({"capacity": "4"}, "capacity"), ({"max_km": "-1"}, "max_km"),
    ({"max_km": "abc"}, "max_km"), ({"max_km": "9" * 40}, "max_km"),
    ({"motivation": "x" * 10_000}, "motivation"),
])
def test_volunteer_bad_input(client, changes, field):
    html = client.post("/join/volunteer", data=volunteer_form(**changes)).get_data(as_text=True)
    assert error_of(html, field) != ""
    assert 'value="Julia Weber"' in html
    assert count(User) == 0


def test_signup_page_shows_the_privacy_notice_in_the_readers_language(client, app):
    html = client.get("/join/newcomer", headers=AR).get_data(as_text=True)
    assert "/privacy" in html
    privacy = client.get("/privacy", headers=AR).get_data(as_text=True)
    assert str(app.config["RETENTION_MONTHS"]) in privacy
