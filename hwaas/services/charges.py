"""Charges, renewals, the renewal forecast and monthly recurring revenue (DESIGN §3.4, §3.8).

Every amount a service costs is a `Charge`. The renewal job and the forecast read the same
statement (`_renewals`): what renews on a day, at which price, for how much. The job inserts its
rows; the forecast only selects them, so if nothing changes the forecast for a day is what the
job charges that day.

Which PBXs renew on day D is decided in SQL, for every PBX at once, from a small calendar built
here: a PBX activated on `a` with a term of m months starts a period on D when D is
add_months(a, k·m) for some k >= 1, which only depends on a's day of the month (and its month
for yearly terms, its year modulo 5 for five-year terms). The calendar lists, per day and term,
the activation days that land on D (all days from D's up to the 31st when D ends its month:
add_months clamps) and the end of the period that starts there.
"""
import calendar as _calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import (
    Date, Integer, Numeric, String, and_, cast, column, exists, extract, func, literal, or_, select, text, type_coerce,
    update,
)
from sqlalchemy.orm import Session, joinedload

from hwaas.models import (
    Charge, Customer, DeviceCancellation, JobRun, Order, Partner, Pbx, PbxService, PriceTier, Product,
)
from hwaas.models.types import Money, utcnow
from hwaas.services import cancellations, catalogue
from hwaas.services.pricing import (
    SUBSCRIPTION_TERMS, TERM_LABELS, add_months, current_period, monthly_recurring, prorate, round_half_up,
    term_months,
)

RENEW_JOB = "renew"
RENEWING_STATUSES = ("active", "suspended")  # a suspended service is still under contract
PERIOD_KINDS = ("initial", "renewal")  # the charges that pay for a period of service
MAX_QUANTITY = 2**31 - 1
ZERO = Decimal("0.00")


# --- the renewal calendar ---------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """PBXs of `term` activated on day `anchor_day` of a month (of `month`, for yearly and
    five-year terms; in a year ≡ `year_mod` modulo 5, for five-year terms), before `day`,
    start a period on `day` that ends on `period_end`."""

    day: dt.date
    term: str
    anchor_day: int
    month: int | None
    year_mod: int | None
    period_end: dt.date


def _last_day(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def renewal_calendar(days: Iterable[dt.date]) -> list[Anchor]:
    """The anchors of every subscription term on each of `days`."""
    anchors = []
    for day in sorted(set(days)):
        month_end = day.day == _last_day(day.year, day.month)
        anchor_days = range(day.day, 32) if month_end else (day.day,)
        for term in SUBSCRIPTION_TERMS:
            m = term_months(term)
            end_month = add_months(day.replace(day=1), m)
            for anchor_day in anchor_days:
                anchors.append(Anchor(
                    day=day, term=term, anchor_day=anchor_day,
                    month=None if m == 1 else day.month,
                    year_mod=day.year % 5 if m == 60 else None,
                    period_end=end_month.replace(day=min(anchor_day, _last_day(end_month.year, end_month.month))),
                ))
    return anchors


def _calendar_cte(session: Session, days: Iterable[dt.date]):
    rows = [(a.day, a.term, a.anchor_day, a.month, a.year_mod, a.period_end) for a in renewal_calendar(days)]
    return _rows_table(session, "renewal_calendar", (
        ("day", Date), ("term", String(12)), ("anchor_day", Integer), ("month", Integer), ("year_mod", Integer),
        ("period_end", Date)), rows)


def _sql_literal(value, postgresql: bool) -> str:
    if value is None:
        return "CAST(NULL AS INTEGER)"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'" if postgresql else f"'{value.isoformat()}'"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def _rows_table(session: Session, name: str, columns, rows):
    """A table of `rows` written into the statement as a VALUES list of literals (dates, numbers,
    terms: made here, never user input). Bound parameters would cost a compilation of thousands of
    them on every run; the literals cost a string join."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    listed = ", ".join(
        "(" + ", ".join(_sql_literal(v, postgresql) for v in row) + ")" for row in rows)
    named = ", ".join(f"column{i} AS {c}" for i, (c, _) in enumerate(columns, start=1))
    return (text(f"SELECT {named} FROM (VALUES {listed}) AS {name}_rows")
            .columns(*(column(c, type_) for c, type_ in columns)).subquery(name))


