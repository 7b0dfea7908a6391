import time
from urllib.parse import urlsplit

"""Signing in: the password step, the second-factor step and the session they start."""
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from hwaas.auth import bp
from hwaas.auth.forms import CodeForm, LoginForm
from hwaas.extensions import db
from hwaas.models.types import utcnow
from hwaas.services import accounts, throttle, totp
from hwaas.web import access, client_address, keep_changes

access(bp, public=True)

PENDING_SECONDS = 300  # the second step must follow the first within five minutes


def safe_next(target: str | None) -> str:
    """Only a path on this site; anything else (another host, //host, a scheme) goes home."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("main.home")


def start_session(user, next_url: str | None):
    """A fresh session at sign-in: nothing carried over from before, timestamps for the timeouts."""
    embedded = session.get("embedded")
    session.clear()
    login_user(user)
    now = time.time()
    session["_login_at"] = now
    session["_seen_at"] = now
    if embedded:
        session["embedded"] = True
    if totp.required_for(user) and not user.totp_secret:
        session["must_enrol_totp"] = True
        flash("Your organisation requires a second factor. Set up an authenticator app to continue.", "info")
        return redirect(url_for("account.two_factor"), code=303)
    return redirect(safe_next(next_url), code=303)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = throttle.attempt(db.session, form.email.data, client_address(), now,
                                    lambda: accounts.authenticate(db.session, form.email.data, form.password.data))
        except throttle.TooManyAttempts as refused:
            form.password.errors.append(refused.message)
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(refused.retry_after)}
        if user is None:  # recorded as a failure
            keep_changes()
            form.password.errors.append("The e-mail address or password is not right.")
        elif user.totp_secret:
            throttle.clear_account(db.session, user.email)
            session.clear()
            session["2fa_user"] = user.get_id()
            session["2fa_at"] = time.time()
            session["2fa_next"] = request.args.get("next")
            return redirect(url_for("auth.login_code"), code=303)
        else:
            throttle.clear_account(db.session, user.email)
            return start_session(user, request.args.get("next"))
    if form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    pending = session.get("2fa_user")
    if not pending or time.time() - session.get("2fa_at", 0) > PENDING_SECONDS:
        session.pop("2fa_user", None)
        flash("Sign in again: the time to enter the code ran out.", "info")
        return redirect(url_for("auth.login"), code=303)
    user = accounts.load_user(db.session, pending)
    if user is None:
        return redirect(url_for("auth.login"), code=303)
    form = CodeForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            right = throttle.attempt(db.session, user.email, client_address(), now,
                                     lambda: totp.check_code(user, form.code.data, now))
        except throttle.TooManyAttempts as refused:
            form.code.errors.append(refused.message)
            return render_template("auth/code.html", form=form), 429, {"Retry-After": str(refused.retry_after)}
        if right:
            return start_session(user, session.get("2fa_next"))
        keep_changes()
        form.code.errors.append("That code is not right or was already used. Enter the code your app shows now.")
    return render_template("auth/code.html", form=form), 422 if form.errors else 200
