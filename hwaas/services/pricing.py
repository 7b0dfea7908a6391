"""PBX terms, periods and day-exact proration (DESIGN §3.1–3.3, contract in §8)."""
import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow
from fractions import Fraction

from hwaas.messages import N_
from hwaas.models.types import SUBSCRIPTION_TERMS, TERMS  # the schema's terms, named once
from hwaas.services.errors import NotASubscription, TermMismatch
from hwaas.services.phrasing import Phrase, said

__all__ = ["SUBSCRIPTION_TERMS", "TERMS"]  # re-exported: services and views read the terms here
TERM_MONTHS = {"monthly": 1, "yearly": 12, "five_years": 60}
TERM_LABELS = {
    "monthly": N_("One month"),
    "yearly": N_("One year"),
    "five_years": N_("Five years"),
    "lifetime": N_("Lifetime"),
}


def term_label(term: str) -> Phrase | str:
    """A term's label in a sentence a service says: written in the reader's language when shown."""
    return Phrase(TERM_LABELS[term]) if term in TERM_LABELS else term


def period_label(on: dt.date, expires: dt.date, days: int, period_days: int) -> str:
    """The effective period as shown in cart, checkout and a re-pricing's message, in the
    request's language and date format: '2020-08-15 → 2021-05-15, 273 of 365 days'."""
    return said(N_("%(start)s → %(end)s, %(days)s of %(period_days)s days"),
                start=on, end=expires, days=days, period_days=period_days)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# --- dates and periods -----------------------------------------------------------------------


def add_months(d: dt.date, n: int) -> dt.date:
    """`d` moved by `n` months (n may be 0 or negative), keeping the day, clamped to the month's end."""
    _check_date(d, "d")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("n must be an int")
    year, month0 = divmod(d.year * 12 + (d.month - 1) + n, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"{d.isoformat()} + {n} months is outside the supported date range")
    month = month0 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def term_months(term: str) -> int:
    """Months in one period of a subscription term; ValueError for lifetime or an unknown term."""
    if term == "lifetime":
        raise ValueError("a lifetime term has no periods: it is not a subscription")
    try:
        return TERM_MONTHS[term]
    except (KeyError, TypeError):
        raise ValueError(f"unknown term {term!r}; expected one of {', '.join(TERMS)}") from None


def current_period(activated_on: dt.date, term: str, on: dt.date) -> tuple[dt.date, dt.date]:
    """(start, expires) of the period containing `on`: start <= on < expires.

    Period k is [add_months(activated_on, k*m), add_months(activated_on, (k+1)*m)), always
    computed from the activation date: chaining would drift (Jan 31 → Feb 29 → Mar 29 …).
    """
    _check_date(activated_on, "activated_on")
    _check_date(on, "on")
    m = term_months(term)
    if on < activated_on:
        raise ValueError(
            f"{on.isoformat()} is before the activation date {activated_on.isoformat()}"
        )
    # The month difference puts k within one of the answer; clamping only ever makes a
    # period start later in its month, so at most one step back is needed.
    months = (on.year - activated_on.year) * 12 + (on.month - activated_on.month)
    k = months // m
    while k > 0 and add_months(activated_on, k * m) > on:
        k -= 1
    while add_months(activated_on, (k + 1) * m) <= on:
        k += 1
    return add_months(activated_on, k * m), add_months(activated_on, (k + 1) * m)


def expiration_date(activated_on: dt.date, term: str, on: dt.date) -> dt.date:
    """The end (exclusive) of the period containing `on`: the PBX's expiration date that day."""
    return current_period(activated_on, term, on)[1]


# --- money -----------------------------------------------------------------------------------


def prorate(amount: Decimal, start: dt.date, expires: dt.date, on: dt.date) -> Decimal:
    """`amount` × (expires − on) / (expires − start) in days, half-up to the cent.

    Computed exactly (Fraction) and rounded once, so a value of exactly half a cent rounds up.
    """
    amount = _money(amount, "amount")
    for value, name in ((start, "start"), (expires, "expires"), (on, "on")):
        _check_date(value, name)
    if start >= expires:
        raise ValueError(f"empty period: start {start} is not before expires {expires}")
    if not start <= on < expires:
        raise ValueError(f"{on} is outside the period {start} → {expires}")
    days, period_days = (expires - on).days, (expires - start).days
    sign, digits, exponent = amount.as_tuple()
    if exponent >= -2:  # whole cents (every price): exact in integers, no Fractions
        cents = int("".join(map(str, digits))) * 10 ** (exponent + 2)
        cents, remainder = divmod(cents * days, period_days)
        cents += 2 * remainder >= period_days  # half a cent or more: away from zero
        return Decimal(f"{'-' if sign and cents else ''}{cents}E-2")
    return round_half_up(Fraction(amount) * days / period_days)


