"""The figures on the home page, a handful of counts each."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.models import Agreement, Cart, Customer, Invoice, Order, User
from hwaas.services.tenancy import PartnerScope


@dataclass(frozen=True)
class Tile:
    figure: int
    label: str
    endpoint: str


def partner_tiles(scope: PartnerScope, today: dt.date) -> list[Tile]:
    count = lambda model, *where: scope.session.scalar(  # noqa: E731
        scope.select(model, func.count()).where(*where))
    return [
        Tile(count(Customer), "customers", "customers.index"),
        Tile(count(Cart, Cart.status.in_(("open", "saved"))), "carts in progress", "cart.index"),
        Tile(count(Order, Order.status == "awaiting_approval"), "orders awaiting approval", "orders.index"),
        Tile(count(Invoice, Invoice.paid_on.is_(None)), "open invoices", "billing.balance"),
    ]


def staff_tiles(session: Session, user: User) -> list[Tile]:
    """What waits for an area manager (their partners) or an admin (every partner)."""
    from hwaas.services.manager import ManagerScope, newest_agreement_ids

    partner_ids = ManagerScope(session, user).partner_ids()
    count = lambda query: session.scalar(select(func.count()).select_from(query.subquery()))  # noqa: E731
    return [
        Tile(count(partner_ids), "partners", "manager.partners"),
        Tile(count(select(Agreement.id).where(Agreement.id.in_(newest_agreement_ids(partner_ids)),
                                              Agreement.status == "uploaded")),
             "agreements to review", "manager.agreements"),
        Tile(count(select(Order.id).where(Order.partner_id.in_(partner_ids), Order.status == "awaiting_approval")),
             "orders awaiting approval", "manager.orders"),
    ]
