"""The figures on the home page, a handful of counts each."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.messages import N_
from hwaas.models import Agreement, Cart, Customer, Invoice, Order, User
from hwaas.services.tenancy import PartnerScope


@dataclass(frozen=True)
class Tile:
    figure: int
    label: str  # N_-marked: the page translates it
    endpoint: str


def partner_tiles(scope: PartnerScope, today: dt.date) -> list[Tile]:
    count = lambda model, *where: scope.session.scalar(  # noqa: E731
        scope.select(model, func.count()).where(*where))
    return [
        Tile(count(Customer), N_("customers"), "customers.index"),
        Tile(count(Cart, Cart.status.in_(("open", "saved"))), N_("carts in progress"), "cart.index"),
        Tile(count(Order, Order.status == "awaiting_approval"), N_("orders awaiting approval"), "orders.index"),
        Tile(count(Invoice, Invoice.paid_on.is_(None)), N_("open invoices"), "billing.balance"),
    ]


def staff_tiles(session: Session, user: User) -> list[Tile]:
    """What waits for an area manager (their partners) or an admin (every partner)."""
    from hwaas.services.manager import ManagerScope, newest_agreement_ids

    partner_ids = ManagerScope(session, user).partner_ids()
    count = lambda query: session.scalar(select(func.count()).select_from(query.subquery()))  # noqa: E731
    return [
        Tile(count(partner_ids), N_("partners"), "manager.partners"),
        Tile(count(select(Agreement.id).where(Agreement.id.in_(newest_agreement_ids(partner_ids)),
                                              Agreement.status == "uploaded")),
             N_("agreements to review"), "manager.agreements"),
        Tile(count(select(Order.id).where(Order.partner_id.in_(partner_ids), Order.status == "awaiting_approval")),
             N_("orders awaiting approval"), "manager.orders"),
    ]
