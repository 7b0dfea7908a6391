"""The order status machine (DESIGN §3.8): legal transitions only, each one written to history."""
import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from hwaas.messages import N_
from hwaas.models import Order, OrderStatusChange, User
from hwaas.models.orders import ORDER_STATUSES
from hwaas.models.types import utcnow
from hwaas.services import mail
from hwaas.services.errors import InvalidTransition, ValidationFailed
from hwaas.services.phrasing import Phrase

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
    "approved": N_("Approve"),
    "rejected": N_("Reject"),
    "shipped": N_("Ship"),
    "active": N_("Activate"),
    "cancelled": N_("Cancel"),
}


def allowed_transitions(status: str | None, ships: bool = True) -> tuple[str, ...]:
    """The moves from `status`; an order with nothing to ship (only CLASSOUND, DESIGN §3.4.1)
    goes from Approved straight to Active."""
    allowed = TRANSITIONS.get(status, ())
    if not ships:
        allowed = tuple("active" if to == "shipped" else to for to in allowed)
    return allowed


def needs_shipping(order: Order) -> bool:
    """An order with any device ships; one of services only (CLASSOUND) does not."""
    from sqlalchemy import select

    from hwaas.models import Product
    from hwaas.models.catalogue import SERVICE_CATEGORIES

    session = Session.object_session(order)
    categories = session.scalars(
        select(Product.category).where(Product.id.in_([line.product_id for line in order.lines]))).all()
    return not categories or any(c not in SERVICE_CATEGORIES for c in categories)


def require_transition(order: Order, to_status: str) -> str | None:
    """The order's status (None when new) if the machine allows `to_status` from it; else refuse."""
    from_status = order.status if order.history else None  # an order without history is new
    ships = from_status != "approved" or needs_shipping(order)
    if to_status not in allowed_transitions(from_status, ships):
        was = ORDER_STATUSES.get(from_status, N_("new")) if from_status else N_("new")
        raise InvalidTransition(
            N_("An order that is %(was)s cannot become %(status)s."), field="status",
            was=Phrase(was), status=Phrase(ORDER_STATUSES.get(to_status, to_status)),
        )
    return from_status


def record_status(
    session: Session, order: Order, to_status: str, by: User, note: str = "", at: dt.datetime | None = None
) -> OrderStatusChange:
    """Move the order to `to_status` if the machine allows it, and write the history row.

    The change and its history row are flushed together: one commit makes both or neither.
    """
    from_status = require_transition(order, to_status)
    change = OrderStatusChange(
        from_status=from_status, to_status=to_status, changed_by_id=by.id, note=note.strip()[:500],
        changed_at=at or utcnow(),
    )
    order.status = to_status
    order.history.append(change)
    _on_transition(session, order, to_status, change.changed_at)
    session.flush()
    return change


def units_field(line_id: int) -> str:
    """The Ship form's field for one order line's serial numbers."""
    return f"serials_{line_id}"


def ship(
    session: Session, order: Order, by: User, shipment_date: dt.date, note: str = "", *,
    units: Mapping[int, str], today: dt.date | None,
) -> OrderStatusChange:
    """Ship the order on `shipment_date` (not in the future, not before the order date) with a
    serial number, and a MAC where the model has one, for every unit: `units` maps each order
    line's id to its text, one unit a line. The devices provisioned at activation carry them."""
    from hwaas.models import Product, ShippedUnit
    from hwaas.services import serials

    require_transition(order, "shipped")
    if shipment_date is None:
        raise ValidationFailed(N_("Enter the shipment date."), field="shipment_date")
    if shipment_date < order.ordered_on:
        raise ValidationFailed(N_("The shipment date cannot be before the order date."), field="shipment_date")
    if today is None:
        raise TypeError("today is required to ship: the shipment date may not be in the future")
    if shipment_date > today:
        raise ValidationFailed(N_("The shipment date cannot be in the future."), field="shipment_date")
    parsed, fields = [], {}
    for line in order.lines:
        product = session.get(Product, line.product_id)
        field = units_field(line.id)
        line_units = serials.parse_units(units.get(line.id, ""), line.quantity,
                                         serials.model_has_mac(product.category), line.name, field)
        parsed += [(line, unit) for unit in line_units]
        fields.update((unit.serial, field) for unit in line_units)
    serials.require_unique(session, [unit for _, unit in parsed], fields)
    change = record_status(session, order, "shipped", by, note)
    order.shipment_date = shipment_date
    session.add_all(ShippedUnit(order_id=order.id, order_line_id=line.id, serial=unit.serial, mac=unit.mac)
                    for line, unit in parsed)
    session.flush()
    return change


# --- what a transition does besides the status (same transaction as the history row) ----------


def _on_transition(session: Session, order: Order, to_status: str, at: dt.datetime) -> None:
    if to_status == "active":
        services = provision(session, order)
        if services:  # its initial charges, from the lines as priced at checkout (DESIGN §3.4)
            from hwaas.services import charges

            charges.charge_activation(session, order, services, at.date())
    elif to_status in ("rejected", "cancelled"):
        release_stock(session, order)


def provision(session: Session, order: Order) -> list:
    """An active order puts its services on the PBX: one service per line, with the PBX's term,
    started on the order date and expiring with the PBX (DESIGN §3.2); an HWaaS line brings one
    rented Device per unit, with the serial and MAC entered at shipment; CLASSOUND brings none.
    Idempotent: an order already provisioned is left alone."""
    from sqlalchemy import select

    from hwaas.models import Device, PbxService, Product, ShippedUnit
    from hwaas.models.catalogue import SERVICE_CATEGORIES

    if session.scalar(select(PbxService.id).where(PbxService.order_id == order.id).limit(1)) is not None:
        return []
    shipped: dict[int, list] = {}
    for unit in session.scalars(select(ShippedUnit).where(ShippedUnit.order_id == order.id)
                                .order_by(ShippedUnit.id)):
        shipped.setdefault(unit.order_line_id, []).append(unit)
    services = []
    for line in order.lines:
        category = session.get(Product, line.product_id).category
        kind = "classound" if category in SERVICE_CATEGORIES else "hwaas"
        service = PbxService(
            pbx_id=order.pbx_id, term=order.term, kind=kind, product_id=line.product_id,
            quantity=line.quantity, unit_price=line.unit_price, started_on=order.ordered_on,
            status="active", order_id=order.id,
        )
        session.add(service)
        if kind == "hwaas":
            units = shipped.get(line.id, [])
            for i in range(line.quantity):
                unit = units[i] if i < len(units) else None
                session.add(Device(pbx_id=order.pbx_id, product_id=line.product_id, ownership="rented",
                                   service=service, serial=unit.serial if unit else "",
                                   mac=unit.mac if unit else ""))
        services.append(service)
    return services


def release_stock(session: Session, order: Order) -> None:
    """A rejected or cancelled order gives back the stock its checkout reserved."""
    from sqlalchemy import select, update

    from hwaas.models import Product

    from hwaas.models.catalogue import SERVICE_CATEGORIES

    categories = dict(session.execute(select(Product.id, Product.category)
                                      .where(Product.id.in_([line.product_id for line in order.lines]))).all())
    for product_id, quantity in sorted((line.product_id, line.quantity) for line in order.lines
                                       if categories.get(line.product_id) not in SERVICE_CATEGORIES):
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