# Decimal arithmetic that must be exact: an inexact result raises instead of rounding silently.
_EXACT = Context(prec=120, traps=[Inexact, InvalidOperation, Overflow, DivisionByZero])
_TO_CENT = Context(prec=120, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])
_CENT = Decimal("0.01")


def round_half_up(value: Fraction | Decimal | int) -> Decimal:
    """Round to the cent, halves away from zero (so 0.005 → 0.01, −0.005 → −0.01)."""
    if isinstance(value, float):
        raise TypeError("money must be a Decimal, not a float")
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() < 100:
        cents = value.quantize(_CENT, context=_TO_CENT)  # the common case, without Fractions
        return cents.copy_abs() if cents.is_zero() else cents
    cents = Fraction(value) * 100
    whole = int(abs(cents) + Fraction(1, 2))  # int() floors a non-negative Fraction
    sign = "-" if cents < 0 and whole else ""
    return Decimal(f"{sign}{whole}E-2")  # built from a string: exact at any size


def tier_price(list_price: Decimal, discount_percent: Decimal) -> Decimal:
    """The list price less a tier's discount percent, half-up to the cent."""
    list_price = _money(list_price, "list_price")
    discount = _percent(discount_percent, "discount_percent")
    try:
        return round_half_up(_EXACT.divide(_EXACT.multiply(list_price, _EXACT.subtract(100, discount)), 100))
    except (Inexact, Overflow):  # more digits than _EXACT holds: the exact way, with Fractions
        return round_half_up(Fraction(list_price) * (100 - Fraction(discount)) / 100)


def band_discount(quantity: int, bands: Iterable[tuple[int, Decimal]]) -> Decimal:
    """Discount percent of the highest band (min_quantity, percent) reached by `quantity`, else 0."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError("quantity must be an int")
    reached = [(min_qty, pct) for min_qty, pct in bands if min_qty <= quantity]
    if not reached:
        return Decimal("0")
    return _percent(max(reached, key=lambda band: band[0])[1], "discount_percent")


@dataclass(frozen=True)
class LineQuote:
    """One cart line priced for the days left in its PBX's current period."""

    unit_price: Decimal
    quantity: int
    full_price: Decimal  # unit_price × quantity: one full term
    start: dt.date  # the PBX's current period
    expires: dt.date
    on: dt.date  # order date: the service starts here and expires with the PBX
    days: int  # expires − on
    period_days: int  # expires − start
    amount: Decimal  # full_price prorated, rounded per line

    @property
    def period_label(self) -> str:
        """The effective period as shown in cart and checkout: '2020-08-15 → 2021-05-15, 273 of 365 days'."""
        return period_label(self.on, self.expires, self.days, self.period_days)


def quote_line(
    unit_price: Decimal, quantity: int, activated_on: dt.date, term: str, on: dt.date
) -> LineQuote:
    """Price `quantity` × `unit_price` ordered on `on` for a PBX activated on `activated_on`."""
    unit_price = _money(unit_price, "unit_price")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise TypeError("quantity must be an int")
    if quantity < 0:
        raise ValueError("quantity cannot be negative")
    start, expires = current_period(activated_on, term, on)
    full_price = unit_price * quantity
    return LineQuote(
        unit_price=unit_price,
        quantity=quantity,
        full_price=full_price,
        start=start,
        expires=expires,
        on=on,
        days=(expires - on).days,
        period_days=(expires - start).days,
        amount=prorate(full_price, start, expires, on),
    )


def quote_total(quotes: Iterable[LineQuote]) -> Decimal:
    """The order total: the sum of the already rounded line amounts."""
    return sum((q.amount for q in quotes), ZERO).quantize(CENT)


# --- recurring revenue and cancellation fees (DESIGN §3.4, §3.8) ------------------------------

