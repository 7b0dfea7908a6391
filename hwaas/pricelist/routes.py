"""Price list: the partner's prices on the page and their downloads (OpEx, CapEx, CLASSOUND; EXCEL, PDF)."""
from flask import current_app, request
from flask_login import current_user

from hwaas.downloads import attachment
from hwaas.extensions import db
from hwaas.i18n import language
from hwaas.models.catalogue import CATEGORIES
from hwaas.pricelist import bp
from hwaas.pricelist.forms import PriceListForm, PriceTableForm
from hwaas.services import pricelist
from hwaas.web import access, failed, refusals, render, today

access(bp, "partner")


def _page(form: PriceListForm, table_form: PriceTableForm):
    """The page, or for the filter form's htmx request the price table alone: the partner's prices
    narrowed as `table_form` says (once it is valid), the downloads beside them."""
    partner = current_user.partner
    price_list = None
    if not table_form.errors:
        with refusals(table_form):
            price_list = pricelist.build(db.session, table_form.kind.data or "opex", partner.tier,
                                         category=table_form.category.data or None, search=table_form.q.data or "")
    version = price_list.catalogue_version if price_list else pricelist.catalogue_version(db.session)
    return render("pricelist/index.html", "pricelist/_prices.html", failed(form) if form.errors else failed(table_form),
                  form=form, table_form=table_form, partner=partner, kinds=pricelist.KINDS,
                  formats=pricelist.FORMATS, descriptions=pricelist.KIND_DESCRIPTIONS, version=version,
                  price_list=price_list, categories=CATEGORIES, currency=current_app.config["CURRENCY"],
                  form_has_errors=bool(form.errors or table_form.errors))


@bp.route("/")
def index():
    table_form = PriceTableForm(request.args)
    table_form.validate()
    return _page(PriceListForm(formdata=None, data={"kind": "opex", "format": "xlsx"}), table_form)


@bp.route("/download")
def download():
    form = PriceListForm(request.args)
    if not form.validate():
        return _page(form, PriceTableForm(formdata=None))
    doc = pricelist.document(db.session, current_user.partner, form.kind.data, form.format.data,
                             current_app.config["CURRENCY"], today(), lang=language())
    return attachment(doc.data, doc.content_type, doc.filename)
