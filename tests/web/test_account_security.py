"""Sessions, throttling, password rules and the second factor (ASVS 5.0 level 2 as it applies)."""
import datetime as dt
import time

import pyotp
import pytest

from hwaas.models import LoginFailure
from hwaas.services.passwords import password_problems
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login, post_form


def _attempt(client, email, password):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(page.text)})


def _age_session(client, **offsets):
    with client.session_transaction() as s:
        for key, seconds in offsets.items():
            s[key] = s[key] - seconds


def test_session_ends_after_30_minutes_without_activity(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    _age_session(client, _seen_at=31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "without activity" in client.get("/login").text


def test_session_ends_after_12_hours_even_when_active(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    _age_session(client, _login_at=12 * 3600 + 1)
    assert client.get("/").status_code == 302


def test_an_expired_session_asked_by_htmx_redirects_the_whole_page(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    _age_session(client, _seen_at=31 * 60)
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/login")


def test_activity_keeps_the_session_alive(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    _age_session(client, _seen_at=29 * 60)
    assert client.get("/").status_code == 200
    _age_session(client, _seen_at=29 * 60)
    assert client.get("/").status_code == 200


def test_sign_in_is_throttled_per_account_with_a_readable_429(client, make, session):
    user = make.user()
    session.commit()
    for _ in range(5):
        assert _attempt(client, user.email, "wrong-password-123").status_code == 422
    refused = _attempt(client, user.email, PASSWORD)  # even the right password waits now
    assert refused.status_code == 429
    assert "Too many failed sign-in attempts" in refused.text
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_in_is_throttled_per_address_across_accounts(client, make, session):
    users = [make.user() for _ in range(5)]
    session.commit()
    for user in users:
        for _ in range(4):
            _attempt(client, user.email, "wrong-password-123")
    other = make.user()
    session.commit()
    assert _attempt(client, other.email, PASSWORD).status_code == 429


def test_failures_older_than_the_window_are_forgiven(client, make, session):
    user = make.user()
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=16)
    for _ in range(5):
        session.add(LoginFailure(email=user.email, ip="127.0.0.1", at=long_ago))
    session.commit()
    assert _attempt(client, user.email, PASSWORD).status_code == 303



@pytest.mark.parametrize("url, field, extra", [
    ("/account", "current_password", {"new_password": "violet tractor harbour umbrella",
                                      "confirm": "violet tractor harbour umbrella"}),
    ("/account/two-factor/off", "password", {}),
])
def test_password_checks_on_the_account_pages_are_throttled_like_sign_in(client, make, session, url, field, extra):
    user = make.user()
    session.commit()
    login(client, user)
    if "two-factor" in url:  # turned on after signing in: the page tested is the account's, not the code step
        user.totp_secret = pyotp.random_base32()
        session.commit()
    page = "/account/two-factor" if "two-factor" in url else url
    for _ in range(5):
        wrong = post_form(client, url, {field: "wrong-password-123", **extra}, page_url=page)
        assert wrong.status_code == 422 and "not right" in wrong.text
    assert session.query(LoginFailure).filter_by(email=user.email).count() == 5  # kept despite the 422s
    refused = post_form(client, url, {field: PASSWORD, **extra}, page_url=page)  # even the right one waits
    assert refused.status_code == 429
    assert "Too many wrong passwords" in refused.text and int(refused.headers["Retry-After"]) > 0
    session.expire_all()
    assert session.get(type(user), user.id).password_hash == user.password_hash  # nothing changed
    assert _attempt(client.application.test_client(), user.email, PASSWORD).status_code == 429  # one count


@pytest.mark.parametrize("password, problem", [
    ("short-pass", "at least 12"),
    ("password1234", "most common"),
    ("qwertyuiop123", "most common"),
])
def test_weak_passwords_are_refused(password, problem):
    assert any(problem in p for p in password_problems(password, "someone@example.com"))


def test_a_long_passphrase_is_accepted():
    assert password_problems("violet tractor harbour umbrella", "someone@example.com") == []


def test_password_containing_the_email_name_is_refused():
    assert password_problems("paola.rossi-2026-ok!", "paola.rossi@example.com")


def test_changing_the_password_enforces_the_rules_and_ends_other_sessions(app, make, session):
    user = make.user()
    session.commit()
    first, second = app.test_client(), app.test_client()
    login(first, user)
    login(second, user)
    weak = post_form(first, "/account", {"current_password": PASSWORD, "new_password": "password1234",
                                         "confirm": "password1234"})
    assert weak.status_code == 422 and "most common" in weak.text
    good = "violet tractor harbour umbrella"
    changed = post_form(first, "/account", {"current_password": PASSWORD, "new_password": good, "confirm": good})
    assert changed.status_code == 303
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_sign_in_with_a_second_factor_asks_for_a_code_that_works_once(client, make, session):
    secret = pyotp.random_base32()
    user = make.user(totp_secret=secret)
    session.commit()
    first = _attempt(client, user.email, PASSWORD)
    assert first.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    code = pyotp.TOTP(secret).now()
    wrong = post_form(client, "/login/code", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422
    assert post_form(client, "/login/code", {"code": code}).status_code == 303
    assert client.get("/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    _attempt(client, user.email, PASSWORD)
    replay = post_form(client, "/login/code", {"code": code})
    assert replay.status_code == 422  # the same code is not accepted twice


def test_admin_can_require_a_second_factor_and_users_must_enrol(client, app, make, session):
    partner = make.partner()
    user = make.user(partner=partner)
    admin = make.staff(role="admin")
    session.commit()
    login(client, admin)
    page = client.get("/admin/partners")
    assert partner.name in page.text
    client.post(f"/admin/partners/{partner.id}/two-factor",
                data={"totp_required": "y", "csrf_token": csrf_token(page.text)})
    partner_client = app.test_client()
    login(partner_client, user)
    assert partner_client.get("/").headers["Location"] == "/account/two-factor"
    setup = partner_client.get("/account/two-factor")
    assert "<svg" in setup.text
    with partner_client.session_transaction() as s:
        secret = s["totp_setup_secret"]
    enrolled = post_form(partner_client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert enrolled.status_code == 303
    assert partner_client.get("/").status_code == 200


def test_partners_cannot_reach_admin_pages(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    assert client.get("/admin/partners").status_code == 404
