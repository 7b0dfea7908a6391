"""Account security changes: password, second factor, a partner's second-factor requirement."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from hwaas.models import Partner, User
from hwaas.services import accounts, totp
from hwaas.services.errors import NotFound, ValidationFailed


def change_password(user: User, current: str, new: str) -> None:
    from werkzeug.security import check_password_hash

    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed("Your current password is not right.", field="current_password")
    user.password_hash = accounts.hash_password(new)
    accounts.revoke_sessions(user)  # every other session of the user ends


def enable_two_factor(user: User, secret: str, code: str, now: dt.datetime) -> None:
    if not totp.enable(user, secret, code, now):
        raise ValidationFailed("That code is not right. Enter the code your app shows now.", field="code")
    accounts.revoke_sessions(user)


def disable_two_factor(user: User, password: str) -> None:
    from werkzeug.security import check_password_hash

    if totp.required_for(user):
        raise ValidationFailed("Your organisation requires a second factor; it cannot be turned off.",
                               field="password")
    if not check_password_hash(user.password_hash, password):
        raise ValidationFailed("Your password is not right.", field="password")
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
