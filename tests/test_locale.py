"""The locale: saved choice → switcher cookie → Accept-Language → de; RTL where the script is."""

import re

import pytest

from buddy.extensions import db

from helpers import login


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_default_is_german(client):
    response = client.get("/")
    assert html_tag(response) == '<html lang="de" dir="ltr">'
    assert "Deutsch lernen" in response.get_data(as_text=True)


@pytest.mark.parametrize(("header", "lang", "direction"), [
    ("ar,en;q=0.5", "ar", "rtl"), ("fa-IR", "fa", "rtl"), ("ps", "ps", "rtl"),
    ("uk-UA,uk;q=0.9", "uk", "ltr"), ("en-GB", "en", "ltr"), ("zh-CN", "de", "ltr"),
])
def test_accept_language_picks_the_locale_and_direction(client, header, lang, direction):
    response = client.get("/", headers={"Accept-Language": header})
    assert html_tag(response) == f'<html lang="{lang}" dir="{direction}">'


def test_arabic_page_is_in_arabic(client):
    html = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "تعلم الألمانية مع رفيق" in html


def test_switcher_lists_each_language_in_its_own_name(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("Deutsch", "English", "العربية", "فارسی", "Українська", "Русский", "Türkçe",
                 "ትግርኛ", "پښتو", "Soomaali", "Kurdî (kurmancî)", "Français"):
        assert name in html, name


def test_cookie_beats_accept_language(client):
    response = client.post("/lang", data={"lang": "ar", "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/", headers={"Accept-Language": "en"})
    assert html_tag(page) == '<html lang="ar" dir="rtl">'


def test_saved_choice_beats_cookie_and_is_stored(client, make_user):
    user = make_user(email="olena@example.org", locale="uk")
    client.post("/lang", data={"lang": "ar"})
    login(client, user)
    assert html_tag(client.get("/me/")) == '<html lang="uk" dir="ltr">'
    client.post("/lang", data={"lang": "fa", "next": "/me/"})
    db.session.refresh(user)
    assert user.locale == "fa"


def test_unknown_language_and_foreign_next_are_ignored(client):
    response = client.post("/lang", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert html_tag(client.get("/")) == '<html lang="de" dir="ltr">'
    response = client.post("/lang", data={"lang": "en", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_every_form_input_has_a_label(client):
    html = client.get("/login").get_data(as_text=True)
    inputs = re.findall(r'<(?:input|select)(?![^>]*type="(?:submit|hidden)")[^>]*\bid="([^"]+)"',
                        html)
    assert len(inputs) >= 3
    for input_id in inputs:
        assert f'for="{input_id}"' in html, input_id


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_missing_page_is_friendly_and_translated(client):
    response = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This page does not exist." in response.get_data(as_text=True)
