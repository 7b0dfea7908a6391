from flask import flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user

from hwaas.account import bp
from hwaas.auth.forms import ChangePasswordForm, DisableTwoFactorForm, EnableTwoFactorForm, PartnerSecurityForm
from hwaas.extensions import db
from hwaas.models.types import utcnow
from hwaas.services import security_settings, totp
from hwaas.services.errors import ValidationFailed
from hwaas.web import role_required


def _form_error(form, error: ValidationFailed):
    getattr(form, error.field or "code").errors.append(error.message)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def index():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user)
    if form.validate_on_submit():
        try:
            security_settings.change_password(user, form.current_password.data, form.new_password.data)
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            login_user(user)  # this session carries the new session version; the others end
            flash("Your password is changed. Other sessions were signed out.", "success")
            return redirect(url_for("account.index"), code=303)
    return render_template("account/index.html", form=form), 422 if form.errors else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor():
    user = current_user._get_current_object()
    if user.totp_secret:
        return render_template("account/two_factor_on.html", form=DisableTwoFactorForm(),
                               required=totp.required_for(user))
    secret = session.get("totp_setup_secret") or totp.new_secret()
    session["totp_setup_secret"] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        try:
            security_settings.enable_two_factor(user, secret, form.code.data, utcnow())
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            session.pop("totp_setup_secret", None)
            session.pop("must_enrol_totp", None)
            login_user(user)
            flash("Two-step sign-in is on. You will be asked for a code from your app when you sign in.", "success")
            return redirect(url_for("account.index"), code=303)
    uri = totp.provisioning_uri(secret, user.email)
    return render_template("account/two_factor_setup.html", form=form, secret=secret,
                           qr=totp.qr_svg(uri)), 422 if form.errors else 200


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    user = current_user._get_current_object()
    form = DisableTwoFactorForm()
    if form.validate_on_submit():
        try:
            security_settings.disable_two_factor(user, form.password.data)
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            login_user(user)
            flash("Two-step sign-in is off.", "success")
            return redirect(url_for("account.index"), code=303)
    return render_template("account/two_factor_on.html", form=form, required=totp.required_for(user)), 422


@bp.route("/admin/partners")
@role_required("admin")
def admin_partners():
    return render_template("account/admin_partners.html", partners=security_settings.partners(db.session),
                           form=PartnerSecurityForm())


@bp.route("/admin/partners/<int:partner_id>/two-factor", methods=["POST"])
@role_required("admin")
def admin_partner_two_factor(partner_id: int):
    form = PartnerSecurityForm()
    if form.validate_on_submit():
        partner = security_settings.set_two_factor_required(db.session, partner_id, form.totp_required.data)
        flash(f"{partner.name}: a second factor is {'now required' if partner.totp_required else 'optional'}.",
              "success")
    return redirect(url_for("account.admin_partners"), code=303)
