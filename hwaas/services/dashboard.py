"""The figures on the home page, a handful of counts each."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hwaas.models import Agreement, Cart, Customer, Invoice, Order, Partner, User
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
    partners = select(Partner.id)
    if user.is_area_manager:
        partners = partners.where(Partner.area_manager_id == user.id)
    count = lambda model, *where: session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(model.partner_id.in_(partners), *where))
    return [
        Tile(session.scalar(select(func.count()).select_from(partners.subquery())), "partners", "manager.partners"),
        Tile(count(Agreement, Agreement.status == "uploaded"), "agreements to review", "manager.agreements"),
        Tile(count(Order, Order.status == "awaiting_approval"), "orders awaiting approval", "manager.orders"),
    ]
