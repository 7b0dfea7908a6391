"""Partner teams (DESIGN §3.9): an owner invites colleagues by mail, changes their roles and
deactivates them; a partner always keeps at least one active owner."""
import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.messages import N_
from hwaas.models import Partner, User
from hwaas.models.partners import TEAM_ROLES
from hwaas.services import account_links, accounts, mail
from hwaas.services.account_links import INVITATION
from hwaas.services.errors import InvalidTransition, NotFound, ValidationFailed

ROLE_LABELS = {"owner": N_("Owner"), "orderer": N_("Orderer"), "viewer": N_("Viewer")}


def role_label(team_role: str | None) -> str:
    return ROLE_LABELS.get(team_role or "", team_role or "")


def owners(session: Session, partner_id: int) -> list[User]:
    """The partner's active owners, who can change roles: named on a refusal page."""
    return list(session.scalars(
        select(User).where(User.partner_id == partner_id, User.team_role == "owner", User.active.is_(True),
                           User.invited_at.is_(None)).order_by(func.lower(User.name), User.id)))


def members(session: Session, partner_id: int) -> list[User]:
    """The partner's users: active first, then by name."""
    return list(session.scalars(
        select(User).where(User.partner_id == partner_id, User.role == "partner")
        .order_by(User.active.desc(), func.lower(User.name), User.id)))


def member(session: Session, partner_id: int, user_id: int) -> User:
    """One of the partner's users; another partner's is not found."""
    user = session.scalar(select(User).where(User.id == user_id, User.partner_id == partner_id,
                                             User.role == "partner"))
    if user is None:
        raise NotFound("No such user in your team.")
    return user


def _check_role(team_role: str) -> None:
    if team_role not in TEAM_ROLES:
        raise ValidationFailed(N_("Choose Owner, Orderer or Viewer."), field="team_role")


def _lock_team(session: Session, partner_id: int) -> None:
    """Changes to a partner's owners one at a time, so two owners demoting each other at the same
    moment cannot leave the partner without one (a row lock on PostgreSQL; SQLite writes serially)."""
    session.execute(select(Partner.id).where(Partner.id == partner_id).with_for_update())


def _other_active_owners(session: Session, partner_id: int, user: User) -> int:
    return session.scalar(select(func.count()).select_from(User).where(
        User.partner_id == partner_id, User.team_role == "owner", User.active.is_(True),
        User.invited_at.is_(None), User.id != user.id))


# Why the last active owner cannot change, one whole sentence per change (DESIGN §3.9).
LAST_OWNER = {
    "orderer": N_("%(name)s is the only active owner of your partner, so they cannot be made orderer. "
                  "Make another user an owner first."),
    "viewer": N_("%(name)s is the only active owner of your partner, so they cannot be made viewer. "
                 "Make another user an owner first."),
    "deactivated": N_("%(name)s is the only active owner of your partner, so they cannot be deactivated. "
                      "Make another user an owner first."),
}


def _keep_an_owner(session: Session, partner_id: int, user: User, change: str) -> None:
    if user.team_role == "owner" and user.active and not _other_active_owners(session, partner_id, user):
        raise InvalidTransition(LAST_OWNER[change], name=user.name)


def invite(session: Session, partner_id: int, by: User, email: str, name: str, team_role: str,
           now: dt.datetime, secret_key: str, link_for: Callable[[str], str]) -> User:
    """Add a user to the partner, without a password, and mail them a link to choose one."""
    _check_role(team_role)
    email, name = (email or "").strip(), " ".join((name or "").split())
    if not name:
        raise ValidationFailed(N_("Enter the colleague's name."), field="name")
    if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise ValidationFailed(N_("This e-mail address already has an account in hwaas."), field="email")
    user = User(email=email, name=name[:200], role="partner", partner_id=partner_id, team_role=team_role,
                password_hash=account_links.unusable_password_hash(), invited_at=now, active=True)
    session.add(user)
    session.flush()
    _mail_invitation(session, user, by, now, secret_key, link_for)
    return user


def resend_invitation(session: Session, partner_id: int, user_id: int, by: User, now: dt.datetime,
                      secret_key: str, link_for: Callable[[str], str]) -> User:
    """A new link for a pending invitation; the earlier links stop working."""
    user = member(session, partner_id, user_id)
    if not user.invitation_pending or not user.active:
        raise InvalidTransition(N_("%(name)s has no pending invitation."), name=user.name)
    user.password_hash = account_links.unusable_password_hash()
    user.invited_at = now
    session.flush()
    _mail_invitation(session, user, by, now, secret_key, link_for)
    return user


def _mail_invitation(session, user, by, now, secret_key, link_for) -> None:
    token = account_links.make_token(secret_key, INVITATION, user, now)
    mail.enqueue_template(session, user.email, "invitation", now=now, user=user, by=by,
                          partner=session.get(Partner, user.partner_id), link=link_for(token),
                          role=ROLE_LABELS[user.team_role], days=INVITATION.max_age.days)


def check_invitation(session: Session, token: str, secret_key: str, now: dt.datetime) -> User:
    """The invitee a link is for, while the invitation is pending; else InvalidLink."""
    user = account_links.read_token(session, secret_key, INVITATION, token, now)
    if not user.invitation_pending:
        raise account_links.InvalidLink(
            "This invitation has already been accepted. Sign in with your e-mail address.", "accepted")
    return user


def accept_invitation(session: Session, token: str, password: str, secret_key: str, now: dt.datetime) -> User:
    """The invitee chooses their password (the sign-in's rules); the link then dies."""
    user = check_invitation(session, token, secret_key, now)
    account_links.set_password(user, password)
    session.flush()
    return user


def change_role(session: Session, partner_id: int, user_id: int, team_role: str) -> User:
    _check_role(team_role)
    _lock_team(session, partner_id)
    user = member(session, partner_id, user_id)
    if team_role != "owner":
        _keep_an_owner(session, partner_id, user, team_role)
    user.team_role = team_role
    session.flush()
    return user


def deactivate(session: Session, partner_id: int, user_id: int) -> User:
    """The user can no longer sign in, and every session of theirs ends at once."""
    _lock_team(session, partner_id)
    user = member(session, partner_id, user_id)
    if not user.active:
        return user
    _keep_an_owner(session, partner_id, user, "deactivated")
    user.active = False
    accounts.revoke_sessions(user)
    session.flush()
    return user


def reactivate(session: Session, partner_id: int, user_id: int) -> User:
    user = member(session, partner_id, user_id)
    user.active = True
    session.flush()
    return user
