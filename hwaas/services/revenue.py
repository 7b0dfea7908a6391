"""What partners and staff see of renewals, charges and recurring revenue: the Renewals and
Charges pages, their exports, and the MRR figures and chart of the home pages."""
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hwaas.models import Charge, Customer, Pbx, PbxService, Product
from hwaas.models.charges import CHARGE_KINDS
from hwaas.messages import N_
from hwaas.services import charges, documents, paging
from hwaas.services.errors import ValidationFailed
from hwaas.services.exports import Column
from hwaas.services.paging import Page, paginate
from hwaas.services.pricing import TERM_LABELS, add_months
from hwaas.services.tenancy import PartnerScope

ZERO = Decimal("0.00")
UPCOMING_DAYS = 90  # the Renewals page
SOON_DAYS = 30  # the home page's "renewals in the next 30 days"


def customer_choices(scope: PartnerScope) -> list[tuple[int, str]]:
    """The partner's customers by name, for a filter."""
    return list(scope.session.execute(
        scope.select(Customer, Customer.id, Customer.name).order_by(func.lower(Customer.name), Customer.id)))


def pbx_choices(scope: PartnerScope, customer_id: int | None) -> list[tuple[int, str]]:
    """The PBXs of one of the partner's customers by name, for a filter (none without a customer)."""
    if customer_id is None:
        return []
    return list(scope.session.execute(
        scope.select(Pbx, Pbx.id, Pbx.name).where(Pbx.customer_id == customer_id)
        .order_by(func.lower(Pbx.name), Pbx.id)))


# --- renewals ahead ---------------------------------------------------------------------------


RenewalLine = charges.Renewal  # one service renewing on one day, named


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date  # its first day
    count: int
    amount: Decimal


@dataclass(frozen=True)
class RenewalDay:
    day: dt.date
    lines: list[RenewalLine]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class RenewalsPage:
    """What the Renewals page lists at once: a page of the lines, by date, with each date's total."""

    page: Page
    days: list[RenewalDay]
    day_amounts: dict[dt.date, Decimal]


