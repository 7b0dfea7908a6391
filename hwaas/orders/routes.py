"""Order views: the list with its status filter and search, its export, one order with lines and
history, cancelling."""
from flask import current_app, flash, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hwaas.domain_forms import has_control_characters
from hwaas.downloads import streamed_attachment
from hwaas.i18n import language
from hwaas.models.orders import ORDER_STATUSES
from hwaas.orders import bp
from hwaas.orders.forms import CancelForm
from hwaas.services import order_exports, partner_orders
from hwaas.services.paging import page_number
from hwaas.web import access, external_url, refusals, render, scope, see_other, today

access(bp, "partner")


def _filters() -> tuple[str, str, bool]:
    """The list's filters from the query string: a known status (else all), the search text, and
    whether the search was refused (control characters: the list then shows unsearched)."""
    status = request.args.get("status", "")
    query = request.args.get("q", "").strip()[:partner_orders.MAX_QUERY]
    refused = has_control_characters(query)
    return (status if status in ORDER_STATUSES else ""), ("" if refused else query), refused


@bp.get("/")
def index():
    status, q, refused = _filters()
    page = partner_orders.list_orders(scope(), status or None, page_number(request.args.get("page")),
                                      current_app.config["PAGE_SIZE"], q)
    return render("orders/index.html", "orders/_results.html", status=422 if refused else 200, results=page,
                  selected=status, q=q, q_error=_("Remove the control characters from the search; use letters, "
                                                  "digits and punctuation.") if refused else None,
                  form_has_errors=refused, statuses=ORDER_STATUSES)


@bp.get("/export.<any(xlsx, csv):format>")
def export(format: str):
    """The filtered list (the page's status and search), streamed as EXCEL or CSV."""
    status, q, _refused = _filters()
    lang, currency = language(), current_app.config["CURRENCY"]
    rows = order_exports.rows(scope(), status or None, q, lang)
    if format == "csv":
        chunks = (chunk.encode("utf-8") for chunk in order_exports.csv_chunks(rows, currency, lang))
    else:
        chunks = order_exports.file_chunks(order_exports.xlsx_file(rows, currency, _("Orders"), today(), lang=lang))
    return streamed_attachment(stream_with_context(chunks), order_exports.FORMATS[format],
                               order_exports.filename(format, today()))


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
                                          order_url=external_url("orders.show", order_id=order_id),
                                          manager_url=external_url("manager.order", order_id=order_id))
        if not refused:
            flash(_("Order %(number)s was cancelled.", number=order.number), "success")
            return see_other(url_for("orders.show", order_id=order.id))
    return _show(order_id, form, status=422)
