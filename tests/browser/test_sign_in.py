"""Signing in with a mouse, with the keyboard only, and with JavaScript off."""
from tests.browser.support import assert_accessible, sign_in


def test_partner_signs_in_and_the_home_page_is_accessible(page, make, session):
    user = make.user(partner=make.partner(name="Demo Partner"))
    session.commit()
    page.goto("/login")
    assert_accessible(page)
    sign_in(page, user.email)
    assert page.get_by_role("heading", name="Demo Partner").is_visible()
    assert_accessible(page)


def test_failed_sign_in_shows_an_accessible_error_summary_with_focus(page, make, session):
    user = make.user()
    session.commit()
    page.goto("/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: ")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert_accessible(page)


def test_sign_in_with_the_keyboard_only(page, make, session):
    user = make.user(partner=make.partner(name="Keyboard Partner"))
    session.commit()
    page.goto("/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    assert page.get_by_role("heading", name="Keyboard Partner").is_visible()


def test_sign_in_with_javascript_off(nojs_page, make, session):
    user = make.user(partner=make.partner(name="No Script Partner"))
    session.commit()
    sign_in(nojs_page, user.email)
    assert nojs_page.get_by_role("heading", name="No Script Partner").is_visible()
