"""The area manager's replacement requests: the list, one request, approve / reject / ship /
complete. Thin views over hwaas.services.replacements (access: the manager blueprint's)."""
from flask import flash, request, url_for
from flask_babel import gettext as _

from hwaas.manager import bp
from hwaas.manager.forms import replacement_action_form
from hwaas.manager.routes import _scope
from hwaas.models.types import utcnow
from hwaas.services import replacements as service
from hwaas.web import external_url, refusals, render, see_other, today


@bp.route("/replacements")
def replacements():
    status = request.args.get("status", "requested")
    if status not in service.FILTERS:
        status = "requested"
    return render("manager/replacements.html", "manager/_replacements.html",
                  items=service.manager_list(_scope(), status), selected=status, filters=service.FILTERS)


def _page(replacement_id: int, failed: tuple[str, object] | None = None, status: int = 200):
    detail = service.manager_detail(_scope(), replacement_id)
    forms = {action: replacement_action_form(action, formdata=None) for action, _ in detail.actions}
    if failed:
        forms[failed[0]] = failed[1]
    return render("manager/replacement.html", status=status, detail=detail, item=detail.request, forms=forms,
                  failed=failed[0] if failed else None, form_has_errors=bool(failed))


@bp.route("/replacements/<int:replacement_id>")
def replacement(replacement_id: int):
    return _page(replacement_id)


@bp.route("/replacements/<int:replacement_id>/<any(approve, reject, ship, complete):action>", methods=["POST"])
def replacement_action(replacement_id: int, action: str):
    form = replacement_action_form(action)
    if form.validate_on_submit():
        with refusals(form, {"serials": "serials"}) as refused:
            change = service.change_status(
                _scope(), replacement_id, action, form.note.data or "", today=today(), now=utcnow(),
                shipment_date=form.shipment_date.data if action == "ship" else None,
                units=(form.serials.data or "") if action == "ship" else "",
                url=external_url("devices.pbx", pbx_id=service.manager_detail(_scope(), replacement_id).request.pbx_id))
        if not refused:
            flash(_("Replacement request %(number)s is now %(status)s. The partner has been notified.",
                    number=change.request.number, status=_(change.to_label)), "success")
            return see_other(url_for("manager.replacement", replacement_id=replacement_id))
    return _page(replacement_id, (action, form), 422)
