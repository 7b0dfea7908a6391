"""Documents that a partner and the staff who manage them both read: order confirmations and
signed agreements, always as attachments."""
from flask import current_app
from sqlalchemy.orm import selectinload

from hwaas.documents import bp
from hwaas.downloads import attachment
from hwaas.i18n import language
from hwaas.models import Order
from hwaas.services import agreements, documents
from hwaas.web import access, reader_scope, today

access(bp)


@bp.route("/orders/<int:order_id>/confirmation.pdf")
def order_confirmation(order_id: int):
    """The order confirmation: for the order's partner, its area manager and administrators."""
    order = reader_scope().get(Order, order_id, selectinload(Order.lines), selectinload(Order.history))
    doc = documents.order_confirmation(order, current_app.config["CURRENCY"], today(), lang=language())
    return attachment(doc.data, doc.content_type, doc.filename)


@bp.route("/agreements/<int:agreement_id>/file")
def signed_file(agreement_id: int):
    """The signed file: to its partner, its area manager and administrators only."""
    agreement = agreements.file_for(reader_scope(), agreement_id)
    return attachment(agreement.data, agreement.content_type, agreements.download_name(agreement))
