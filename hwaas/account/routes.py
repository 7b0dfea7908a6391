"""The signed-in user's own account: password, second factor, signing out, staying signed in.
Open while the portal is read-only (overdue ladder): a partner can always secure their account
and sign out."""
from flask import flash, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from hwaas.account import bp
from hwaas.auth.forms import ChangePasswordForm, DisableTwoFactorForm, EnableTwoFactorForm
from hwaas.extensions import db
from hwaas.services import accounts, security_settings, teams, throttle, totp
from hwaas.models.types import utcnow
from hwaas.web import access, client_address, failed, keep_changes, own_account, refusals, see_other

access(bp)


def _password_refused(field, user, wrong: str) -> tuple[int, dict[str, str]] | None:
    """Check the password typed in `field`, throttled like a sign-in: None when it is right, else
    the status and headers of the form shown again with why (429 and Retry-After over the limit,
    even for the right password; 422 when wrong, the recorded failure kept)."""
    try:
        right = security_settings.password_matches(db.session, user, field.data, client_address(), utcnow())
    except throttle.TooManyAttempts as refused:
        field.errors.append(refused.message)
        return 429, {"Retry-After": str(refused.retry_after)}
    if right:
        return None
    keep_changes()
    field.errors.append(wrong)
    return 422, {}


@bp.route("/account", methods=["GET", "POST"])
@own_account
def index():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    refusal = None
    if form.validate_on_submit():
        refusal = _password_refused(form.current_password, user, _("Your current password is not right."))
        if refusal is None:
            with refusals(form) as refused:
                security_settings.change_password(user, form.new_password.data)
            if not refused:
                login_user(user)  # this session carries the new session version; the others end
                flash(_("Your password is changed. Other sessions were signed out."), "success")
                return see_other(url_for("account.index"))
    status, headers = refusal or (failed(form), {})
    return render_template("account/index.html", form=form,
                           role_label=teams.role_label(user.team_role)), status, headers


@bp.route("/account/two-factor", methods=["GET", "POST"])
@own_account
def two_factor():
    user = current_user._get_current_object()
    if user.totp_secret:
        return render_template("account/two_factor_on.html", form=DisableTwoFactorForm(),
                               required=totp.required_for(user))
    secret = session.get("totp_setup_secret") or totp.new_secret()
    session["totp_setup_secret"] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        with refusals(form, {None: "code"}) as refused:
            security_settings.enable_two_factor(user, secret, form.code.data, utcnow())
        if not refused:
            session.pop("totp_setup_secret", None)
            session.pop("must_enrol_totp", None)
            login_user(user)
            flash(_("Two-step sign-in is on. You will be asked for a code from your app when you sign in."), "success")
            return see_other(url_for("account.index"))
    uri = totp.provisioning_uri(secret, user.email)
    return render_template("account/two_factor_setup.html", form=form, secret=secret,
                           qr=totp.qr_svg(uri)), failed(form)


@bp.route("/account/two-factor/off", methods=["POST"])
@own_account
def two_factor_off():
    user = current_user._get_current_object()
    form = DisableTwoFactorForm()
    refusal = None
    if form.validate_on_submit():
        refusal = _password_refused(form.password, user, _("Your password is not right."))
        if refusal is None:
            with refusals(form) as refused:
                security_settings.disable_two_factor(user)
            if not refused:
                login_user(user)
                flash(_("Two-step sign-in is off."), "success")
                return see_other(url_for("account.index"))
    status, headers = refusal or (422, {})
    return render_template("account/two_factor_on.html", form=form, required=totp.required_for(user)), status, headers


@bp.route("/logout", methods=["POST"])
@own_account
def logout():
    accounts.revoke_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return see_other(url_for("auth.login"))


@bp.route("/session/keepalive", methods=["POST"])
@own_account
def keepalive():
    """Called by the session-timeout warning's "Stay signed in" button; the request itself
    refreshes the idle timer."""
    return "", 204