@dataclass(frozen=True)
class Upcoming:
    first: dt.date
    last: dt.date  # inclusive
    lines: list[RenewalLine]
    customer: Customer | None = None

    @property
    def days(self) -> list[RenewalDay]:
        return _by_day(self.lines)

    @property
    def months(self) -> list[MonthTotal]:
        return _months((line.day, 1, line.amount) for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def pbxs(self) -> int:
        return len({line.pbx_id for line in self.lines})


def _by_day(lines: list[RenewalLine]) -> list[RenewalDay]:
    by_day: dict[dt.date, list[RenewalLine]] = defaultdict(list)
    for line in lines:
        by_day[line.day].append(line)
    return [RenewalDay(day, day_lines) for day, day_lines in sorted(by_day.items())]


def _months(days: Iterable[tuple[dt.date, int, Decimal]]) -> list[MonthTotal]:
    counts: dict[dt.date, int] = defaultdict(int)
    amounts: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for day, count, amount in days:
        month = day.replace(day=1)
        counts[month] += count
        amounts[month] += amount
    return [MonthTotal(month, counts[month], amounts[month]) for month in sorted(counts)]


@dataclass(frozen=True)
class Renewals:
    """The Renewals page: the next 90 days counted and summed (per month, per date), for one
    customer of the partner or all; its lines come a page at a time (`renewals_page`)."""

    first: dt.date
    last: dt.date  # inclusive
    totals: charges.ForecastTotals
    customer: Customer | None = None

    @property
    def renewals(self) -> int:
        return self.totals.renewals

    @property
    def total(self) -> Decimal:
        return self.totals.total

    @property
    def pbxs(self) -> int:
        return self.totals.pbxs

    @property
    def months(self) -> list[MonthTotal]:
        return _months((d.day, d.renewals, d.amount) for d in self.totals.days)

    @property
    def day_amounts(self) -> dict[dt.date, Decimal]:
        return {d.day: d.amount for d in self.totals.days}


def renewals(scope: PartnerScope, today: dt.date, customer_id: int | None = None,
             days: int = UPCOMING_DAYS) -> Renewals:
    customer = scope.get(Customer, customer_id) if customer_id is not None else None
    totals = charges.forecast_totals(scope.session, [today + dt.timedelta(days=n) for n in range(days)],
                                     partner_id=scope.partner_id, customer_id=customer_id)
    return Renewals(today, today + dt.timedelta(days=days - 1), totals, customer)


def renewals_page(scope: PartnerScope, overview: Renewals, number: int, size: int) -> RenewalsPage:
    """One page of the lines, by date as the forecast orders them, grouped by date; a date cut by
    a page's edge keeps the whole day's amount in its heading."""
    number = paging.clamp(number, size, overview.renewals)
    days = [overview.first + dt.timedelta(days=n) for n in range((overview.last - overview.first).days + 1)]
    lines = charges.forecast(scope.session, days, partner_id=scope.partner_id,
                             customer_id=overview.customer.id if overview.customer else None,
                             limit=size, offset=(number - 1) * size)
    return RenewalsPage(Page(lines, number, size, overview.renewals), _by_day(lines), overview.day_amounts)


def upcoming(scope: PartnerScope, today: dt.date, days: int = UPCOMING_DAYS,
             customer_id: int | None = None) -> Upcoming:
    """What renews from today for `days` days, at today's prices (the renewal job's forecast), by
    date, PBX and service; for one customer of the partner, or all."""
    customer = scope.get(Customer, customer_id) if customer_id is not None else None
    last = today + dt.timedelta(days=days - 1)
    lines = charges.forecast(scope.session, [today + dt.timedelta(days=n) for n in range(days)],
                             partner_id=scope.partner_id, customer_id=customer_id)
    return Upcoming(today, last, lines, customer)


def renewal_export_rows(upcoming_: Upcoming, lang: str = documents.DEFAULT_LANG) -> Iterator[tuple]:
    """One row per renewal for the exports: real dates and amounts, never formatted text; the
    Duration in `lang`."""
    _ = documents.gettext(lang)
    for r in upcoming_.lines:
        yield (r.day, r.customer, r.pbx, r.sku, r.product, _(r.term_label), r.period_end, r.quantity, r.unit_price,
               r.amount)


# Headers in English, marked: the export writes them in the reader's language.
RENEWAL_COLUMNS = (
    Column(N_("Renewal date"), "date", 13), Column(N_("Customer"), width=30), Column(N_("PBX"), width=28),
    Column(N_("SKU")), Column(N_("Product"), width=28), Column(N_("Duration"), width=12),
    Column(N_("Period end"), "date", 13), Column(N_("Quantity"), "int", 10), Column(N_("Unit price"), "money", 12),
    Column(N_("Amount"), "money", 12),
)


def next_renewals(scope: PartnerScope, pbxs, today: dt.date) -> dict[int, charges.NextRenewal]:
    """The next renewal of each of the partner's `pbxs` (the customer's page)."""
    return charges.next_renewals(scope.session, [p for p in pbxs if scope.owns(p)], today)


# --- charges ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeFilter:
    customer_id: int | None = None
    pbx_id: int | None = None
    kind: str | None = None
    month: dt.date | None = None  # its first day

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.customer_id, self.pbx_id, self.kind, self.month))


def parse_month(value: str | None) -> dt.date | None:
    """'2026-11' → 2026-11-01; empty → None; anything else is a ValidationFailed on the field."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(N_("Enter the month as YYYY-MM, e.g. 2026-11."), field="month") from None


def charge_filter(scope: PartnerScope, *, customer_id: int | None, pbx_id: int | None, kind: str | None,
                  month: dt.date | None) -> ChargeFilter:
    """Check a filter's references belong to the partner (404 otherwise) and its kind exists."""
    if customer_id is not None:
        scope.get(Customer, customer_id)
    if pbx_id is not None:
        pbx = scope.get(Pbx, pbx_id)
        if customer_id is not None and pbx.customer_id != customer_id:
            raise ValidationFailed(N_("That PBX is not one of this customer's."), field="pbx")
        customer_id = pbx.customer_id
    if kind is not None and kind not in CHARGE_KINDS:
        raise ValidationFailed(N_("Choose a kind of charge from the list."), field="kind")
    return ChargeFilter(customer_id, pbx_id, kind, month)


