"""Team views (DESIGN §3.9): owners only; the rules (the last active owner, one-time links) are
the teams service's."""
from flask import current_app, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hwaas.extensions import db
from hwaas.models.types import utcnow
from hwaas.services import teams
from hwaas.team import bp
from hwaas.team.forms import ConfirmForm, InviteForm, RoleForm
from hwaas.web import access, external_url, failed, refusals, see_other

access(bp, "partner", team=("owner",))


def _partner_id() -> int:
    return current_user.partner_id


def _role_labels() -> dict[str, str]:
    return {role: _(label) for role, label in teams.ROLE_LABELS.items()}


def _invitation_link(token: str) -> str:
    return external_url("auth.accept_invitation", token=token)


@bp.get("/")
def index():
    return render_template("team/index.html", members=teams.members(db.session, _partner_id()),
                           role_labels=_role_labels())


@bp.route("/invite", methods=["GET", "POST"])
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        with refusals(form):
            invited = teams.invite(db.session, _partner_id(), current_user._get_current_object(), form.email.data,
                                   form.name.data, form.team_role.data, utcnow(),
                                   current_app.config["SECRET_KEY"], _invitation_link)
        if not form.errors:
            flash(_("%(name)s is invited: the e-mail with their link is on its way.", name=invited.name), "success")
            return see_other(url_for("team.index"))
    return render_template("team/invite.html", form=form), failed(form)


def _member_page(user_id: int, form=None, action_error: str = "", status: int = 200):
    member = teams.member(db.session, _partner_id(), user_id)
    form = form or RoleForm(data={"team_role": member.team_role})
    return render_template("team/member.html", member=member, form=form, action_error=action_error,
                           role_labels=_role_labels()), status


@bp.get("/<int:user_id>")
def member(user_id: int):
    return _member_page(user_id)


@bp.post("/<int:user_id>/role")
def change_role(user_id: int):
    form = RoleForm()
    if form.validate_on_submit():
        with refusals(form):
            changed = teams.change_role(db.session, _partner_id(), user_id, form.team_role.data)
        if not form.errors:
            flash(_("%(name)s is now %(role)s.", name=changed.name, role=_role_labels()[changed.team_role]), "success")
            return see_other(url_for("team.member", user_id=user_id))
    return _member_page(user_id, form, status=422)


def _action(user_id: int, change, done: str):
    """A button of the member page (deactivate, reactivate, send again): a refusal is shown on the page."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _member_page(user_id, action_error=_("The form expired. Try again."), status=422)
    with refusals() as refused:
        user = change()
    if refused:
        return _member_page(user_id, action_error=refused.message, status=422)
    flash(done % {"name": user.name}, "success")
    return see_other(url_for("team.member", user_id=user_id))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    return _action(user_id, lambda: teams.deactivate(db.session, _partner_id(), user_id),
                   _("%(name)s is deactivated and was signed out everywhere."))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int):
    return _action(user_id, lambda: teams.reactivate(db.session, _partner_id(), user_id),
                   _("%(name)s can sign in again."))


@bp.post("/<int:user_id>/resend")
def resend(user_id: int):
    return _action(user_id, lambda: teams.resend_invitation(
        db.session, _partner_id(), user_id, current_user._get_current_object(), utcnow(),
        current_app.config["SECRET_KEY"], _invitation_link), _("A new invitation was sent to %(name)s."))
