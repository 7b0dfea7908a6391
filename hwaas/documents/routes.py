from flask import current_app
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from hwaas.documents import bp
from hwaas.downloads import attachment
from hwaas.extensions import db
from hwaas.models import Order
from hwaas.services import documents
from hwaas.services.manager import ManagerScope
from hwaas.web import scope, today


@bp.route("/orders/<int:order_id>/confirmation.pdf")
@login_required
def order_confirmation(order_id: int):
    """The order confirmation: for the order's partner, its area manager and administrators."""
    if current_user.is_partner:
        order = scope().get(Order, order_id)
    else:
        order = ManagerScope(db.session, current_user).get(Order, order_id, selectinload(Order.lines),
                                                           selectinload(Order.history))
    doc = documents.order_confirmation(order, current_app.config["CURRENCY"], today())
    return attachment(doc.data, doc.content_type, doc.filename)
