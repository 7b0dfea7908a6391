"""The area manager's replacement requests: the list, one request, approve / reject / ship /
complete. Thin views over hwaas.services.replacements."""
from flask import flash, redirect, request, url_for
from flask_login import login_required

from hwaas.domain_forms import show_error
from hwaas.extensions import db
from hwaas.manager import bp
from hwaas.manager.forms import replacement_action_form
from hwaas.manager.routes import STAFF, _scope
from hwaas.models.types import utcnow
from hwaas.services import replacements as service
from hwaas.services.errors import DomainError
from hwaas.web import render, role_required, today


@bp.route("/replacements")
@login_required
@role_required(*STAFF)
def replacements():
    status = request.args.get("status", "requested")
    if status not in service.FILTERS:
        status = "requested"
    items = service.manager_list(_scope(), status)
    return render("manager/replacements.html", "manager/_replacements.html", items=items, selected=status,
                  filters=service.FILTERS)


def _page(replacement_id: int, failed: tuple[str, object] | None = None, status: int = 200):
    detail = service.manager_detail(_scope(), replacement_id)
    forms = {action: replacement_action_form(action, formdata=None) for action, _ in detail.actions}
    if failed:
        forms[failed[0]] = failed[1]
    return render("manager/replacement.html", "manager/replacement.html", status=status, detail=detail,
                  item=detail.request, forms=forms, failed=failed[0] if failed else None,
                  form_has_errors=bool(failed))


@bp.route("/replacements/<int:replacement_id>")
@login_required
@role_required(*STAFF)
def replacement(replacement_id: int):
    return _page(replacement_id)


@bp.route("/replacements/<int:replacement_id>/<any(approve, reject, ship, complete):action>", methods=["POST"])
@login_required
@role_required(*STAFF)
def replacement_action(replacement_id: int, action: str):
    form = replacement_action_form(action)
    if not form.validate_on_submit():
        return _page(replacement_id, (action, form), 422)
    try:
        change = service.change_status(
            _scope(), replacement_id, action, form.note.data or "", today=today(), now=utcnow(),
            shipment_date=getattr(form, "shipment_date", None) and form.shipment_date.data,
            units=(form.serials.data or "") if hasattr(form, "serials") else "",
            url=url_for("devices.pbx", pbx_id=service.manager_detail(_scope(), replacement_id).request.pbx_id,
                        _external=True))
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _page(replacement_id, (action, form), 422)
    flash(f"Replacement request {change.request.number} is now {change.to_label}. The partner has been notified.",
          "success")
    return redirect(url_for("manager.replacement", replacement_id=replacement_id), code=303)