def _filtered(scope: PartnerScope, flt: ChargeFilter, *columns) -> Select:
    stmt = scope.select(Charge, *columns)
    if flt.customer_id is not None:
        stmt = stmt.where(Charge.customer_id == flt.customer_id)
    if flt.pbx_id is not None:
        stmt = stmt.where(Charge.pbx_id == flt.pbx_id)
    if flt.kind is not None:
        stmt = stmt.where(Charge.kind == flt.kind)
    if flt.month is not None:
        stmt = stmt.where(Charge.period_start >= flt.month, Charge.period_start < add_months(flt.month, 1))
    return stmt


@dataclass(frozen=True)
class ChargeRow:
    charge: Charge
    customer: str
    pbx: str
    product: str
    sku: str


@dataclass(frozen=True)
class ChargesPage:
    filter: ChargeFilter
    page: Page  # of ChargeRow
    count: int
    total: Decimal
    totals_by_kind: dict[str, Decimal] = field(default_factory=dict)


_NAMES = (Customer.name, Pbx.name, Product.name, Product.sku)


def _with_names(stmt: Select) -> Select:
    return (stmt.join(Customer, Customer.id == Charge.customer_id).join(Pbx, Pbx.id == Charge.pbx_id)
            .join(PbxService, PbxService.id == Charge.service_id)
            .outerjoin(Product, Product.id == PbxService.product_id))


def charges_page(scope: PartnerScope, flt: ChargeFilter, number: int, size: int) -> ChargesPage:
    """A page of the partner's charges, newest period first, with the totals of all that match."""
    order = (Charge.period_start.desc(), Charge.id.desc())
    stmt = _with_names(_filtered(scope, flt, Charge, *_NAMES)).order_by(*order)
    page = paginate(scope.session, stmt, number, size, count=_filtered(scope, flt, Charge.id))
    rows = [ChargeRow(charge, customer, pbx, product or "", sku or "")
            for charge, customer, pbx, product, sku in page.items]
    by_kind = {kind: (count, amount) for kind, count, amount in scope.session.execute(
        _filtered(scope, flt, Charge.kind, func.count(), func.sum(Charge.amount)).group_by(Charge.kind))}
    totals = {kind: _money(by_kind[kind][1]) for kind in CHARGE_KINDS if kind in by_kind}
    return ChargesPage(
        filter=flt, page=Page(rows, page.number, page.size, page.total),
        count=sum(count for count, _ in by_kind.values()), total=sum(totals.values(), ZERO), totals_by_kind=totals)


def _money(value) -> Decimal:
    # SUM over NUMERIC(12, 2): exact on PostgreSQL; on SQLite a REAL, back to the cent it is.
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


CHARGE_COLUMNS = (
    Column(N_("Period start"), "date", 13), Column(N_("Period end"), "date", 13), Column(N_("Kind"), width=18),
    Column(N_("Customer"), width=30), Column(N_("PBX"), width=28), Column(N_("SKU")), Column(N_("Product"), width=28),
    Column(N_("Duration"), width=12), Column(N_("Quantity"), "int", 10), Column(N_("Unit price"), "money", 12),
    Column(N_("Amount"), "money", 12), Column(N_("Why"), width=50),
)


def charge_export_rows(scope: PartnerScope, flt: ChargeFilter, batch: int = 2000,
                       lang: str = documents.DEFAULT_LANG) -> Iterator[tuple]:
    """Every charge matching `flt`, oldest period first, read `batch` rows at a time from a server-side
    cursor: a year of charges is never held in memory. Kinds and durations in `lang` (the note is
    stored as it was written)."""
    _ = documents.gettext(lang)
    stmt = (_with_names(_filtered(scope, flt, Charge.period_start, Charge.period_end, Charge.kind, *_NAMES,
                                  Charge.term, Charge.quantity, Charge.unit_price, Charge.amount, Charge.note))
            .order_by(Charge.period_start, Charge.id).execution_options(yield_per=batch))
    for (start, end, kind, customer, pbx, product, sku, term, quantity, unit_price, amount,
         note) in scope.session.execute(stmt):
        yield (start, end, _(CHARGE_KINDS[kind]), customer, pbx, sku or "", product or "", _(TERM_LABELS[term]),
               quantity, unit_price, amount, note)


