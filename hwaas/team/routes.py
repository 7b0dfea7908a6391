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


def _member_page(member_id: int, form=None, action_error: str = "", status: int = 200):
    member = teams.member(db.session, _partner_id(), member_id)
    form = form or RoleForm(data={"team_role": member.team_role})
    return render_template("team/member.html", member=member, form=form, action_error=action_error,
                           role_labels=_role_labels()), status


@bp.get("/<int:member_id>")
def member(member_id: int):
    return _member_page(member_id)


@bp.post("/<int:member_id>/role")
def change_role(member_id: int):
    form = RoleForm()
    if form.validate_on_submit():
        with refusals(form):
            changed = teams.change_role(db.session, _partner_id(), member_id, form.team_role.data)
        if not form.errors:
            flash(_("%(name)s is now %(role)s.", name=changed.name, role=_role_labels()[changed.team_role]), "success")
            return see_other(url_for("team.member", member_id=member_id))
    return _member_page(member_id, form, status=422)


def _action(member_id: int, change, done: str):
    """A button of the member page (deactivate, reactivate, send again): a refusal is shown on the page."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _member_page(member_id, action_error=_("The form expired. Try again."), status=422)
    with refusals() as refused:
        user = change()
    if refused:
        return _member_page(member_id, action_error=refused.message, status=422)
    flash(done % {"name": user.name}, "success")
    return see_other(url_for("team.member", member_id=member_id))


@bp.post("/<int:member_id>/deactivate")
def deactivate(member_id: int):
    return _action(member_id, lambda: teams.deactivate(db.session, _partner_id(), member_id),
                   _("%(name)s is deactivated and was signed out everywhere."))


@bp.post("/<int:member_id>/reactivate")
def reactivate(member_id: int):
    return _action(member_id, lambda: teams.reactivate(db.session, _partner_id(), member_id),
                   _("%(name)s can sign in again."))


@bp.post("/<int:member_id>/resend")
def resend(member_id: int):
    return _action(member_id, lambda: teams.resend_invitation(
        db.session, _partner_id(), member_id, current_user._get_current_object(), utcnow(),
        current_app.config["SECRET_KEY"], _invitation_link), _("A new invitation was sent to %(name)s."))