# --- the tier prices in force -----------------------------------------------------------------


@dataclass(frozen=True)
class RenewalPrice:
    """One unit of `product_id` for one full `term`, for partners of `tier_id`, renewing from
    `min_quantity` to `max_quantity` units: the catalogue price less the tier's discount, less the
    quantity band that many units reach (the cart's own `catalogue.unit_price`)."""

    product_id: int
    term: str
    tier_id: int
    min_quantity: int
    max_quantity: int
    price: Decimal


def renewal_prices(session: Session, partner_id: int | None = None) -> list[RenewalPrice]:
    """Today's renewal prices for every product, term, tier (all, or the partner's) and quantity
    band: two queries."""
    tiers = select(PriceTier.id, PriceTier.discount_percent)
    if partner_id is not None:
        tiers = tiers.join(Partner, Partner.tier_id == PriceTier.id).where(Partner.id == partner_id)
    tiers = session.execute(tiers).all()
    products = session.scalars(
        select(Product).options(joinedload(Product.prices), joinedload(Product.bands))).unique()
    rows = []
    for product in products:
        starts = [1] + [band.min_quantity for band in product.bands]
        ranges = list(zip(starts, [s - 1 for s in starts[1:]] + [MAX_QUANTITY]))
        for price in product.prices:
            for tier_id, discount in tiers:
                for low, high in ranges:
                    unit = catalogue.unit_price(product, price.term, Decimal(discount), low, with_bands=True)
                    rows.append(RenewalPrice(product.id, price.term, tier_id, low, high, unit))
    return rows


def _prices_cte(session: Session, prices: Sequence[RenewalPrice]):
    rows = [(p.product_id, p.term, p.tier_id, p.min_quantity, p.max_quantity, p.price) for p in prices]
    if not rows:  # VALUES needs a row: one that matches no product
        rows = [(0, "monthly", 0, 0, 0, ZERO)]
    return _rows_table(session, "renewal_prices", (
        ("product_id", Integer), ("term", String(12)), ("tier_id", Integer), ("min_quantity", Integer),
        ("max_quantity", Integer), ("price", Numeric(12, 2))), rows)


# --- what renews (one statement for the job and the forecast) ---------------------------------


