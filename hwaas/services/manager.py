"""The area manager's workspace: their partners, agreements to review, orders to move along.

`ManagerScope` is the one place that decides which partners a member of staff sees: an area
manager sees the partners they manage, an administrator sees all. Anything outside the scope is
reported as not found.
"""
import datetime as dt
from decimal import Decimal
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from hwaas.messages import N_
from hwaas.models import Agreement, Customer, Invoice, Order, Partner, User
from hwaas.models.orders import ORDER_STATUSES
from hwaas.services import agreements, orders, overdue
from hwaas.services.errors import NotFound, ValidationFailed
from hwaas.services.paging import Page, paginate

M = TypeVar("M")


class ManagerScope:
    def __init__(self, session: Session, user: User):
        if user.role not in ("area_manager", "admin"):
            raise NotFound("No such page.")
        self.session = session
        self.user = user

    def partner_ids(self) -> Select:
        """A SELECT of the ids of the partners in scope, to use in IN (...)."""
        query = select(Partner.id)
        if self.user.role == "area_manager":
            query = query.where(Partner.area_manager_id == self.user.id)
        return query

    def select(self, model: type[M]) -> Select:
        if model is Partner:
            return select(Partner).where(Partner.id.in_(self.partner_ids()))
        column = getattr(model, "partner_id", None)
        if column is None:
            raise TypeError(f"{model.__name__} carries no partner_id and cannot be scoped")
        return select(model).where(column.in_(self.partner_ids()))

    def get(self, model: type[M], id_: int, *options) -> M:
        obj = self.session.scalar(self.select(model).where(model.id == id_).options(*options))
        if obj is None:
            raise NotFound(f"No such {model.__name__.lower()}.")
        return obj


# --- partners --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRow:
    partner: Partner
    customers: int
    orders_awaiting: int
    agreements_to_review: int
    standing: overdue.Standing
    mrr: Decimal = Decimal("0.00")  # monthly recurring revenue today


def partners(scope: ManagerScope, today: dt.date, thresholds: overdue.Thresholds) -> list[PartnerRow]:
    session = scope.session
    items = session.scalars(scope.select(Partner).options(joinedload(Partner.tier), joinedload(Partner.area_manager))
                            .order_by(Partner.name)).all()
    ids = [p.id for p in items]

    def counts(query) -> dict[int, int]:
        return dict(session.execute(query).all()) if ids else {}

    customers = counts(select(Customer.partner_id, func.count()).where(Customer.partner_id.in_(ids))
                       .group_by(Customer.partner_id))
    awaiting = counts(select(Order.partner_id, func.count()).where(
        Order.partner_id.in_(ids), Order.status == "awaiting_approval").group_by(Order.partner_id))
    to_review = {}
    for agreement in _latest_agreements(session, ids, status="uploaded"):
        to_review[agreement.partner_id] = to_review.get(agreement.partner_id, 0) + 1
    oldest = counts(select(Invoice.partner_id, func.min(Invoice.due_on)).where(
        Invoice.partner_id.in_(ids), Invoice.paid_on.is_(None)).group_by(Invoice.partner_id))
    from hwaas.services import revenue

    mrr = revenue.mrr_by_partner(session, ids, today) if ids else {}
    return [
        PartnerRow(p, customers.get(p.id, 0), awaiting.get(p.id, 0), to_review.get(p.id, 0),
                   overdue.standing(overdue.days_overdue([oldest[p.id]] if p.id in oldest else [], today),
                                    thresholds), mrr.get(p.id, Decimal("0.00")))
        for p in items
    ]


# --- agreements ------------------------------------------------------------------------------


def newest_agreement_ids(partner_ids) -> Select:
    """The id of each customer's most recent agreement: the one that counts."""
    return (select(func.max(Agreement.id)).where(Agreement.partner_id.in_(partner_ids))
            .group_by(Agreement.customer_id))


def _latest_agreements(session: Session, partner_ids, status: str | None = None) -> list[Agreement]:
    """Each customer's most recent agreement (the one that counts), optionally of one status."""
    query = (select(Agreement).where(Agreement.id.in_(newest_agreement_ids(partner_ids)))
             .options(joinedload(Agreement.customer).joinedload(Customer.partner),
                      joinedload(Agreement.uploaded_by), joinedload(Agreement.reviewed_by)))
    if status:
        query = query.where(Agreement.status == status)
    return list(session.scalars(query.order_by(Agreement.uploaded_at, Agreement.id)))


AGREEMENT_VIEWS = {"uploaded": N_("Awaiting review"), "approved": N_("Approved"), "rejected": N_("Rejected")}


