"""Renewals (the next 90 days) and Charges (what was charged and why), with their exports."""
from flask import current_app, request
from flask_babel import gettext as _

from hwaas.downloads import streamed_attachment
from hwaas.extensions import db
from hwaas.i18n import language
from hwaas.models.charges import CHARGE_KINDS
from hwaas.revenue import bp
from hwaas.revenue.forms import ChargesFilter, RenewalsFilter
from hwaas.services import exports, revenue
from hwaas.services.paging import page_number
from hwaas.web import access, failed, refusals, render, scope, today

access(bp, "partner")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(title: str, stem: str, fmt: str, columns, rows):
    """The export in the request's language: `title` is already in it, the columns' headers are
    written in it."""
    if fmt == "csv":
        return streamed_attachment(exports.csv_stream(columns, rows, language()), "text/csv; charset=utf-8",
                                   f"{stem}.csv")
    return streamed_attachment(exports.xlsx_file(title, columns, rows, current_app.config["CURRENCY"], language()),
                               XLSX, f"{stem}.xlsx")


@bp.get("/renewals/")
def renewals():
    form = RenewalsFilter(request.args)
    form.set_customers(revenue.customer_choices(scope()))
    upcoming = listing = None
    if form.validate():
        with refusals(form):
            upcoming = revenue.renewals(scope(), today(), customer_id=form.customer.data)
            listing = revenue.renewals_page(scope(), upcoming, page_number(request.args.get("page")),
                                            current_app.config["RENEWALS_PAGE_SIZE"])
    return render("revenue/renewals.html", "revenue/_renewal_list.html" if listing else None, status=failed(form),
                  form=form, upcoming=upcoming, listing=listing, form_has_errors=bool(form.errors))


@bp.get("/renewals/export")
def renewals_export():
    form = RenewalsFilter(request.args)
    form.set_customers(revenue.customer_choices(scope()))
    if not form.validate():
        return render("revenue/renewals.html", status=failed(form), form=form, upcoming=None, listing=None,
                      form_has_errors=True)
    upcoming = revenue.upcoming(scope(), today(), customer_id=form.customer.data)
    return _download(_("Renewals"), f"renewals-{today().isoformat()}", form.format.data, revenue.RENEWAL_COLUMNS,
                     revenue.renewal_export_rows(upcoming, language()))


def _charges_filter():
    """The form from the query string, and the filter it names (None when the form is refused)."""
    form = ChargesFilter(request.args)
    form.set_customers(revenue.customer_choices(scope()))
    flt = None
    if form.validate():
        with refusals(form, {"month": "month", "pbx": "pbx", "kind": "kind"}):
            flt = revenue.charge_filter(scope(), customer_id=form.customer.data, pbx_id=form.pbx.data,
                                        kind=form.kind.data or None, month=revenue.parse_month(form.month.data))
            form.customer.data = flt.customer_id  # a PBX chosen alone names its customer
    form.set_pbxs(revenue.pbx_choices(scope(), form.customer.data if not form.customer.errors else None))
    return form, flt


@bp.get("/charges/")
def charges():
    form, flt = _charges_filter()
    listing = None
    if flt is not None:
        listing = revenue.charges_page(scope(), flt, page_number(request.args.get("page")),
                                       current_app.config["PAGE_SIZE"])
    return render("revenue/charges.html", "revenue/_charge_list.html" if listing else None, status=failed(form),
                  form=form, listing=listing, kind_labels=CHARGE_KINDS, form_has_errors=bool(form.errors))


@bp.get("/charges/export")
def charges_export():
    form, flt = _charges_filter()
    if flt is None:
        return render("revenue/charges.html", status=failed(form), form=form, listing=None, kind_labels=CHARGE_KINDS,
                      form_has_errors=True)
    if form.format.data == "csv":  # streamed, read after the request: its own session
        rows = revenue.charge_export_stream(db.engine, scope().partner_id, flt, language())
    else:
        rows = revenue.charge_export_rows(scope(), flt, lang=language())
    return _download(_("Charges"), f"charges-{today().isoformat()}", form.format.data, revenue.CHARGE_COLUMNS, rows)
