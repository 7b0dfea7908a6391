"""Partner teams: invitations by one-time link, roles, deactivation, and always one active owner."""
import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from hwaas.models import OutboxMail
from hwaas.services import accounts, teams
from hwaas.services.account_links import INVITATION, InvalidLink
from hwaas.services.errors import InvalidTransition, NotFound, ValidationFailed

SECRET = "test-secret-key-not-for-production"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "my own passphrase 2026"


def link_for(token: str) -> str:
    return f"http://portal/invitation/{token}"


def token_in(mail: OutboxMail) -> str:
    return mail.body.split("http://portal/invitation/")[1].split()[0]


@pytest.fixture
def owner(make):
    return make.user(name="Paola Rossi", email="paola@example.com")


def invite(session, owner, email="luca@example.com", role="orderer", now=NOW):
    return teams.invite(session, owner.partner_id, owner, email, "Luca Neri", role, now, SECRET, link_for)


def last_mail(session) -> OutboxMail:
    return session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())).first()


def test_an_owner_invites_a_colleague_who_chooses_a_password_once(session, owner):
    invited = invite(session, owner)
    assert invited.partner_id == owner.partner_id and invited.team_role == "orderer"
    assert invited.invitation_pending
    assert accounts.authenticate(session, "luca@example.com", "") is None  # no password yet
    mail = last_mail(session)
    assert mail.to == "luca@example.com" and "Paola Rossi invites you" in mail.subject
    assert "as Orderer" in mail.body and mail.html

    token = token_in(mail)
    assert teams.accept_invitation(session, token, PASSWORD, SECRET, NOW + dt.timedelta(days=1)) == invited
    assert not invited.invitation_pending and check_password_hash(invited.password_hash, PASSWORD)
    assert accounts.authenticate(session, "luca@example.com", PASSWORD) == invited
    with pytest.raises(InvalidLink):
        teams.accept_invitation(session, token, "another passphrase 99", SECRET, NOW + dt.timedelta(days=1))


def test_an_invitation_expires_after_seven_days(session, owner):
    invite(session, owner)
    token = token_in(last_mail(session))
    with pytest.raises(InvalidLink) as expired:
        teams.check_invitation(session, token, SECRET, NOW + INVITATION.max_age + dt.timedelta(seconds=1))
    assert expired.value.reason == "expired"


def test_sending_an_invitation_again_kills_the_earlier_link(session, owner):
    invited = invite(session, owner)
    first = token_in(last_mail(session))
    teams.resend_invitation(session, owner.partner_id, invited.id, owner, NOW + dt.timedelta(hours=1), SECRET, link_for)
    second = token_in(last_mail(session))
    with pytest.raises(InvalidLink):
        teams.check_invitation(session, first, SECRET, NOW + dt.timedelta(hours=2))
    assert teams.check_invitation(session, second, SECRET, NOW + dt.timedelta(hours=2)) == invited


def test_a_tampered_invitation_or_a_deactivated_invitee_is_refused(session, owner):
    invited = invite(session, owner)
    token = token_in(last_mail(session))
    with pytest.raises(InvalidLink):
        teams.check_invitation(session, ("A" if token[0] != "A" else "B") + token[1:], SECRET, NOW)
    teams.deactivate(session, owner.partner_id, invited.id)
    with pytest.raises(InvalidLink):
        teams.check_invitation(session, token, SECRET, NOW)


def test_the_invitee_password_follows_the_sign_in_rules(session, owner):
    invite(session, owner)
    with pytest.raises(ValidationFailed) as refused:
        teams.accept_invitation(session, token_in(last_mail(session)), "short", SECRET, NOW)
    assert refused.value.field == "password"


@pytest.mark.parametrize("email, name, role, field", [
    ("paola@example.com", "Paola Two", "viewer", "email"),
    ("PAOLA@example.com", "Paola Two", "viewer", "email"),
    ("new@example.com", "  ", "viewer", "name"),
    ("new@example.com", "New One", "admin", "team_role"),
])
def test_an_invitation_needs_a_new_address_a_name_and_a_team_role(session, owner, email, name, role, field):
    with pytest.raises(ValidationFailed) as refused:
        teams.invite(session, owner.partner_id, owner, email, name, role, NOW, SECRET, link_for)
    assert refused.value.field == field


def test_roles_change_and_the_last_active_owner_stays_an_owner(session, owner, make):
    colleague = make.user(partner=owner.partner, team_role="viewer")
    with pytest.raises(InvalidTransition, match="only active owner"):
        teams.change_role(session, owner.partner_id, owner.id, "orderer")
    teams.change_role(session, owner.partner_id, colleague.id, "owner")
    teams.change_role(session, owner.partner_id, owner.id, "viewer")
    assert (owner.team_role, colleague.team_role) == ("viewer", "owner")


def test_the_last_active_owner_cannot_be_deactivated_and_a_pending_owner_does_not_count(session, owner):
    invite(session, owner, role="owner")  # invited, not yet accepted: not an owner who can act
    with pytest.raises(InvalidTransition, match="only active owner"):
        teams.deactivate(session, owner.partner_id, owner.id)
    assert owner.active


def test_deactivating_ends_the_users_sessions_at_once(session, owner, make):
    colleague = make.user(partner=owner.partner, team_role="orderer")
    session_id = colleague.get_id()
    assert accounts.load_user(session, session_id) == colleague
    teams.deactivate(session, owner.partner_id, colleague.id)
    assert accounts.load_user(session, session_id) is None
    assert accounts.authenticate(session, colleague.email, "correct-horse-battery") is None
    teams.reactivate(session, owner.partner_id, colleague.id)
    assert accounts.load_user(session, session_id) is None  # the old sessions stay ended


def test_another_partners_user_is_not_found(session, owner, make):
    stranger = make.user()
    for change in (lambda: teams.change_role(session, owner.partner_id, stranger.id, "viewer"),
                   lambda: teams.deactivate(session, owner.partner_id, stranger.id),
                   lambda: teams.resend_invitation(session, owner.partner_id, stranger.id, owner, NOW, SECRET,
                                                   link_for)):
        with pytest.raises(NotFound):
            change()
    assert stranger.active and stranger.team_role == "owner"


def test_members_lists_the_partners_users_active_first(session, owner, make):
    gone = make.user(partner=owner.partner, name="Aldo Gone", active=False)
    viewer = make.user(partner=owner.partner, name="Bea Viewer", team_role="viewer")
    make.user(name="Someone Else")
    assert teams.members(session, owner.partner_id) == [viewer, owner, gone]
