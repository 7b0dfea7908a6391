"""Order views: the list with its status filter, one order with lines and history, cancelling."""
from flask import current_app, flash, render_template, request, url_for
from flask_login import current_user

from hwaas.models.orders import ORDER_STATUSES
from hwaas.orders import bp
from hwaas.orders.forms import CancelForm
from hwaas.services import partner_orders
from hwaas.services.paging import page_number
from hwaas.web import access, external_url, refusals, render, scope, see_other

access(bp, "partner")


@bp.get("/")
def index():
    status = request.args.get("status", "")
    if status not in ORDER_STATUSES:
        status = ""
    page = partner_orders.list_orders(scope(), status or None, page_number(request.args.get("page")),
                                      current_app.config["PAGE_SIZE"])
    return render("orders/index.html", "orders/_results.html", results=page, selected=status, statuses=ORDER_STATUSES)


def _show(order_id: int, form: CancelForm, status: int = 200):
    order = partner_orders.get_order(scope(), order_id)
    return render_template("orders/show.html", order=order, form=form,
                           actions=partner_orders.partner_actions(order),
                           form_has_errors=bool(form.errors)), status


@bp.get("/<int:order_id>")
def show(order_id: int):
    return _show(order_id, CancelForm())


@bp.post("/<int:order_id>/cancel")
def cancel(order_id: int):
    form = CancelForm()
    if form.validate():
        with refusals(form, {"status": "note"}) as refused:
            order = partner_orders.cancel(scope(), current_user._get_current_object(), order_id, form.note.data or "",
                                          order_url=external_url("orders.show", order_id=order_id))
        if not refused:
            flash(f"Order {order.number} was cancelled.", "success")
            return see_other(url_for("orders.show", order_id=order.id))
    return _show(order_id, form, status=422)
