"""Account security changes: password, second factor, a partner's second-factor requirement."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hwaas.messages import N_
from hwaas.models import Partner, User
from hwaas.services import accounts, throttle, totp
from hwaas.services.errors import NotFound, ValidationFailed

WRONG_PASSWORDS = throttle.WRONG_PASSWORDS


def password_matches(session: Session, user: User, password: str, ip: str, now: dt.datetime) -> bool:
    """The user's password typed again (to change it, or to turn the second factor off), counted
    like a sign-in: over the limit it is refused unchecked (throttle.TooManyAttempts, even when
    right); a wrong one is recorded, and counts against signing in too. The caller keeps the
    recorded failure when it answers with an error (it is not a refusal to roll back)."""
    from werkzeug.security import check_password_hash

    return throttle.attempt(session, user.email, ip, now, lambda: check_password_hash(user.password_hash, password),
                            what=WRONG_PASSWORDS)


def change_password(user: User, new: str) -> None:
    """Set a new password (the current one checked first with `password_matches`)."""
    user.password_hash = accounts.hash_password(new)
    accounts.revoke_sessions(user)  # every other session of the user ends


def enable_two_factor(user: User, secret: str, code: str, now: dt.datetime) -> None:
    if not totp.enable(user, secret, code, now):
        raise ValidationFailed(N_("That code is not right. Enter the code your app shows now."), field="code")
    accounts.revoke_sessions(user)


def disable_two_factor(user: User) -> None:
    """Turn the second factor off (the password checked first with `password_matches`)."""
    if totp.required_for(user):
        raise ValidationFailed(N_("Your organisation requires a second factor; it cannot be turned off."),
                               field="password")
    totp.disable(user)
    accounts.revoke_sessions(user)


def partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).order_by(Partner.name)))


def set_two_factor_required(session: Session, partner_id: int, required: bool) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound("No such partner.")
    partner.totp_required = required
    session.flush()
    return partner