MINIMUM_RENTAL_MONTHS = 6  # a rented device is charged for at least six months


def monthly_recurring(unit_price: Decimal, quantity: int, term: str) -> Decimal:
    """MRR of a service: unit price × quantity ÷ months in its term, half-up to the cent (§3.4)."""
    unit_price = _money(unit_price, "unit_price")
    _check_count(quantity, "quantity")
    return round_half_up(Fraction(unit_price) * quantity / term_months(term))


def whole_months(start: dt.date, end: dt.date) -> int:
    """The largest k with add_months(start, k) <= end: whole months run from `start` to `end`."""
    _check_date(start, "start")
    _check_date(end, "end")
    if end < start:
        raise ValueError(f"{end.isoformat()} is before {start.isoformat()}")
    k = (end.year - start.year) * 12 + (end.month - start.month)
    while k > 0 and add_months(start, k) > end:  # clamping moves a date at most one month back
        k -= 1
    return k


@dataclass(frozen=True)
class FeeComputation:
    """The minimum-rental fee of a cancellation, with the figures that make it up.

    `amount` = `monthly_price` × `months_due` × `devices` exactly: the monthly price is rounded
    half-up to the cent first, so the computation a partner is shown
    ("2 × 4 months × €3.05 = €24.40") always adds up to what is charged.
    """

    unit_price: Decimal  # price of one device for one full term
    term: str
    started_on: dt.date
    effective_on: dt.date
    devices: int
    run_months: int  # whole months from started_on to effective_on
    months_due: int  # max(0, 6 − run_months)
    monthly_price: Decimal  # unit_price ÷ months in the term, half-up to the cent
    amount: Decimal  # >= 0, in cents


def cancellation_fee(
    unit_price: Decimal, term: str, started_on: dt.date, effective_on: dt.date, devices: int
) -> FeeComputation:
    """The fee for cancelling `devices` rented devices of a service started on `started_on`, the
    cancellation taking effect on `effective_on`: a rented device is charged for at least six
    months (DESIGN §3.8)."""
    unit_price = _money(unit_price, "unit_price")
    if unit_price < 0:
        raise ValueError("unit_price cannot be negative")
    _check_count(devices, "devices")
    run = whole_months(started_on, effective_on)
    months_due = max(0, MINIMUM_RENTAL_MONTHS - run)
    monthly_price = round_half_up(Fraction(unit_price) / term_months(term))
    return FeeComputation(
        unit_price=unit_price, term=term, started_on=started_on, effective_on=effective_on,
        devices=devices, run_months=run, months_due=months_due, monthly_price=monthly_price,
        amount=(monthly_price * months_due * devices).quantize(CENT),
    )


# --- term rules (DESIGN §3.1, §3.2) ----------------------------------------------------------


def require_subscription(term: str) -> None:
    """Refuse a lifetime PBX: HWaaS and every PBX-bound service need a subscription term."""
    if term == "lifetime":
        raise NotASubscription(
            N_("This PBX has a Lifetime licence, which is not a subscription. HWaaS and other "
               "PBX services are available only for PBXs with a One month, One year or Five years term."),
            field="term",
        )
    term_months(term)  # ValueError for an unknown term


def require_term_match(pbx_term: str, requested_term: str) -> None:
    """Refuse a service whose term differs from its PBX's: all services of a PBX share its term."""
    require_subscription(pbx_term)
    if requested_term not in TERMS:
        raise ValueError(f"unknown term {requested_term!r}; expected one of {', '.join(TERMS)}")
    if requested_term != pbx_term:
        raise TermMismatch(
            N_("This PBX has a %(pbx_term)s term; a %(term)s service cannot be added to it. "
               "All services of a PBX share its term."),
            field="term", pbx_term=term_label(pbx_term), term=term_label(requested_term),
        )


# --- input checks ----------------------------------------------------------------------------


def _check_date(value: object, name: str) -> None:
    # datetime is a date subclass, but mixing it in breaks day arithmetic silently.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def _money(value: object, name: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal (money is never a float), not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount, not {value}")
    return value


def _check_count(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int")
    if value < 0:
        raise ValueError(f"{name} cannot be negative")


def _percent(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"{name} must be between 0 and 100, not {value}")
    return value
