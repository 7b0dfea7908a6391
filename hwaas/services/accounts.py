"""Sign-in: password hashing and checking, session revocation."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from hwaas.models import User

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


def load_user(session: Session, session_id: str) -> User | None:
    """Resolve the id kept in the session ("user id:session version") to a live user."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


def revoke_sessions(user: User) -> None:
    """Invalidate every session of the user, including copies of their cookie."""
    user.session_version += 1
