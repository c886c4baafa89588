"""Smoke test in a real browser: Arabic is right-to-left, switching to German works."""


def test_arabic_landing_is_rtl_and_switch_to_german(live_app, browser, shot):
    context = browser.new_context(locale="ar", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_app.config["LIVE_URL"] + "/")
    assert page.get_attribute("html", "lang") == "ar"
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "تعلم الألمانية مع رفيق"
    # the page really is laid out right to left: the brand sits on the right
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > 390 / 2
    shot(page, "arabic")

    page.get_by_role("button", name="Deutsch", exact=True).click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "de"
    assert page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "Mit einem Buddy Deutsch lernen"
    assert page.locator(".brand").bounding_box()["x"] < 390 / 2
    shot(page, "german")
    context.close()
