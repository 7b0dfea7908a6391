"""Sign-in throttling per account and per client address, kept in the database so that every
worker and host counts the same failures. Every check of a secret an account holds (password at
sign-in or on the account pages, second-factor code) is one `attempt`. Password reset requests are
counted the same way but apart (kind "reset"), so asking for reset links neither locks the sign-in
nor escapes the limits."""
import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from hwaas.messages import N_
from hwaas.models import LoginFailure
from hwaas.services.errors import DomainError

WINDOW = dt.timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


T = TypeVar("T")
SIGN_IN = "failed sign-in attempts"
RESET = "password reset requests"
WRONG_PASSWORDS = "wrong passwords for this account"
# The refusal of each kind of attempt: (one minute to wait, more minutes), whole sentences so that
# each language words them its own way.
REFUSALS = {
    SIGN_IN: (N_("Too many failed sign-in attempts. Wait %(minutes)s minute and try again, or ask your "
                 "administrator to reset your password."),
              N_("Too many failed sign-in attempts. Wait %(minutes)s minutes and try again, or ask your "
                 "administrator to reset your password.")),
    RESET: (N_("Too many password reset requests. Wait %(minutes)s minute and try again, or ask your "
               "administrator to reset your password."),
            N_("Too many password reset requests. Wait %(minutes)s minutes and try again, or ask your "
               "administrator to reset your password.")),
    WRONG_PASSWORDS: (N_("Too many wrong passwords for this account. Wait %(minutes)s minute and try again, "
                         "or ask your administrator to reset your password."),
                      N_("Too many wrong passwords for this account. Wait %(minutes)s minutes and try again, "
                         "or ask your administrator to reset your password.")),
}
_LOCK_NAMESPACE = 0x68777466  # "hwtf": pg_advisory_xact_lock(namespace, key) keeps this module's locks apart


class TooManyAttempts(DomainError):
    """Too many failed sign-ins: wait before trying again."""

    def __init__(self, template: str, retry_after: int, **params):
        super().__init__(template, **params)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    window: dt.timedelta = WINDOW
    per_account: int = MAX_PER_ACCOUNT
    per_address: int = MAX_PER_ADDRESS


def attempt(session: Session, email: str, ip: str, now: dt.datetime, verify: Callable[[], T],
            limits: Limits = Limits(), what: str = SIGN_IN) -> T:
    """One throttled check of an account's secret: refused unchecked (TooManyAttempts) while the
    account or the address is over its limit, even when the secret is right; `verify()` run
    otherwise, and a falsy outcome recorded as a failure. Returns the outcome.

    On PostgreSQL the account's attempts are serialised from the count to the recorded failure
    (a transaction-level advisory lock on the e-mail, released when the request's transaction
    ends), so parallel guesses cannot all read the same count: at most `per_account` are checked
    per window, across workers and hosts. SQLite has no such lock; see docs/decisions.md."""
    email = email.strip().lower()
    _serialise_account(session, email)
    check(session, email, ip, now, limits, what)
    outcome = verify()
    if not outcome:
        record_failure(session, email, ip, now)
    return outcome


def _serialise_account(session: Session, email: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(email.encode()) - 2**31  # an int4, as the two-key form wants
    session.execute(text("SELECT pg_advisory_xact_lock(:namespace, :key)"),
                    {"namespace": _LOCK_NAMESPACE, "key": key})


def check(session: Session, email: str, ip: str, now: dt.datetime, limits: Limits = Limits(),
          what: str = SIGN_IN, kind: str = "sign_in") -> None:
    """Refuse an attempt when the account or the address has failed (or, kind "reset", asked) too
    often lately."""
    since = now - limits.window
    email = email.strip().lower()
    for column, value, limit in ((LoginFailure.email, email, limits.per_account),
                                 (LoginFailure.ip, ip, limits.per_address)):
        count, oldest = session.execute(
            select(func.count(), func.min(LoginFailure.at))
            .where(column == value, LoginFailure.at > since, LoginFailure.kind == kind)
        ).one()
        if count >= limit:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.timezone.utc)
            wait = max(1, int((oldest + limits.window - now).total_seconds()) + 1)
            minutes = max(1, round(wait / 60))
            one, many = REFUSALS.get(what, REFUSALS[SIGN_IN])
            raise TooManyAttempts(one if minutes == 1 else many, retry_after=wait, minutes=minutes)


def record_failure(session: Session, email: str, ip: str, now: dt.datetime, kind: str = "sign_in") -> None:
    session.add(LoginFailure(email=email.strip().lower()[:254], ip=ip[:45], at=now, kind=kind))
    session.flush()


def clear_account(session: Session, email: str, kind: str = "sign_in") -> None:
    """A successful sign-in forgives the account's earlier failures (not the address's)."""
    session.execute(delete(LoginFailure).where(LoginFailure.email == email.strip().lower(),
                                               LoginFailure.kind == kind))


def prune(session: Session, now: dt.datetime, limits: Limits = Limits()) -> int:
    return session.execute(delete(LoginFailure).where(LoginFailure.at <= now - limits.window)).rowcount