def agreement_list(scope: ManagerScope, status: str = "uploaded") -> list[Agreement]:
    """The latest agreement of each customer in scope with `status` (default: to review)."""
    if status not in AGREEMENT_VIEWS:
        status = "uploaded"
    return _latest_agreements(scope.session, scope.partner_ids(), status)


def agreement(scope: ManagerScope, agreement_id: int) -> Agreement:
    return scope.get(Agreement, agreement_id, joinedload(Agreement.customer).joinedload(Customer.partner))


def review_agreement(scope: ManagerScope, agreement_id: int, decision: str, note: str = "",
                     agreement_url: str | None = None, now: dt.datetime | None = None) -> Agreement:
    return agreements.review(scope.session, agreement(scope, agreement_id), scope.user, decision, note,
                             agreement_url, now)


# --- orders ----------------------------------------------------------------------------------

ORDER_FILTERS = {"awaiting_approval": N_("Awaiting approval"), "approved": N_("Approved"), "shipped": N_("Shipped"),
                 "active": N_("Active"), "rejected": N_("Rejected"), "cancelled": N_("Cancelled"), "all": N_("All")}
# Form action → the status it moves to; the status machine (services.orders) says which are allowed.
ACTIONS = {"approve": "approved", "reject": "rejected", "ship": "shipped", "activate": "active",
           "cancel": "cancelled"}
# The manager's buttons, by the status they move to (the web layer translates them where shown).
ACTION_LABELS = {"approved": N_("Approve"), "rejected": N_("Reject"), "shipped": N_("Ship"),
                 "active": N_("Activate"), "cancelled": N_("Cancel")}
NOTE_REQUIRED = {"rejected": N_("Enter the reason for rejecting the order; the partner will see it."),
                 "cancelled": N_("Enter the reason for cancelling the order; the partner will see it.")}


def order_list(scope: ManagerScope, status: str = "awaiting_approval", page: int = 1, per_page: int = 20) -> Page:
    """The orders of the manager's partners with one status, oldest first while they wait for the
    manager (awaiting approval, approved), newest first otherwise."""
    query = scope.select(Order)
    if status in ORDER_STATUSES:
        query = query.where(Order.status == status)
    query = (query.options(joinedload(Order.customer).joinedload(Customer.partner))
             .order_by(Order.id.desc() if status not in ("awaiting_approval", "approved") else Order.id))
    return paginate(scope.session, query, page, per_page)


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    agreement: Agreement | None
    needs_agreement: bool
    actions: list[tuple[str, str]]  # (form action, button label)
    mac_lines: frozenset[int] = frozenset()  # order lines whose model has a MAC address (Ship form)


def order_detail(scope: ManagerScope, order_id: int) -> OrderDetail:
    order = scope.get(Order, order_id, selectinload(Order.lines), selectinload(Order.history),
                      joinedload(Order.customer).joinedload(Customer.partner))
    allowed = orders.allowed_transitions(order.status if order.history else None, orders.needs_shipping(order))
    actions = [(action, ACTION_LABELS.get(to, orders.ACTIONS[to])) for action, to in ACTIONS.items() if to in allowed]
    from hwaas.models import Product
    from hwaas.models.catalogue import MAC_CATEGORIES

    with_mac = set(scope.session.scalars(select(Product.id).where(
        Product.id.in_([line.product_id for line in order.lines]), Product.category.in_(MAC_CATEGORIES))))
    return OrderDetail(order, agreements.latest(scope.session, order.customer_id),
                       agreements.order_needs_agreement(order), actions,
                       frozenset(line.id for line in order.lines if line.product_id in with_mac))


def change_order_status(
    scope: ManagerScope, order_id: int, action: str, note: str = "", shipment_date: dt.date | None = None,
    order_url: str | None = None, now: dt.datetime | None = None, units: dict[int, str] | None = None,
    today: dt.date | None = None,
):
    """Move an order through the status machine on the manager's behalf, and mail the partner."""
    session = scope.session
    order = scope.get(Order, order_id, joinedload(Order.customer).joinedload(Customer.partner))
    to_status = ACTIONS.get(action)
    if to_status is None:
        raise ValidationFailed(N_("Choose what to do with the order."), field="action")
    note = (note or "").strip()
    if to_status in NOTE_REQUIRED and not note:
        raise ValidationFailed(NOTE_REQUIRED[to_status], field="note")
    if len(note) > 500:
        raise ValidationFailed(N_("The note can be at most 500 characters."), field="note")
    if to_status == "approved":
        agreements.require_approved_for(session, order)
    if to_status == "shipped":
        change = orders.ship(session, order, scope.user, shipment_date, note, units=units or {}, today=today)
    else:
        change = orders.record_status(session, order, to_status, scope.user, note)
    orders.notify_status(session, order, change, order_url, now)
    return change
