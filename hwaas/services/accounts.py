"""Sign-in: password hashing and checking, session revocation."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from hwaas.models import User
from hwaas.services.invoices import oldest_open_due

# Checked against when the e-mail is unknown, so both paths cost one hash.
_DUMMY_HASH = generate_password_hash("not-a-real-password-hwaas")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


# Built once: every request runs it, and building the statement cost as much as running it.
_SIGNED_IN = (select(User, oldest_open_due(User.partner_id)).options(joinedload(User.partner))
              .where(User.id == bindparam("user_id")))


@dataclass(frozen=True)
class SignedIn:
    user: User
    oldest_open_due: dt.date | None  # of the user's partner's invoices: the standing, for every page


def load_signed_in(session: Session, session_id: str) -> SignedIn | None:
    """Resolve the id kept in the session ("user id:session version") to a live user, with their
    partner and what their standing is computed from: one query for what every page needs."""
    user_id, _, version = session_id.partition(":")
    if not all(part.isascii() and part.isdecimal() and len(part) <= 10 for part in (user_id, version)):
        return None
    row = session.execute(_SIGNED_IN, {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user, oldest = row
    if user.session_version != int(version) or not user.active:
        return None
    return SignedIn(user, oldest)


def load_user(session: Session, session_id: str) -> User | None:
    signed_in = load_signed_in(session, session_id)
    return signed_in.user if signed_in else None


def revoke_sessions(user: User) -> None:
    """Invalidate every session of the user, including copies of their cookie."""
    user.session_version += 1


def set_language(user: User, language: str | None) -> None:
    """The user's language for pages, mails and documents; None follows the browser."""
    user.language = language or None
