"""The partner's Orders: the list with its status filter and search, one order with lines and
history, cancelling."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from hwaas.models import Customer, Order, OrderStatusChange, Pbx, User
from hwaas.models.orders import ORDER_STATUSES
from hwaas.services import orders
from hwaas.messages import N_
from hwaas.services.errors import InvalidTransition, NotFound
from hwaas.services.phrasing import Phrase
from hwaas.services.paging import Page, paginate
from hwaas.services.tenancy import PartnerScope

# What a partner may do to their own order; approving, shipping and activating are the vendor's.
PARTNER_TRANSITIONS = ("cancelled",)
MAX_QUERY = 100


def filtered(scope: PartnerScope, stmt: Select, status: str | None, query: str | None) -> Select:
    """The list's filters on a statement over Order: one status, and `query` contained in the
    order number, the partner's reference or the customer's name (case-insensitive)."""
    if status in ORDER_STATUSES:
        stmt = stmt.where(Order.status == status)
    query = (query or "").strip()[:MAX_QUERY]
    if query:
        customers = scope.select(Customer, Customer.id).where(Customer.name.icontains(query, autoescape=True))
        stmt = stmt.where(or_(Order.number.icontains(query, autoescape=True),
                              Order.reference.icontains(query, autoescape=True),
                              Order.customer_id.in_(customers)))
    return stmt


def list_orders(scope: PartnerScope, status: str | None, page: int, size: int, query: str | None = None) -> Page:
    """Newest first, optionally one status, as rows of what the list shows (not ORM objects).

    The page is found by id alone, which the (partner_id[, status], id) indexes answer without
    reading the table, then only its rows are read and joined to their customer's and PBX's
    names: a deep page costs an index walk, not a table walk (PostgreSQL otherwise chose to scan
    the whole table backwards for the big partner's page 250: 11 ms instead of 0.7).
    """
    stmt = filtered(scope, scope.select(Order, Order.id).order_by(Order.id.desc()), status, query)
    return paginate(scope.session, stmt, page, size, around=_rows_of_page)


def _rows_of_page(page_ids):
    ids = page_ids.subquery()
    return (select(Order.id, Order.number, Order.reference, Order.term, Order.total, Order.status, Order.ordered_on,
                   Order.shipment_date, Customer.name.label("customer_name"), Pbx.name.label("pbx_name"))
            .join(ids, ids.c.id == Order.id)
            .join(Customer, Customer.id == Order.customer_id).join(Pbx, Pbx.id == Order.pbx_id)
            .order_by(Order.id.desc()))


def get_order(scope: PartnerScope, order_id: int) -> Order:
    order = scope.session.scalar(
        scope.select(Order).where(Order.id == order_id).options(
            selectinload(Order.customer), selectinload(Order.pbx), selectinload(Order.placed_by),
            selectinload(Order.lines),
            selectinload(Order.history).selectinload(OrderStatusChange.changed_by),
        )
    )
    if order is None:
        raise NotFound("No such order.")
    return order


# The status history's note of a cancel without one; stored in English, shown in the reader's language.
CANCELLED_NOTE = N_("Cancelled by the partner.")


def partner_actions(order: Order) -> list[tuple[str, str]]:
    """(to_status, button label) the partner may apply now."""
    allowed = orders.allowed_transitions(order.status)
    return [(to, orders.ACTIONS[to]) for to in PARTNER_TRANSITIONS if to in allowed]


def cancel(scope: PartnerScope, user: User, order_id: int, note: str = "", order_url: str | None = None,
           manager_url: str | None = None) -> Order:
    """The partner cancels their order while it is Awaiting approval or Approved (DESIGN §3.8);
    like every status change, it is mailed to the partner, and to its area manager."""
    from hwaas.models import Partner
    from hwaas.services.device_mails import order_cancelled_by_partner

    order = get_order(scope, order_id)
    if "cancelled" not in orders.allowed_transitions(order.status):
        raise InvalidTransition(
            N_("This order is %(status)s and can no longer be cancelled."), field="status",
            status=Phrase(ORDER_STATUSES[order.status]))
    change = orders.record_status(scope.session, order, "cancelled", user, note or CANCELLED_NOTE)
    orders.notify_status(scope.session, order, change, order_url)
    order_cancelled_by_partner(scope.session, order, scope.session.get(Partner, scope.partner_id), change,
                               manager_url, change.changed_at)
    return order
