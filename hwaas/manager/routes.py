"""The area manager's workspace (administrators see it too): partners, agreements, orders."""
from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hwaas.extensions import db
from hwaas.manager import bp
from hwaas.manager.forms import RejectForm, ReviewForm, order_action_form
from hwaas.services import agreements as agreement_service
from hwaas.services import manager
from hwaas.services.orders import units_field
from hwaas.services.paging import page_number
from hwaas.web import STAFF, access, external_url, overdue_thresholds, refusals, render, see_other, today

access(bp, *STAFF)


def _scope() -> manager.ManagerScope:
    return manager.ManagerScope(db.session, current_user)


@bp.route("/partners")
def partners():
    rows = manager.partners(_scope(), today(), overdue_thresholds())
    return render("manager/partners.html", rows=rows)


# --- agreements ------------------------------------------------------------------------------


@bp.route("/agreements")
def agreements():
    status = request.args.get("status", "uploaded")
    if status not in manager.AGREEMENT_VIEWS:
        status = "uploaded"
    items = manager.agreement_list(_scope(), status)
    return render("manager/agreements.html", "manager/_agreements.html", items=items, selected=status,
                  views=manager.AGREEMENT_VIEWS)


def _agreement_page(agreement_id: int, approve=None, reject=None, status: int = 200):
    item = manager.agreement(_scope(), agreement_id)
    latest = agreement_service.latest(db.session, item.customer_id)
    approve = approve or ReviewForm(prefix="approve", formdata=None)
    reject = reject or RejectForm(prefix="reject", formdata=None)
    return render("manager/agreement.html", status=status, agreement=item,
                  latest=latest, customer=item.customer, approve_form=approve, reject_form=reject,
                  form_has_errors=bool(approve.errors or reject.errors))


@bp.route("/agreements/<int:agreement_id>")
def agreement(agreement_id: int):
    return _agreement_page(agreement_id)


@bp.route("/agreements/<int:agreement_id>/<any(approve, reject):decision>", methods=["POST"])
def review(agreement_id: int, decision: str):
    form = ReviewForm(prefix="approve") if decision == "approve" else RejectForm(prefix="reject")
    if form.validate_on_submit():
        with refusals(form) as refused:
            item = manager.review_agreement(
                _scope(), agreement_id, "approved" if decision == "approve" else "rejected", form.note.data)
        if not refused:
            if decision == "approve":
                done = _("The agreement of %(customer)s is approved. %(partner)s has been notified.",
                         customer=item.customer.name, partner=item.customer.partner.name)
            else:
                done = _("The agreement of %(customer)s is rejected. %(partner)s has been notified.",
                         customer=item.customer.name, partner=item.customer.partner.name)
            flash(done, "success")
            return see_other(url_for("manager.agreements"))
    return _agreement_page(agreement_id, status=422, **{decision: form})


# --- orders ----------------------------------------------------------------------------------


@bp.route("/orders")
def orders():
    status = request.args.get("status", "awaiting_approval")
    if status not in manager.ORDER_FILTERS:
        status = "awaiting_approval"
    result = manager.order_list(_scope(), status, page_number(request.args.get("page")),
                                current_app.config["PAGE_SIZE"])
    return render("manager/orders.html", "manager/_orders.html", result=result, selected=status,
                  filters=manager.ORDER_FILTERS)


def _order_page(order_id: int, failed: tuple[str, object] | None = None, status: int = 200):
    detail = manager.order_detail(_scope(), order_id)
    forms = {action: order_action_form(action, detail.order.lines, formdata=None) for action, _ in detail.actions}
    if failed:
        forms[failed[0]] = failed[1]
    return render("manager/order.html", status=status, detail=detail,
                  order=detail.order, forms=forms, failed=failed[0] if failed else None,
                  form_has_errors=bool(failed))


@bp.route("/orders/<int:order_id>")
def order(order_id: int):
    return _order_page(order_id)


@bp.route("/orders/<int:order_id>/<any(approve, reject, ship, activate, cancel):action>", methods=["POST"])
def order_action(order_id: int, action: str):
    lines = manager.order_detail(_scope(), order_id).order.lines if action == "ship" else ()
    form = order_action_form(action, lines)
    if form.validate_on_submit():
        with refusals(form) as refused:
            change = manager.change_order_status(
                _scope(), order_id, action, form.note.data or "",
                shipment_date=getattr(form, "shipment_date", None) and form.shipment_date.data,
                order_url=external_url("orders.show", order_id=order_id), today=today(),
                units={line.id: form[units_field(line.id)].data or "" for line in lines})
        if not refused:
            flash(_("Order %(number)s is now %(status)s. The partner has been notified.",
                    number=change.order.number, status=_(change.to_label)), "success")
            return see_other(url_for("manager.order", order_id=order_id))
    return _order_page(order_id, (action, form), 422)
