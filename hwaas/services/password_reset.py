"""Forgotten password: a one-time, time-limited reset link by mail (DESIGN §3.9).

The answer is the same whether the address belongs to anyone or not; requests are throttled per
address and per client like sign-ins (services/throttle.py, kind "reset")."""
import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.models import User
from hwaas.services import account_links, mail, throttle
from hwaas.services.account_links import RESET


def request_link(session: Session, email: str, ip: str, now: dt.datetime, secret_key: str,
                 link_for: Callable[[str], str]) -> None:
    """Mail a reset link to `email` if it is an active user's; raise throttle.TooManyAttempts when
    this address or client has asked too often. Every request counts, found or not, so the limit
    says nothing about whether the address exists."""
    throttle.check(session, email, ip, now, what=throttle.RESET, kind="reset")
    throttle.record_failure(session, email, ip, now, kind="reset")
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.active:
        return
    token = account_links.make_token(secret_key, RESET, user, now)
    mail.enqueue_template(session, user.email, "password_reset", now=now, user=user, link=link_for(token),
                          hours=int(RESET.max_age.total_seconds() // 3600))


def check_link(session: Session, token: str, secret_key: str, now: dt.datetime) -> User:
    """The user the link resets; account_links.InvalidLink when it is expired, used or forged."""
    return account_links.read_token(session, secret_key, RESET, token, now)


def reset(session: Session, token: str, new_password: str, secret_key: str, now: dt.datetime) -> User:
    """Set the new password (the sign-in's rules) through a valid link; the link then dies with
    every session of the user, and the account's failed sign-ins are forgiven."""
    user = check_link(session, token, secret_key, now)
    account_links.set_password(user, new_password)
    throttle.clear_account(session, user.email)
    session.flush()
    return user
