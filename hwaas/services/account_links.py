"""One-time links by mail that let someone set a password: a password reset, a team invitation.

A link carries a token signed with itsdangerous (the app's secret key, a salt per purpose, a time
stamp) naming the user and a fingerprint of their current password hash. Setting a password
changes the hash, so the link dies once used, and every older link of the user with it; an
invitation sent again gives the invitee a fresh unusable hash, so only the newest link works.
Nothing is stored: any worker or host checks a link on its own.
"""
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from hwaas.messages import N_
from hwaas.models import User
from hwaas.services import accounts
from hwaas.services.errors import DomainError, ValidationFailed
from hwaas.services.passwords import PasswordRefused, password_problems


@dataclass(frozen=True)
class Purpose:
    salt: str
    max_age: dt.timedelta


RESET = Purpose("hwaas.password-reset", dt.timedelta(hours=1))
INVITATION = Purpose("hwaas.invitation", dt.timedelta(days=7))


class InvalidLink(DomainError):
    """The link is unknown, tampered with, expired or already used. `reason` is for the log; the
    person only hears that the link does not work any more and what to do."""

    def __init__(self, template: str, reason: str, **params):
        super().__init__(template, **params)
        self.reason = reason


def unusable_password_hash() -> str:
    """A hash no password matches (not method$salt$hash), for an invitee who has not chosen one."""
    return "!invited:" + secrets.token_hex(16)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:20]


def _serializer(secret_key: str, purpose: Purpose, now: dt.datetime) -> URLSafeTimedSerializer:
    stamp = int(now.timestamp())

    class _Clock(TimestampSigner):  # itsdangerous reads the clock through this hook
        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret_key, salt=purpose.salt, signer=_Clock)


def make_token(secret_key: str, purpose: Purpose, user: User, now: dt.datetime) -> str:
    return _serializer(secret_key, purpose, now).dumps([user.id, _fingerprint(user)])


def read_token(session: Session, secret_key: str, purpose: Purpose, token: str, now: dt.datetime) -> User:
    """The user a valid, unused, unexpired link of this purpose was made for; else InvalidLink."""
    expired = N_("This link has expired.")
    dead = N_("This link does not work any more: it was already used, or a newer one was sent.")
    try:
        user_id, fingerprint = _serializer(secret_key, purpose, now).loads(
            token or "", max_age=int(purpose.max_age.total_seconds()))
    except SignatureExpired:
        raise InvalidLink(expired, "expired") from None
    except (BadSignature, ValueError, TypeError):
        raise InvalidLink(dead, "bad signature or malformed") from None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        raise InvalidLink(dead, "no such active user")
    if not isinstance(fingerprint, str) or not hmac.compare_digest(fingerprint, _fingerprint(user)):
        raise InvalidLink(dead, "password changed since (used)")
    return user


def set_password(user: User, new_password: str) -> None:
    """Give the user the password they chose (the sign-in's rules), ending every session and
    every link of theirs."""
    problems = password_problems(new_password or "", user.email, user.name)
    if problems:
        raise PasswordRefused(problems, field="password")
    user.password_hash = accounts.hash_password(new_password)
    user.invited_at = None
    accounts.revoke_sessions(user)
