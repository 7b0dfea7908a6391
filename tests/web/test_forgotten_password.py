"""Forgotten password through the web client: a link on the sign-in page, the same answer for
any address, a one-time link that ends every session, throttled like sign-in."""
import re

from sqlalchemy import select

from hwaas.models import OutboxMail
from hwaas.services import throttle
from tests.helpers import csrf_token, login, post_form

NEW_PASSWORD = "a fresh reset passphrase 9"


def mails_to(session, address):
    session.expire_all()
    return session.scalars(select(OutboxMail).where(OutboxMail.to == address).order_by(OutboxMail.id)).all()


def ask(client, email):
    return post_form(client, "/password/forgot", {"email": email})


def reset_path(mail) -> str:
    url = re.search(r"http\S+/password/reset\?token=\S+", mail.body).group(0)
    return "/" + url.split("://", 1)[1].partition("/")[2]


def test_the_sign_in_page_links_to_the_forgotten_password_page(client):
    assert 'href="/password/forgot"' in client.get("/login").text


def test_the_answer_is_the_same_whether_the_address_exists(client, make, session):
    make.user(email="anna@example.com")
    session.commit()
    known, unknown = ask(client, "anna@example.com"), ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    page = client.get("/login").text
    assert "If nobody@example.com is the address of an hwaas account" in page
    assert len(mails_to(session, "anna@example.com")) == 1 and mails_to(session, "nobody@example.com") == []


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, client, make, session):
    user = make.user(email="anna@example.com")
    session.commit()
    elsewhere = app.test_client()
    login(elsewhere, user)
    ask(client, "anna@example.com")
    path = reset_path(mails_to(session, "anna@example.com")[0])
    page = client.get(path)
    assert page.status_code == 200 and "anna@example.com" in page.text
    done = client.post(path, data={"csrf_token": csrf_token(page.text), "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert elsewhere.get("/customers/").status_code == 302  # the old session ended
    again = client.get(path)
    assert again.status_code == 400 and "does not work any more" in again.text
    assert 'href="/password/forgot"' in again.text
    login(client, user, NEW_PASSWORD)


def test_a_tampered_link_is_refused_with_a_way_forward(client):
    page = client.get("/password/reset?token=not-a-real-token")
    assert page.status_code == 400 and "This link does not work" in page.text


def test_a_mismatched_repeat_is_a_form_error(client, make, session):
    make.user(email="anna@example.com")
    session.commit()
    ask(client, "anna@example.com")
    path = reset_path(mails_to(session, "anna@example.com")[0])
    page = client.get(path)
    refused = client.post(path, data={"csrf_token": csrf_token(page.text), "password": NEW_PASSWORD,
                                      "confirm": NEW_PASSWORD + "x"})
    assert refused.status_code == 422 and "The two passwords are not the same." in refused.text


def test_requests_are_throttled_like_sign_in(client, make, session):
    make.user(email="anna@example.com")
    session.commit()
    for _ in range(throttle.MAX_PER_ACCOUNT):
        assert ask(client, "anna@example.com").status_code == 303
    refused = ask(client, "anna@example.com")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many password reset requests" in refused.text
    assert len(mails_to(session, "anna@example.com")) == throttle.MAX_PER_ACCOUNT