def charge_export_stream(engine, partner_id: int, flt: ChargeFilter,
                         lang: str = documents.DEFAULT_LANG) -> Iterator[tuple]:
    """`charge_export_rows` read in a session of its own, opened when the first row is asked for
    and closed after the last: a streamed download is read after its request has ended."""
    with Session(engine) as session:
        yield from charge_export_rows(PartnerScope(session, partner_id), flt, lang=lang)


# --- recurring revenue ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBar:
    day: dt.date
    value: Decimal
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class MrrChart:
    """The MRR history drawn as bars in an SVG viewBox of `width` × `height` (the axis at `base`)."""

    bars: list[ChartBar]
    width: int
    height: int
    base: float
    top: Decimal  # the value of the top gridline

    @property
    def gridlines(self) -> list[tuple[float, Decimal]]:
        return [(self.base - (self.base - 10) * k / 4, (self.top * k / 4).quantize(Decimal("0.01")))
                for k in range(5)]


def _nice_top(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 × 10^n at least `value` (the chart's top gridline)."""
    if value <= 0:
        return Decimal("1")
    magnitude = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= magnitude * step:
            return magnitude * step
    return magnitude * 10  # pragma: no cover - 10 always fits


def mrr_chart(points: list[tuple[dt.date, Decimal]], width: int = 640, height: int = 220) -> MrrChart:
    """Bars for the MRR history: geometry only, the template draws it (no JavaScript)."""
    left, right, base = 64.0, 8.0, height - 28.0
    top = _nice_top(max((v for _, v in points), default=ZERO))
    slot = (width - left - right) / max(1, len(points))
    bars = []
    for i, (day, value) in enumerate(points):
        h = float((base - 10) * float(value / top)) if top else 0.0
        bars.append(ChartBar(day, value, round(left + i * slot + slot * 0.15, 2), round(base - h, 2),
                             round(slot * 0.7, 2), round(h, 2)))
    return MrrChart(bars, width, height, base, top)


@dataclass(frozen=True)
class Revenue:
    """The partner's home: MRR now, its last 12 months, and what renews soon."""

    mrr: Decimal
    history: list[tuple[dt.date, Decimal]]
    soon: charges.ForecastTotals  # the next SOON_DAYS days

    @property
    def chart(self) -> MrrChart:
        return mrr_chart(self.history)

    @property
    def change(self) -> Decimal:
        return self.mrr - self.history[0][1]


def partner_revenue(scope: PartnerScope, today: dt.date) -> Revenue:
    history = charges.mrr_history(scope.session, today, 12, Charge.partner_id == scope.partner_id)
    return Revenue(mrr=history[-1][1], history=history, soon=charges.forecast_totals(
        scope.session, [today + dt.timedelta(days=n) for n in range(SOON_DAYS)], partner_id=scope.partner_id))


def mrr_by_customer(scope: PartnerScope, customer_ids, today: dt.date) -> dict[int, Decimal]:
    """MRR today of each of the partner's `customer_ids` (a page of the Customers list)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    found = charges.mrr_on(scope.session, [today], Charge.customer_id, Charge.partner_id == scope.partner_id,
                           Charge.customer_id.in_(ids))
    return {cid: found.get((today, cid), ZERO) for cid in ids}


def mrr_by_partner(session: Session, partner_ids, today: dt.date) -> dict[int, Decimal]:
    """MRR today per partner, for `partner_ids` (a list, or a SELECT of them: an area manager's)."""
    found = charges.mrr_on(session, [today], Charge.partner_id, Charge.partner_id.in_(partner_ids))
    return {pid: value for (_, pid), value in found.items()}


def total_mrr(session: Session, today: dt.date) -> Decimal:
    """MRR today over every partner (the admin's figure)."""
    return charges.mrr_on(session, [today])[today]


def staff_mrr(session: Session, user, today: dt.date) -> Decimal:
    """MRR today of an area manager's partners, or of every partner for an admin."""
    from hwaas.services.manager import ManagerScope

    if user.is_admin:
        return total_mrr(session, today)
    return sum(mrr_by_partner(session, ManagerScope(session, user).partner_ids(), today).values(), ZERO)
