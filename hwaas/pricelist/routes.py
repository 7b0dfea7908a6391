"""Price list: the partner's prices and their downloads (OpEx, CapEx, CLASSOUND; EXCEL, PDF)."""
from flask import current_app, render_template, request
from flask_login import current_user

from hwaas.downloads import attachment
from hwaas.extensions import db
from hwaas.pricelist import bp
from hwaas.pricelist.forms import PriceListForm
from hwaas.services import pricelist
from hwaas.web import access, failed, today

access(bp, "partner")


def _page(form: PriceListForm, status: int = 200):
    partner = current_user.partner
    return render_template("pricelist/index.html", form=form, partner=partner, kinds=pricelist.KINDS,
                           formats=pricelist.FORMATS, descriptions=pricelist.KIND_DESCRIPTIONS,
                           version=pricelist.catalogue_version(db.session),
                           form_has_errors=bool(form.errors)), status


@bp.route("/")
def index():
    return _page(PriceListForm(formdata=None, data={"kind": "opex", "format": "xlsx"}))


@bp.route("/download")
def download():
    form = PriceListForm(request.args)
    if not form.validate():
        return _page(form, failed(form))
    doc = pricelist.document(db.session, current_user.partner, form.kind.data, form.format.data,
                             current_app.config["CURRENCY"], today())
    return attachment(doc.data, doc.content_type, doc.filename)