def _renewals(session: Session, days: Iterable[dt.date], prices: Sequence[RenewalPrice], *where):
    """SELECT one row per service renewing on one of `days`: the service's PBX starts a period
    that day, the service is under contract (active or suspended), started before that day, and
    no charge already pays for that day; the quantity is what pending cancellations effective by
    then leave of it; the price is today's tier price for that quantity (the service's own price
    when its product has none for the term any more)."""
    cal = _calendar_cte(session, days)
    price = _prices_cte(session, prices)
    activated = Pbx.activated_on

    def part(field):  # an integer, as the calendar's columns: equal types let PostgreSQL hash-join on it
        return cast(extract(field, activated), Integer)

    ending = (
        select(func.coalesce(func.sum(DeviceCancellation.quantity), 0))
        .where(DeviceCancellation.service_id == PbxService.id, DeviceCancellation.status == "pending",
               DeviceCancellation.effective_on <= cal.c.day)
        .correlate(PbxService, cal).scalar_subquery()
    )
    quantity = PbxService.quantity - ending
    unit_price = func.coalesce(price.c.price, PbxService.unit_price)
    already_paid = exists().where(
        Charge.service_id == PbxService.id, Charge.kind.in_(PERIOD_KINDS),
        Charge.period_start <= cal.c.day, Charge.period_end > cal.c.day,
    )
    return (
        select(
            Pbx.partner_id.label("partner_id"), Pbx.customer_id.label("customer_id"), Pbx.id.label("pbx_id"),
            PbxService.id.label("service_id"), PbxService.term.label("term"),
            literal("renewal", String(20)).label("kind"),
            cal.c.day.label("period_start"), cal.c.period_end.label("period_end"),
            quantity.label("quantity"),
            type_coerce(unit_price, Money()).label("unit_price"),
            type_coerce(unit_price * quantity, Money()).label("amount"),
            literal("", String(200)).label("note"),
        )
        .select_from(PbxService)
        .join(Pbx, Pbx.id == PbxService.pbx_id)
        .join(cal, and_(
            cal.c.term == Pbx.term,
            part("day") == cal.c.anchor_day,
            or_(cal.c.month.is_(None), part("month") == cal.c.month),
            or_(cal.c.year_mod.is_(None), part("year") % 5 == cal.c.year_mod),
            activated < cal.c.day,
        ))
        .join(Partner, Partner.id == Pbx.partner_id)
        .outerjoin(price, and_(
            price.c.product_id == PbxService.product_id, price.c.term == PbxService.term,
            price.c.tier_id == Partner.tier_id,
            price.c.min_quantity <= quantity, price.c.max_quantity >= quantity,
        ))
        .where(
            PbxService.status.in_(RENEWING_STATUSES), PbxService.started_on < cal.c.day,
            quantity > 0, ~already_paid, *where,
        )
    )


_CHARGE_COLUMNS = ("partner_id", "customer_id", "pbx_id", "service_id", "term", "kind", "period_start",
                   "period_end", "quantity", "unit_price", "amount", "note")


