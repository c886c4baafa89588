"""A newcomer signs up in Arabic on a phone, sees what happens next, logs in again."""

PHONE = {"width": 390, "height": 844}


def test_newcomer_signs_up_in_arabic_on_a_phone(live_app, browser, shot):
    context = browser.new_context(locale="ar", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    base = live_app.config["LIVE_URL"]
    page.goto(base + "/")
    page.get_by_role("link", name="أريد أن أتعلم الألمانية").tap()
    page.wait_for_url("**/join/newcomer")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "سجّل لتتعلم الألمانية"
    name = page.locator("#display_name")
    assert name.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert page.locator("#phone").evaluate("el => getComputedStyle(el).direction") == "ltr"
    shot(page, "1-form")

    name.fill("أمينة حداد")
    page.locator("#phone").fill("0151 23456789")
    page.locator("#password").fill("كلمة سر طويلة جدا")
    page.locator("input[data-filter=languages]").fill("العرب")
    page.get_by_label("العربية", exact=True).tap()
    page.locator("input[data-filter=languages]").fill("")
    page.locator("input[name=german_level][value=A1]").tap()
    page.locator("#district").select_option("bilk")
    for slot in ("mon-evening", "wed-afternoon", "sat-morning"):
        page.locator(f"label.slot:has(#availability-{slot})").tap()
    page.locator("input[name=mode][value=either]").tap()
    page.locator("#consent").tap()
    shot(page, "2-filled")
    page.locator("#submit").tap()

    page.wait_for_url("**/join/done")
    assert "أنت الآن على القائمة. نبحث عن متطوع يناسبك." in page.inner_text("main")
    assert page.get_attribute("html", "lang") == "ar"
    shot(page, "3-done")

    page.locator("header form button[type=submit]").first.tap()
    page.wait_for_url(base + "/")
    page.goto(base + "/login")
    page.locator("#identifier").fill("+49 151 23456789")
    page.locator("#password").fill("كلمة سر طويلة جدا")
    page.locator("#submit").tap()
    page.wait_for_url("**/me/")
    main = page.inner_text("main")
    assert "نبحث لك عن رفيق." in main and "أمينة" in main
    shot(page, "4-status")
    context.close()
