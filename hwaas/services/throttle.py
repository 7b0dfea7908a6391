"""Sign-in throttling per account and per client address, kept in the database so that every
worker and host counts the same failures."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hwaas.models import LoginFailure
from hwaas.services.errors import DomainError

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


class TooManyAttempts(DomainError):
    """Too many failed sign-ins: wait before trying again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    window: dt.timedelta = WINDOW
    per_account: int = MAX_PER_ACCOUNT
    per_address: int = MAX_PER_ADDRESS


def check(session: Session, email: str, ip: str, now: dt.datetime, limits: Limits = Limits()) -> None:
    """Refuse a sign-in attempt when the account or the address has failed too often lately."""
    since = now - limits.window
    email = email.strip().lower()
    for column, value, limit in ((LoginFailure.email, email, limits.per_account),
                                 (LoginFailure.ip, ip, limits.per_address)):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)
        ).one()
        if count >= limit:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.timezone.utc)
            wait = max(1, int((oldest + limits.window - now).total_seconds()) + 1)
            minutes = max(1, round(wait / 60))
            raise TooManyAttempts(
                f"Too many failed sign-in attempts. Wait {minutes} minute{'s' if minutes != 1 else ''} "
                f"and try again, or ask your administrator to reset your password.",
                retry_after=wait,
            )


def record_failure(session: Session, email: str, ip: str, now: dt.datetime) -> None:
    session.add(LoginFailure(email=email.strip().lower()[:254], ip=ip[:45], at=now))
    session.flush()


def clear_account(session: Session, email: str) -> None:
    """A successful sign-in forgives the account's earlier failures (not the address's)."""
    session.execute(delete(LoginFailure).where(LoginFailure.email == email.strip().lower()))


def prune(session: Session, now: dt.datetime, limits: Limits = Limits()) -> int:
    return session.execute(delete(LoginFailure).where(LoginFailure.at <= now - limits.window)).rowcount
