"""Signing in: the password step, the second-factor step and the session they start; a forgotten
password, an invitation's first password, and the language switch of someone not signed in."""
import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from hwaas.auth import bp
from hwaas.auth.forms import CodeForm, ForgotPasswordForm, LanguageForm, LoginForm, NewPasswordForm
from hwaas.extensions import db
from hwaas.models.types import utcnow
from hwaas.services import accounts, password_reset, teams, throttle, totp
from hwaas.services.account_links import InvalidLink
from hwaas.web import access, client_address, external_url, failed, keep_changes, own_account, refusals, see_other

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
        flash(_("Your organisation requires a second factor. Set up an authenticator app to continue."), "info")
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
            form.password.errors.append(_("The e-mail address or password is not right."))
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
        flash(_("Sign in again: the time to enter the code ran out."), "info")
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
        form.code.errors.append(_("That code is not right or was already used. Enter the code your app shows now."))
    return render_template("auth/code.html", form=form), 422 if form.errors else 200


def _too_many(template: str, form, field, refused: throttle.TooManyAttempts, **context):
    field.errors = [*field.errors, refused.message]
    response = current_app.make_response((render_template(template, form=form, **context), 429))
    response.headers["Retry-After"] = str(refused.retry_after)
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """The same answer whether the address is anyone's: a link is mailed only if it is."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.request_link(
                db.session, form.email.data, client_address(), utcnow(), current_app.config["SECRET_KEY"],
                lambda token: external_url("auth.reset_password", token=token))
        except throttle.TooManyAttempts as refused:
            return _too_many("auth/forgot.html", form, form.email, refused)
        flash(_("If %(email)s is the address of an hwaas account, a link to choose a new password is on "
                "its way. It works once, within an hour.", email=form.email.data), "success")
        return see_other(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), failed(form)


def _password_by_link(kind: str, check, apply, done: str, texts):
    """A page a mailed link opens (reset, invitation): check the link, then set the password the
    person chooses, once; `texts(user)` gives the page's heading, introduction and button."""
    token, secret, now = request.args.get("token", ""), current_app.config["SECRET_KEY"], utcnow()
    try:
        user = check(db.session, token, secret, now)
    except InvalidLink as error:
        current_app.logger.info("%s link refused: %s", kind, error.reason)
        return render_template("auth/link_invalid.html", message=error.message, kind=kind), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        with refusals(form):
            apply(db.session, token, form.password.data, secret, now)
        if not form.errors:
            flash(done, "success")
            return see_other(url_for("auth.login"))
    heading, intro, button = texts(user)
    return render_template("auth/new_password.html", form=form, user=user, heading=heading, intro=intro,
                           button=button, action=url_for(request.endpoint, token=token)), failed(form)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    """The page a reset link opens: choose a new password (once; the link then dies)."""
    return _password_by_link(
        "reset", password_reset.check_link, password_reset.reset,
        _("Your password is changed, and every session of yours was signed out. Sign in with the new password."),
        lambda user: (_("Choose a new password"), _("Choose the new password of your hwaas account."),
                      _("Change password")))


@bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation():
    """The page an invitation opens: the invitee chooses their password, then signs in."""
    return _password_by_link(
        "invitation", teams.check_invitation, teams.accept_invitation,
        _("Welcome to hwaas! Your password is set: sign in with your e-mail address."),
        lambda user: (_("Join %(partner)s", partner=user.partner.name),
                      _("%(partner)s has invited you to hwaas. Choose your password to accept.",
                        partner=user.partner.name),
                      _("Accept the invitation")))


@bp.post("/language")
@own_account
def set_language():
    """The language switch: saved on the account of a signed-in user, else in the session."""
    form = LanguageForm(current_app.config["LANGUAGES"])
    if form.validate_on_submit():
        if current_user.is_authenticated:
            accounts.set_language(current_user._get_current_object(), form.language.data)
        else:
            session["language"] = form.language.data
    return see_other(safe_next(request.args.get("next")))
