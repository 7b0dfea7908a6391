"""The order status machine (DESIGN §3.8): legal transitions only, each one written to history."""
import datetime as dt

from sqlalchemy.orm import Session

from hwaas.models import Order, OrderStatusChange, User
from hwaas.models.orders import ORDER_STATUSES
from hwaas.models.types import utcnow
from hwaas.services import mail
from hwaas.services.errors import InvalidTransition, ValidationFailed

# from-status → the statuses it may move to
TRANSITIONS: dict[str | None, tuple[str, ...]] = {
    None: ("awaiting_approval",),
    "awaiting_approval": ("approved", "rejected", "cancelled"),
    "approved": ("shipped", "cancelled"),
    "shipped": ("active",),
    "rejected": (),
    "active": (),
    "cancelled": (),
}

# What each transition is called on a button.
ACTIONS = {
    "approved": "Approve",
    "rejected": "Reject",
    "shipped": "Ship",
    "active": "Activate",
    "cancelled": "Cancel",
}


def allowed_transitions(status: str | None) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def record_status(
    session: Session, order: Order, to_status: str, by: User, note: str = "", at: dt.datetime | None = None
) -> OrderStatusChange:
    """Move the order to `to_status` if the machine allows it, and write the history row.

    The change and its history row are flushed together: one commit makes both or neither.
    """
    from_status = order.status if order.history else None  # an order without history is new
    if to_status not in allowed_transitions(from_status):
        was = ORDER_STATUSES.get(from_status, "new") if from_status else "new"
        raise InvalidTransition(
            f"An order that is {was} cannot become {ORDER_STATUSES.get(to_status, to_status)}.", field="status"
        )
    change = OrderStatusChange(
        from_status=from_status, to_status=to_status, changed_by_id=by.id, note=note.strip()[:500],
        changed_at=at or utcnow(),
    )
    order.status = to_status
    order.history.append(change)
    _on_transition(session, order, to_status, change.changed_at)
    session.flush()
    return change


def ship(session: Session, order: Order, by: User, shipment_date: dt.date, note: str = "") -> OrderStatusChange:
    if shipment_date is None:
        raise ValidationFailed("Enter the shipment date.", field="shipment_date")
    if shipment_date < order.ordered_on:
        raise ValidationFailed("The shipment date cannot be before the order date.", field="shipment_date")
    change = record_status(session, order, "shipped", by, note)
    order.shipment_date = shipment_date
    return change


# --- what a transition does besides the status (same transaction as the history row) ----------


def _on_transition(session: Session, order: Order, to_status: str, at: dt.datetime) -> None:
    if to_status == "active":
        provision(session, order)
    elif to_status in ("rejected", "cancelled"):
        release_stock(session, order)


def provision(session: Session, order: Order) -> list:
    """An active order puts its devices on the PBX: one HWaaS service per line, with the PBX's
    term, started on the order date and expiring with the PBX (DESIGN §3.2), and one rented
    Device per unit. Idempotent: an order already provisioned is left alone."""
    from sqlalchemy import select

    from hwaas.models import Device, PbxService

    if session.scalar(select(PbxService.id).where(PbxService.order_id == order.id).limit(1)) is not None:
        return []
    services = []
    for line in order.lines:
        service = PbxService(
            pbx_id=order.pbx_id, term=order.term, kind="hwaas", product_id=line.product_id,
            quantity=line.quantity, unit_price=line.unit_price, started_on=order.ordered_on,
            status="active", order_id=order.id,
        )
        session.add(service)
        for _ in range(line.quantity):
            session.add(Device(pbx_id=order.pbx_id, product_id=line.product_id, ownership="rented", service=service))
        services.append(service)
    return services


def release_stock(session: Session, order: Order) -> None:
    """A rejected or cancelled order gives back the stock its checkout reserved."""
    from sqlalchemy import update

    from hwaas.models import Product

    for product_id, quantity in sorted((line.product_id, line.quantity) for line in order.lines):
        session.execute(
            update(Product).where(Product.id == product_id).values(stock=Product.stock + quantity)
            .execution_options(synchronize_session=False)
        )
        product = session.identity_map.get(session.identity_key(Product, product_id))
        if product is not None:
            session.expire(product, ["stock"])


# --- telling the partner ------------------------------------------------------------------------


def notify_status(session: Session, order: Order, change, order_url: str | None = None,
                  now: dt.datetime | None = None) -> None:
    """Mail the partner (outbox) that the order changed status."""
    mail.enqueue_template(session, mail.partner_recipients(session, order.customer.partner), "order_status",
                          now=now or utcnow(), order=order, change=change, order_url=order_url,
                          changed_by=session.get(User, change.changed_by_id))
