"""Agreements: each customer's HWaaS agreement, prefilled to download, signed to upload."""
from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from hwaas.agreements import bp
from hwaas.agreements.forms import UploadForm
from hwaas.downloads import attachment
from hwaas.i18n import language, lazy_gettext as _l
from hwaas.models import Customer
from hwaas.services import agreements
from hwaas.web import access, current_standing, external_url, failed, refusals, scope, see_other, today

access(bp, "partner")

TOO_LARGE = _l("The file is larger than 10 MB, so it was not uploaded. Scan it at a lower resolution, "
               "or save it as a PDF, and upload it again.")


def _show(customer_id: int, form: UploadForm, status: int = 200):
    partner_scope = scope()
    customer = partner_scope.get(Customer, customer_id)
    history = agreements.history(partner_scope, customer.id)
    return render_template("agreements/show.html", customer=customer, history=history,
                           latest=history[0] if history else None, form=form,
                           form_has_errors=bool(form.errors)), status


@bp.route("/agreements")
def index():
    return render_template("agreements/index.html", agreements=agreements.overview(scope()))


@bp.route("/customers/<int:customer_id>/agreement")
def show(customer_id: int):
    return _show(customer_id, UploadForm(formdata=None))


@bp.route("/customers/<int:customer_id>/agreement.pdf")
def prefilled(customer_id: int):
    doc = agreements.prefilled_pdf(scope(), customer_id, today(), lang=language())
    return attachment(doc.data, doc.content_type, doc.filename)


@bp.route("/customers/<int:customer_id>/agreement", methods=["POST"])
def upload(customer_id: int):
    form = UploadForm()
    if form.validate_on_submit():
        with refusals(form) as refused:
            agreement = agreements.upload(
                scope(), customer_id, current_user, form.file.data.filename,
                form.file.data.read(agreements.MAX_BYTES + 1), standing=current_standing(),
                review_url=external_url("manager.agreements"),
            )
        if not refused:
            flash(_("The signed agreement of %(customer)s is uploaded. Your area manager has been "
                    "notified and will review it.", customer=agreement.customer.name), "success")
            return see_other(url_for("agreements.show", customer_id=customer_id))
    return _show(customer_id, form, failed(form))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A file over the request limit: the upload page again, with the reason, not a bare error page."""
    customer_id = (request.view_args or {}).get("customer_id")
    if request.endpoint != "agreements.upload" or customer_id is None or not current_user.is_authenticated:
        return render_template("error.html", code=413, title=_("File too large"),
                               text=_("The file is larger than allowed (10 MB). Choose a smaller file.")), 413
    form = UploadForm(formdata=None)
    form.file.errors = [TOO_LARGE]
    return _show(customer_id, form, 413)
