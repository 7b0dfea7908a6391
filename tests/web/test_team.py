"""The team pages through the web client: an owner invites, the invitee chooses a password by the
mailed link, the owner changes roles and deactivates; the last active owner stays."""
import re

import pytest
from sqlalchemy import select

from hwaas.models import OutboxMail
from tests.helpers import csrf_token, login, post_form

NEW_PASSWORD = "a long team passphrase 7"


@pytest.fixture
def team(make, session):
    owner = make.user(name="Paola Rossi", email="paola@example.com")
    orderer = make.user(partner=owner.partner, name="Stefano Conti", team_role="orderer")
    session.commit()
    return owner, orderer


def mails_to(session, address):
    session.expire_all()
    return session.scalars(select(OutboxMail).where(OutboxMail.to == address).order_by(OutboxMail.id)).all()


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].partition("/")[2]


def test_an_owner_invites_and_the_invitee_signs_in_with_the_password_they_chose(client, app, team, session):
    owner, _ = team
    login(client, owner)
    sent = post_form(client, "/team/invite", {"name": "Luca Neri", "email": "luca@example.com",
                                              "team_role": "viewer"})
    assert sent.status_code == 303 and sent.headers["Location"] == "/team/"
    assert "Luca Neri is invited" in client.get("/team/").text
    [mail] = mails_to(session, "luca@example.com")
    link = path_of(re.search(r"http\S+/invitation\?token=\S+", mail.body).group(0))

    invitee = app.test_client()
    page = invitee.get(link)
    assert page.status_code == 200 and "luca@example.com" in page.text and "Join " in page.text
    weak = invitee.post(link, data={"csrf_token": csrf_token(page.text), "password": "short", "confirm": "short"})
    assert weak.status_code == 422 and "Use at least 12 characters." in weak.text
    accepted = invitee.post(link, data={"csrf_token": csrf_token(page.text), "password": NEW_PASSWORD,
                                        "confirm": NEW_PASSWORD})
    assert accepted.status_code == 303 and accepted.headers["Location"] == "/login"
    assert invitee.get(link).status_code == 400  # used: the link is dead
    signed_in = invitee.post("/login", data={"email": "luca@example.com", "password": NEW_PASSWORD,
                                             "csrf_token": csrf_token(invitee.get("/login").text)})
    assert signed_in.status_code == 303
    assert invitee.get("/customers/").status_code == 200


def test_deactivating_a_colleague_ends_their_session_at_once(app, client, team):
    owner, orderer = team
    theirs = app.test_client()
    login(theirs, orderer)
    assert theirs.get("/customers/").status_code == 200
    login(client, owner)
    done = post_form(client, f"/team/{orderer.id}/deactivate", page_url=f"/team/{orderer.id}")
    assert done.status_code == 303
    assert theirs.get("/customers/").status_code == 302  # signed out: to the sign-in page
    assert "Deactivated" in client.get("/team/").text


def test_the_last_active_owner_cannot_be_deactivated_or_demoted(client, team):
    owner, _ = team
    login(client, owner)
    refused = post_form(client, f"/team/{owner.id}/deactivate", page_url=f"/team/{owner.id}")
    assert refused.status_code == 422 and "the only active owner" in refused.text
    demoted = post_form(client, f"/team/{owner.id}/role", {"team_role": "viewer"}, page_url=f"/team/{owner.id}")
    assert demoted.status_code == 422 and "the only active owner" in demoted.text
    assert client.get("/customers/").status_code == 200  # still signed in, still an owner


def test_an_owner_changes_a_role(client, team, session):
    owner, orderer = team
    login(client, owner)
    changed = post_form(client, f"/team/{orderer.id}/role", {"team_role": "owner"}, page_url=f"/team/{orderer.id}")
    assert changed.status_code == 303
    assert "Stefano Conti is now Owner." in client.get(changed.headers["Location"]).text


def test_another_partners_user_is_not_found_on_the_team_pages(client, team, make, session):
    owner, _ = team
    stranger = make.user()
    session.commit()
    login(client, owner)
    assert client.get(f"/team/{stranger.id}").status_code == 404
    assert "stranger" not in client.get("/team/").text
