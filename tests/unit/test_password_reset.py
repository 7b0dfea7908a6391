"""Forgotten password: one-time, time-limited reset links bound to the password hash, the same
answer for any address, throttled like sign-in."""
import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from hwaas.models import OutboxMail
from hwaas.services import account_links, password_reset, throttle
from hwaas.services.account_links import INVITATION, RESET, InvalidLink
from hwaas.services.errors import ValidationFailed

SECRET = "test-secret-key-not-for-production"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
NEW = "a brand new passphrase 42"


def link_for(token: str) -> str:
    return f"http://portal/password/reset/{token}"


def requested_token(session, email: str, now=NOW, ip="10.0.0.1") -> str | None:
    before = set(session.scalars(select(OutboxMail.id)))
    password_reset.request_link(session, email, ip, now, SECRET, link_for)
    new = [m for m in session.scalars(select(OutboxMail)) if m.id not in before]
    if not new:
        return None
    [mail] = new
    return mail.body.split("http://portal/password/reset/")[1].split()[0]


def test_a_reset_link_is_mailed_and_sets_a_new_password_once(session, make):
    user = make.user(email="anna@example.com", name="Anna Verdi")
    version = user.session_version
    token = requested_token(session, "Anna@Example.com ")
    [mail] = session.scalars(select(OutboxMail)).all()
    assert mail.to == "anna@example.com" and mail.subject == "Reset your hwaas password"
    assert mail.html and link_for(token) in mail.html

    assert password_reset.reset(session, token, NEW, SECRET, NOW + dt.timedelta(minutes=5)) == user
    assert check_password_hash(user.password_hash, NEW)
    assert user.session_version == version + 1  # every session of the user ends
    with pytest.raises(InvalidLink) as reused:
        password_reset.reset(session, token, "another passphrase 4242", SECRET, NOW + dt.timedelta(minutes=6))
    assert reused.value.reason == "password changed since (used)"


def test_an_unknown_or_inactive_address_gets_no_mail_and_no_error(session, make):
    make.user(email="gone@example.com", active=False)
    assert requested_token(session, "nobody@example.com") is None
    assert requested_token(session, "gone@example.com") is None


def test_a_link_expires_after_an_hour(session, make):
    make.user(email="anna@example.com")
    token = requested_token(session, "anna@example.com")
    assert password_reset.check_link(session, token, SECRET, NOW + RESET.max_age - dt.timedelta(seconds=1))
    with pytest.raises(InvalidLink) as expired:
        password_reset.check_link(session, token, SECRET, NOW + RESET.max_age + dt.timedelta(seconds=1))
    assert expired.value.reason == "expired"


def test_a_tampered_link_or_one_signed_with_another_key_is_refused(session, make):
    user = make.user(email="anna@example.com")
    other = make.user(email="bruno@example.com")
    token = requested_token(session, "anna@example.com")
    payload, _, signature = token.rpartition(".")
    forged_for_other = account_links.make_token(SECRET, RESET, other, NOW).rpartition(".")[0] + "." + signature
    # A changed character of the payload (the signature's last one may only hold padding bits).
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (tampered, forged_for_other, "", "not-a-token",
                account_links.make_token("another-secret-key-of-some-length", RESET, user, NOW)):
        with pytest.raises(InvalidLink):
            password_reset.check_link(session, bad, SECRET, NOW)


def test_each_link_resets_only_the_user_it_was_made_for(session, make):
    anna, bruno = make.user(email="anna@example.com"), make.user(email="bruno@example.com")
    brunos = requested_token(session, "bruno@example.com")
    password_reset.reset(session, brunos, NEW, SECRET, NOW)
    assert check_password_hash(bruno.password_hash, NEW) and not check_password_hash(anna.password_hash, NEW)


def test_an_invitation_link_is_not_a_reset_link(session, make):
    user = make.user(email="anna@example.com")
    with pytest.raises(InvalidLink):
        password_reset.check_link(session, account_links.make_token(SECRET, INVITATION, user, NOW), SECRET, NOW)


def test_a_newer_password_kills_older_links(session, make):
    make.user(email="anna@example.com")
    first = requested_token(session, "anna@example.com")
    second = requested_token(session, "anna@example.com", NOW + dt.timedelta(minutes=1))
    password_reset.reset(session, second, NEW, SECRET, NOW + dt.timedelta(minutes=2))
    with pytest.raises(InvalidLink):
        password_reset.check_link(session, first, SECRET, NOW + dt.timedelta(minutes=3))


def test_the_new_password_follows_the_sign_in_rules_and_a_refusal_keeps_the_link(session, make):
    user = make.user(email="anna@example.com")
    token = requested_token(session, "anna@example.com")
    for weak in ("short", "password1234", "anna@example.com-long"):
        with pytest.raises(ValidationFailed) as refused:
            password_reset.reset(session, token, weak, SECRET, NOW)
        assert refused.value.field == "password"
    assert password_reset.reset(session, token, NEW, SECRET, NOW) == user


def test_requests_are_throttled_per_address_whether_it_exists_or_not(session, make):
    make.user(email="anna@example.com")
    for n in range(throttle.MAX_PER_ACCOUNT):
        requested_token(session, "anna@example.com", NOW + dt.timedelta(seconds=n))
        password_reset.request_link(session, "nobody@example.com", "10.0.0.2", NOW + dt.timedelta(seconds=n),
                                    SECRET, link_for)
    for email in ("anna@example.com", "nobody@example.com"):
        with pytest.raises(throttle.TooManyAttempts) as refused:
            password_reset.request_link(session, email, "10.0.0.3", NOW + dt.timedelta(minutes=1), SECRET, link_for)
        assert "Too many password reset requests" in refused.value.message
    # Asking for links does not lock the sign-in (no TooManyAttempts for kind "sign_in").
    throttle.check(session, "anna@example.com", "10.0.0.1", NOW + dt.timedelta(minutes=1))


def test_requests_are_throttled_per_client_address(session, make):
    for n in range(throttle.MAX_PER_ADDRESS):
        password_reset.request_link(session, f"x{n}@example.com", "10.9.9.9", NOW, SECRET, link_for)
    with pytest.raises(throttle.TooManyAttempts):
        password_reset.request_link(session, "y@example.com", "10.9.9.9", NOW, SECRET, link_for)
