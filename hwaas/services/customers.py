"""A partner's customers: search, a customer's PBXs and Devices, and what Order HWaaS may offer."""
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from hwaas.models import Customer, Device, Pbx
from hwaas.services import catalogue
from hwaas.services.paging import Page, paginate
from hwaas.services.pricing import SUBSCRIPTION_TERMS, TERM_LABELS, current_period, term_months, add_months
from hwaas.services.tenancy import PartnerScope

MAX_QUERY = 100


def search(scope: PartnerScope, query: str, page: int, size: int) -> Page:
    """Customers whose name, city or VAT number contains `query`, by name; rows are
    (Customer, number of PBXs). Two queries, whatever the page holds."""
    pbx_count = (
        select(func.count(Pbx.id)).where(Pbx.customer_id == Customer.id).correlate(Customer).scalar_subquery()
    )
    query = (query or "").strip()[:MAX_QUERY]
    conditions = [or_(
        Customer.name.icontains(query, autoescape=True),
        Customer.city.icontains(query, autoescape=True),
        Customer.vat_number.icontains(query, autoescape=True),
    )] if query else []
    matching = scope.select(Customer, Customer.id).where(*conditions)
    stmt = scope.select(Customer, Customer, pbx_count.label("pbx_count")).where(*conditions).order_by(
        func.lower(Customer.name), Customer.id)
    return paginate(scope.session, stmt, page, size, count=matching)


@dataclass(frozen=True)
class PbxSummary:
    pbx: Pbx
    period_start: dt.date | None  # None for a lifetime PBX or one not yet active
    expires: dt.date | None
    devices: list[Device] = field(default_factory=list)

    @property
    def term_label(self) -> str:
        return TERM_LABELS[self.pbx.term]

    @property
    def is_subscription(self) -> bool:
        return self.pbx.term in SUBSCRIPTION_TERMS

    @property
    def not_yet_active(self) -> bool:
        return self.is_subscription and self.period_start is None

    @property
    def rented(self) -> int:
        return sum(1 for d in self.devices if d.ownership == "rented")

    @property
    def owned(self) -> int:
        return sum(1 for d in self.devices if d.ownership == "owned")


def pbx_summary(pbx: Pbx, today: dt.date, devices: list[Device] | None = None) -> PbxSummary:
    """The PBX with its current period; a PBX activated in the future shows its first period's end."""
    start = expires = None
    if pbx.term in SUBSCRIPTION_TERMS:
        if pbx.activated_on <= today:
            start, expires = current_period(pbx.activated_on, pbx.term, today)
        else:
            expires = add_months(pbx.activated_on, term_months(pbx.term))
    return PbxSummary(pbx=pbx, period_start=start, expires=expires, devices=devices or [])


@dataclass(frozen=True)
class CustomerOverview:
    customer: Customer
    pbxs: list[PbxSummary]

    @property
    def devices(self) -> int:
        return sum(len(p.devices) for p in self.pbxs)


def overview(scope: PartnerScope, customer_id: int, today: dt.date) -> CustomerOverview:
    """The customer, its PBXs (term, activation, expiration) and the Devices on each."""
    customer = scope.get(Customer, customer_id)
    pbxs = list(scope.session.scalars(
        scope.select(Pbx).where(Pbx.customer_id == customer.id)
        .options(selectinload(Pbx.devices).options(
            selectinload(Device.product), selectinload(Device.service)))
        .order_by(func.lower(Pbx.name), Pbx.id)
    ))
    return CustomerOverview(customer=customer, pbxs=[pbx_summary(p, today, list(p.devices)) for p in pbxs])


@dataclass(frozen=True)
class OrderOptions:
    """What the Order HWaaS page offers for one Duration."""

    customer: Customer
    term: str | None
    pbxs: list[PbxSummary]  # selectable: this term, already active
    lifetime: list[Pbx]  # shown with the reason they are never selectable
    not_yet_active: list[PbxSummary]
    other_terms: list[Pbx]  # subscription PBXs of another Duration
    products: list[catalogue.PricedProduct]
    selected_pbx_id: int | None

    @property
    def term_label(self) -> str:
        return TERM_LABELS.get(self.term, "")


def order_options(scope: PartnerScope, customer_id: int, term: str | None, today: dt.date,
                  pbx_id: int | None = None) -> OrderOptions:
    customer = scope.get(Customer, customer_id)
    if term not in SUBSCRIPTION_TERMS:
        term = None
    all_pbxs = list(scope.session.scalars(
        scope.select(Pbx).where(Pbx.customer_id == customer.id).order_by(func.lower(Pbx.name), Pbx.id)))
    summaries = [pbx_summary(p, today) for p in all_pbxs if p.term == term]
    selectable = [s for s in summaries if not s.not_yet_active]
    ids = [s.pbx.id for s in selectable]
    if pbx_id not in ids:
        pbx_id = ids[0] if len(ids) == 1 else None
    return OrderOptions(
        customer=customer,
        term=term,
        pbxs=selectable,
        lifetime=[p for p in all_pbxs if p.term == "lifetime"],
        not_yet_active=[s for s in summaries if s.not_yet_active],
        other_terms=[p for p in all_pbxs if p.term in SUBSCRIPTION_TERMS and p.term != term],
        products=catalogue.priced_products(scope.session, scope.partner_id, term) if term and selectable else [],
        selected_pbx_id=pbx_id,
    )