def _insert_new(session: Session, table):
    """INSERT … ON CONFLICT DO NOTHING on the unique keys: a row another run wrote is left alone."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL
        raise NotImplementedError(dialect)
    return dialect_insert(table).on_conflict_do_nothing()


INSERT_CHUNK = 5000


def _insert_rows(session: Session, rows: list[dict]) -> int:
    """Insert charges (Core executemany, a chunk at a time), skipping those already there; how many
    were new."""
    if not rows:
        return 0
    table = Charge.__table__
    count = select(func.count()).select_from(table).where(table.c.kind.in_({r["kind"] for r in rows}))
    before = session.scalar(count)
    for i in range(0, len(rows), INSERT_CHUNK):
        session.execute(_insert_new(session, table), rows[i:i + INSERT_CHUNK])
    return session.scalar(count) - before


# --- the renewal job --------------------------------------------------------------------------


@dataclass
class DayResult:
    """What one day of the renewal job did."""

    day: dt.date
    renewed: int = 0  # renewal charges written (services renewed)
    renewed_amount: Decimal = ZERO
    ended: int = 0  # cancellations made effective
    fees: int = 0  # cancellation fee charges written
    initial: int = 0  # services found without any charge (first run only), charged their current period

    def __str__(self) -> str:
        return (f"{self.day.isoformat()}: {self.renewed} service(s) renewed for {self.renewed_amount}, "
                f"{self.ended} cancellation(s) effective, {self.fees} cancellation fee(s), "
                f"{self.initial} service(s) given their initial charge")


def last_run(session: Session) -> dt.date | None:
    """The last day the renewal job has done, on any host."""
    return session.scalar(select(func.max(JobRun.day)).where(JobRun.job == RENEW_JOB))


def days_to_renew(session: Session, today: dt.date) -> list[dt.date]:
    """Every day since the last run up to `today` (a week's outage is caught up day by day);
    just `today` on the first run, or when `today` is not after the last run (a re-run)."""
    last = last_run(session)
    if last is None or last >= today:
        return [today]
    return [last + dt.timedelta(days=n) for n in range(1, (today - last).days + 1)]


def renew_day(session: Session, day: dt.date, service_ids: Iterable[int] | None = None,
              prices: Sequence[RenewalPrice] | None = None) -> DayResult:
    """The renewal job for one day, in set-based statements; idempotent.

    1. cancellations effective by `day` end (their quantity is not renewed);
    2. every service whose PBX starts a period on `day` is charged that period (`_renewals`) and
       takes the price it was charged as its own;
    3. the cancellations just ended are charged their fee, one charge per service and date.
    `service_ids` limits 2 to those services (an order activated late catches up).
    """
    result = DayResult(day)
    if service_ids is None:
        ended = cancellations.end_effective(session, day)
        result.ended = len(ended)
    else:
        service_ids, ended = sorted(service_ids), []
    only = [PbxService.id.in_(service_ids)] if service_ids is not None else []
    if prices is None:
        prices = renewal_prices(session)
    rows = _renewals(session, [day], prices, *only).order_by(PbxService.id)
    inserted = session.execute(
        _insert_new(session, Charge).from_select(_CHARGE_COLUMNS, rows).returning(Charge.amount)).scalars().all()
    result.renewed, result.renewed_amount = len(inserted), sum(inserted, ZERO)
    # The services renewed today take today's price as theirs (idempotent: the same value again).
    renewed_today = and_(Charge.kind == "renewal", Charge.period_start == day)
    charged_price = (select(Charge.unit_price).where(Charge.service_id == PbxService.id, renewed_today)
                     .scalar_subquery())
    session.execute(
        update(PbxService)
        .where(PbxService.id.in_(select(Charge.service_id).where(renewed_today)), PbxService.unit_price != charged_price)
        .values(unit_price=charged_price).execution_options(synchronize_session=False)
    )
    result.fees = charge_fees(session, ended)
    _expire(session, PbxService)
    return result


def record_run(session: Session, day: dt.date) -> None:
    """Note that the job has done `day` (another host may have noted it already)."""
    session.execute(_insert_new(session, JobRun).values(job=RENEW_JOB, day=day, finished_at=utcnow()))


def charge_fees(session: Session, ended: Iterable[cancellations.EndedCancellation]) -> int:
    """One cancellation fee charge per (service, effective date) for cancellations with a fee: the
    quantity is the devices, the unit price the service's monthly price, the amount the sum of the
    fees computed at confirmation. A withdrawn cancellation never ends, so it is never charged."""
    grouped: dict[tuple[int, dt.date], list[cancellations.EndedCancellation]] = defaultdict(list)
    for c in ended:
        if c.fee > 0:
            grouped[(c.service_id, c.effective_on)].append(c)
    if not grouped:
        return 0
    services = {s.id: s for s in session.execute(
        select(PbxService.id, PbxService.unit_price, PbxService.term, Pbx.partner_id, Pbx.customer_id, Pbx.id.label("pbx_id"))
        .join(Pbx, Pbx.id == PbxService.pbx_id).where(PbxService.id.in_(sorted({k[0] for k in grouped}))))}
    rows = []
    for (service_id, effective_on), items in sorted(grouped.items()):
        s = services[service_id]
        quantity = sum(c.quantity for c in items)
        amount = sum((c.fee for c in items), ZERO)
        monthly = round_half_up(Fraction(s.unit_price) / term_months(s.term))
        months_due = int(amount / (monthly * quantity)) if monthly else 0
        rows.append(dict(
            partner_id=s.partner_id, customer_id=s.customer_id, pbx_id=s.pbx_id, service_id=service_id,
            term=s.term, kind="cancellation_fee", period_start=effective_on,
            period_end=add_months(effective_on, max(months_due, 1)), quantity=quantity, unit_price=monthly,
            amount=amount,
            note=f"{quantity} device(s) cancelled {months_due} month(s) before the six-month minimum",
        ))
    return _insert_rows(session, rows)


def charge_uncharged(session: Session, day: dt.date, service_ids: Iterable[int] | None = None) -> int:
    """Services under contract that have no charge at all (imported, or from before charges
    existed) are charged the period containing `day`, from the later of its start and theirs, at
    their own price. The import calls it for what it wrote; the renewal job on its first run ever,
    for services in place before the charges table existed (activation charges its own)."""
    stmt = (
        select(PbxService.id, PbxService.term, PbxService.quantity, PbxService.unit_price, PbxService.started_on,
               Pbx.activated_on, Pbx.partner_id, Pbx.customer_id, Pbx.id.label("pbx_id"))
        .join(Pbx, Pbx.id == PbxService.pbx_id)
        .where(PbxService.status.in_(RENEWING_STATUSES), PbxService.started_on <= day, Pbx.activated_on <= day,
               ~exists().where(Charge.service_id == PbxService.id))
        .order_by(PbxService.id)
    )
    if service_ids is not None:
        stmt = stmt.where(PbxService.id.in_(list(service_ids)))
    rows = []
    for s in session.execute(stmt):
        start, expires = current_period(s.activated_on, s.term, day)
        since = max(start, s.started_on)
        rows.append(dict(
            partner_id=s.partner_id, customer_id=s.customer_id, pbx_id=s.pbx_id, service_id=s.id, term=s.term,
            kind="initial", period_start=since, period_end=expires, quantity=s.quantity, unit_price=s.unit_price,
            amount=prorate(s.unit_price * s.quantity, start, expires, since),
            note="In service before it was charged in the portal",
        ))
    if not rows:
        return 0
    return _insert_rows(session, rows)


def charge_activation(session: Session, order: Order, services: Sequence[PbxService], today: dt.date) -> int:
    """An order becoming Active: each service's initial charge is its order line as snapshotted at
    checkout (prorated amount, from the order date to the PBX's expiration then); a period that
    has started since (an order activated after its PBX renewed) is renewed at once."""
    session.flush()  # the services get their ids
    rows = [
        dict(partner_id=order.partner_id, customer_id=order.customer_id, pbx_id=order.pbx_id, service_id=service.id,
             term=order.term, kind="initial", period_start=order.ordered_on, period_end=line.period_end,
             quantity=line.quantity, unit_price=line.unit_price, amount=line.amount, note=f"Order {order.number}")
        for line, service in zip(order.lines, services)
    ]
    if not rows:
        return 0
    written = _insert_rows(session, rows)
    missed = [line.period_end for line in order.lines[:1] if line.period_end <= today]
    if missed:
        pbx = session.get(Pbx, order.pbx_id)
        prices = renewal_prices(session)
        ids = [s.id for s in services]
        day = missed[0]
        while day <= today:
            renew_day(session, day, ids, prices)
            day = current_period(pbx.activated_on, pbx.term, day)[1]
    return written


def _expire(session: Session, model) -> None:
    """Objects of `model` loaded in this session are read again after a set-based UPDATE."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model):
            session.expire(obj)


# --- the forecast -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Renewal:
    """One service renewing on `day`: what the renewal job will charge if nothing changes."""

    day: dt.date
    partner_id: int
    customer_id: int
    pbx_id: int
    service_id: int
    term: str
    period_end: dt.date
    quantity: int
    unit_price: Decimal
    amount: Decimal
    customer: str = ""
    pbx: str = ""
    product: str = ""
    sku: str = ""

    @property
    def term_label(self) -> str:
        return TERM_LABELS[self.term]


def forecast(session: Session, days: Iterable[dt.date], *, partner_id: int | None = None,
             customer_id: int | None = None, pbx_ids: Iterable[int] | None = None,
             limit: int | None = None, offset: int = 0) -> list[Renewal]:
    """What renews on each of `days` at today's prices, by day, PBX and service: the renewal job's
    own statement, selected instead of inserted; `limit` and `offset` take one page of it."""
    days = sorted(set(days))
    if not days:
        return []
    where = []
    if partner_id is not None:
        where.append(Pbx.partner_id == partner_id)
    if customer_id is not None:
        where.append(Pbx.customer_id == customer_id)
    if pbx_ids is not None:
        where.append(Pbx.id.in_(list(pbx_ids)))
    # Materialized: the rows' expressions (a correlated quantity, used five times) are computed
    # once per row before the names are joined and sorted; flattened, a page of 100 took 3 times longer.
    rows = (_renewals(session, days, renewal_prices(session, partner_id), *where)
            .cte("renewal_rows").prefix_with("MATERIALIZED"))
    service = PbxService.__table__.alias("named_service")
    stmt = (
        select(rows, Customer.name.label("customer_name"), Pbx.name.label("pbx_name"),
               Product.name.label("product_name"), Product.sku)
        .join(Customer, Customer.id == rows.c.customer_id).join(Pbx, Pbx.id == rows.c.pbx_id)
        .join(service, service.c.id == rows.c.service_id).outerjoin(Product, Product.id == service.c.product_id)
        .order_by(rows.c.period_start, func.lower(Customer.name), func.lower(Pbx.name), rows.c.service_id)
        .limit(limit).offset(offset or None)
    )
    return [
        Renewal(day=r.period_start, partner_id=r.partner_id, customer_id=r.customer_id, pbx_id=r.pbx_id,
                service_id=r.service_id, term=r.term, period_end=r.period_end, quantity=r.quantity,
                unit_price=r.unit_price, amount=r.amount, customer=r.customer_name, pbx=r.pbx_name,
                product=r.product_name or "", sku=r.sku or "")
        for r in session.execute(stmt)
    ]


@dataclass(frozen=True)
class DayTotal:
    day: dt.date
    renewals: int
    amount: Decimal


@dataclass(frozen=True)
class ForecastTotals:
    """`forecast()` counted and summed in the database, by day: the same renewals without a row
    each (a big partner renews tens of thousands of services in 90 days)."""

    days: tuple[DayTotal, ...]
    pbxs: int  # distinct PBXs renewing

    @property
    def renewals(self) -> int:
        return sum(d.renewals for d in self.days)

    @property
    def total(self) -> Decimal:
        return sum((d.amount for d in self.days), ZERO)


def forecast_totals(session: Session, days: Iterable[dt.date], *, partner_id: int,
                    customer_id: int | None = None) -> ForecastTotals:
    days = sorted(set(days))
    if not days:
        return ForecastTotals((), 0)
    where = [Pbx.partner_id == partner_id] + ([Pbx.customer_id == customer_id] if customer_id is not None else [])
    rows = _renewals(session, days, renewal_prices(session, partner_id), *where).subquery()
    counts: dict[dt.date, int] = defaultdict(int)
    amounts: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    pbxs = set()
    for day, pbx_id, count, amount in session.execute(
            select(rows.c.period_start, rows.c.pbx_id, func.count(), func.sum(rows.c.amount))
            .group_by(rows.c.period_start, rows.c.pbx_id)):
        counts[day] += count
        # SUM over NUMERIC: exact on PostgreSQL; on SQLite a REAL, back to the cent it is.
        amounts[day] += Decimal(str(amount or 0)).quantize(ZERO)
        pbxs.add(pbx_id)
    return ForecastTotals(tuple(DayTotal(day, counts[day], amounts[day]) for day in sorted(counts)), len(pbxs))


@dataclass(frozen=True)
class NextRenewal:
    """A PBX's next renewal: its expiration date and what its services will be charged then."""

    pbx_id: int
    day: dt.date
    services: tuple[Renewal, ...]

    @property
    def amount(self) -> Decimal:
        return sum((r.amount for r in self.services), ZERO)


def next_expiration(pbx: Pbx, today: dt.date) -> dt.date | None:
    """The end of the PBX's current period (of its first, when activated later); None for lifetime."""
    if pbx.term not in SUBSCRIPTION_TERMS or pbx.activated_on is None:
        return None
    if pbx.activated_on > today:
        return add_months(pbx.activated_on, term_months(pbx.term))
    return current_period(pbx.activated_on, pbx.term, today)[1]


def next_renewals(session: Session, pbxs: Iterable[Pbx], today: dt.date) -> dict[int, NextRenewal]:
    """The next renewal of each subscription PBX of one partner, in one query."""
    expiring = {pbx.id: day for pbx in pbxs if (day := next_expiration(pbx, today)) is not None}
    if not expiring:
        return {}
    partner_ids = {pbx.partner_id for pbx in pbxs}
    rows = forecast(session, set(expiring.values()), pbx_ids=list(expiring),
                    partner_id=partner_ids.pop() if len(partner_ids) == 1 else None)
    by_pbx: dict[int, list[Renewal]] = defaultdict(list)
    for r in rows:
        if r.day == expiring[r.pbx_id]:
            by_pbx[r.pbx_id].append(r)
    return {pbx_id: NextRenewal(pbx_id, day, tuple(by_pbx[pbx_id])) for pbx_id, day in expiring.items()}


# --- monthly recurring revenue ----------------------------------------------------------------


def mrr_on(session: Session, days: Iterable[dt.date], group_by=None, *where) -> dict:
    """MRR on each of `days` (DESIGN §3.4): per service, unit price × quantity ÷ months in its
    term, half-up (`pricing.monthly_recurring`), summed over the services active that day, which
    are those with a charge paying for it: the charge holds the price and quantity of that
    period, so a past date counts what was in force then.

    Returns {day: MRR}, or {(day, key): MRR} with `group_by` a column of `Charge` (customer_id,
    partner_id, pbx_id). One query, grouped by price so the rounding is per service.
    """
    days = sorted(set(days))
    if not days:
        return {}
    cal = _rows_table(session, "mrr_days", (("day", Date),), [(d,) for d in days])
    keys = [group_by] if group_by is not None else []
    stmt = (
        select(cal.c.day, *keys, Charge.term, Charge.unit_price, Charge.quantity, func.count())
        .select_from(Charge)
        .join(cal, and_(Charge.period_start <= cal.c.day, Charge.period_end > cal.c.day))
        .where(Charge.kind.in_(PERIOD_KINDS), *where)
        .group_by(cal.c.day, *keys, Charge.term, Charge.unit_price, Charge.quantity)
    )
    totals: dict = defaultdict(lambda: ZERO)
    for row in session.execute(stmt):
        key = (row[0], row[1]) if keys else row[0]
        totals[key] += monthly_recurring(row.unit_price, row.quantity, row.term) * row[-1]
    if not keys:
        return {day: totals[day] for day in days}
    return dict(totals)


def mrr_history(session: Session, today: dt.date, months: int = 12, *where) -> list[tuple[dt.date, Decimal]]:
    """MRR on the same day of each of the last `months` months, oldest first, and today."""
    days = [add_months(today, -k) for k in range(months, -1, -1)]
    totals = mrr_on(session, days, None, *where)
    return [(day, totals[day]) for day in days]


def services_mrr(session: Session, *where) -> Decimal:
    """MRR of the services under contract now, from their own price and quantity (what the
    cancellation confirmation shows before → after); equals `mrr_on(today)` once the renewal job
    has done today."""
    stmt = (select(PbxService.term, PbxService.unit_price, PbxService.quantity, func.count())
            .join(Pbx, Pbx.id == PbxService.pbx_id)
            .where(PbxService.status.in_(RENEWING_STATUSES), *where)
            .group_by(PbxService.term, PbxService.unit_price, PbxService.quantity))
    return sum((monthly_recurring(r.unit_price, r.quantity, r.term) * r[-1] for r in session.execute(stmt)), ZERO)
