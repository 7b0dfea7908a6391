from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from hwaas.agreements import bp
from hwaas.agreements.forms import UploadForm
from hwaas.domain_forms import show_error
from hwaas.downloads import attachment
from hwaas.extensions import db
from hwaas.models import Customer
from hwaas.services import agreements
from hwaas.services.errors import DomainError
from hwaas.services.manager import ManagerScope
from hwaas.web import current_standing, scope, today

TOO_LARGE = ("The file is larger than 10 MB, so it was not uploaded. Scan it at a lower resolution, "
             "or save it as a PDF, and upload it again.")


def _show(customer_id: int, form: UploadForm, status: int = 200):
    partner_scope = scope()
    customer = partner_scope.get(Customer, customer_id)
    history = agreements.history(partner_scope, customer.id)
    return render_template("agreements/show.html", customer=customer, history=history,
                           latest=history[0] if history else None, form=form,
                           form_has_errors=bool(form.errors)), status


@bp.route("/agreements")
@login_required
def index():
    return render_template("agreements/index.html", agreements=agreements.overview(scope()))


@bp.route("/customers/<int:customer_id>/agreement")
@login_required
def show(customer_id: int):
    return _show(customer_id, UploadForm(formdata=None))


@bp.route("/customers/<int:customer_id>/agreement.pdf")
@login_required
def prefilled(customer_id: int):
    doc = agreements.prefilled_pdf(scope(), customer_id, today())
    return attachment(doc.data, doc.content_type, doc.filename)


@bp.route("/customers/<int:customer_id>/agreement", methods=["POST"])
@login_required
def upload(customer_id: int):
    form = UploadForm()
    if not form.validate_on_submit():
        return _show(customer_id, form, 422)
    try:
        agreement = agreements.upload(
            scope(), customer_id, current_user, form.file.data.filename,
            form.file.data.read(agreements.MAX_BYTES + 1), standing=current_standing(),
            review_url=url_for("manager.agreements", _external=True),
        )
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _show(customer_id, form, 422)
    flash(f"The signed agreement of {agreement.customer.name} is uploaded. Your area manager has been "
          "notified and will review it.", "success")
    return redirect(url_for("agreements.show", customer_id=customer_id), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A file over the request limit: the upload page again, with the reason, not a bare error page."""
    customer_id = (request.view_args or {}).get("customer_id")
    if request.endpoint != "agreements.upload" or customer_id is None or not current_user.is_authenticated:
        return render_template("error.html", code=413, title="File too large",
                               text="The file is larger than allowed (10 MB). Choose a smaller file."), 413
    form = UploadForm(formdata=None)
    form.file.errors = [TOO_LARGE]
    return _show(customer_id, form, 413)


@bp.route("/agreements/<int:agreement_id>/file")
@login_required
def signed_file(agreement_id: int):
    """The signed file, as an attachment: to its partner, its area manager and administrators only."""
    if current_user.is_partner:
        visible = [scope().partner_id]
    else:
        visible = ManagerScope(db.session, current_user).partner_ids()
    agreement = agreements.file_for(db.session, agreement_id, visible)
    return attachment(agreement.data, agreement.content_type, agreements.download_name(agreement))
