"""Terms, periods and proration (DESIGN §3.1–3.3, contract §8), tested without Flask."""
import calendar
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwaas.services import pricing
from hwaas.services.errors import DomainError, NotASubscription, TermMismatch
from hwaas.services.pricing import (
    SUBSCRIPTION_TERMS,
    TERM_MONTHS,
    add_months,
    band_discount,
    current_period,
    expiration_date,
    prorate,
    quote_line,
    quote_total,
    require_subscription,
    require_term_match,
    round_half_up,
    tier_price,
)

D = Decimal
date = dt.date
ONE_DAY = dt.timedelta(days=1)


# --- DESIGN §3.3 worked examples ---------------------------------------------------------------


def test_ordering_three_months_into_a_yearly_term_costs_273_of_365_days():
    q = quote_line(D("100.00"), 1, date(2020, 5, 15), "yearly", date(2020, 8, 15))
    assert (q.start, q.expires) == (date(2020, 5, 15), date(2021, 5, 15))
    assert (q.days, q.period_days) == (273, 365)
    assert q.amount == D("74.79")


def test_ordering_on_the_activation_date_costs_the_full_price():
    q = quote_line(D("100.00"), 1, date(2020, 5, 15), "yearly", date(2020, 5, 15))
    assert (q.start, q.expires) == (date(2020, 5, 15), date(2021, 5, 15))
    assert (q.days, q.period_days) == (365, 365)
    assert q.amount == D("100.00")


def test_a_monthly_term_activated_on_jan_31_runs_to_leap_day_and_is_prorated_19_of_29_days():
    q = quote_line(D("100.00"), 1, date(2024, 1, 31), "monthly", date(2024, 2, 10))
    assert (q.start, q.expires) == (date(2024, 1, 31), date(2024, 2, 29))
    assert (q.days, q.period_days) == (19, 29)
    assert q.amount == D("65.52")


def test_the_effective_period_label_runs_from_the_order_date_to_the_expiration_date():
    q = quote_line(D("100.00"), 1, date(2020, 5, 15), "yearly", date(2020, 8, 15))
    assert q.period_label == "2020-08-15 → 2021-05-15, 273 of 365 days"


def test_the_price_of_a_line_is_unit_price_times_quantity_prorated_once():
    q = quote_line(D("33.33"), 3, date(2020, 5, 15), "yearly", date(2020, 8, 15))
    assert q.full_price == D("99.99")
    assert q.amount == prorate(D("99.99"), date(2020, 5, 15), date(2021, 5, 15), date(2020, 8, 15))
    assert q.amount == D("74.79")  # 99.99 × 273 / 365 = 74.785…


# --- edges of a period -------------------------------------------------------------------------


def test_ordering_on_the_last_day_costs_one_days_share():
    q = quote_line(D("100.00"), 1, date(2020, 5, 15), "yearly", date(2021, 5, 14))
    assert (q.days, q.period_days) == (1, 365)
    assert q.amount == D("0.27")  # 100 / 365 = 0.2739…


def test_ordering_on_the_expiration_date_charges_the_renewed_period_in_full():
    q = quote_line(D("100.00"), 1, date(2020, 5, 15), "yearly", date(2021, 5, 15))
    assert (q.start, q.expires) == (date(2021, 5, 15), date(2022, 5, 15))
    assert q.amount == D("100.00")


def test_the_expiration_date_is_the_end_of_the_current_period():
    assert expiration_date(date(2020, 5, 15), "yearly", date(2020, 8, 15)) == date(2021, 5, 15)
    assert expiration_date(date(2020, 5, 15), "yearly", date(2021, 5, 15)) == date(2022, 5, 15)


# --- add_months and anchored periods -----------------------------------------------------------


def test_add_months_keeps_the_activation_day_and_clamps_to_the_months_last_day():
    jan31 = date(2024, 1, 31)
    assert [add_months(jan31, n) for n in range(5)] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_add_months_accepts_zero_and_negative_months():
    assert add_months(date(2024, 3, 31), 0) == date(2024, 3, 31)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -13) == date(2022, 12, 15)
    assert add_months(date(2023, 12, 31), 2) == date(2024, 2, 29)


def test_monthly_periods_from_jan_31_are_anchored_on_the_activation_date_not_chained():
    jan31 = date(2024, 1, 31)
    assert current_period(jan31, "monthly", date(2024, 2, 28)) == (date(2024, 1, 31), date(2024, 2, 29))
    assert current_period(jan31, "monthly", date(2024, 2, 29)) == (date(2024, 2, 29), date(2024, 3, 31))
    # Chaining from Feb 29 would end this period on Mar 29.
    assert current_period(jan31, "monthly", date(2024, 3, 30)) == (date(2024, 2, 29), date(2024, 3, 31))
    assert current_period(jan31, "monthly", date(2024, 3, 31)) == (date(2024, 3, 31), date(2024, 4, 30))
    assert current_period(jan31, "monthly", date(2024, 5, 1)) == (date(2024, 4, 30), date(2024, 5, 31))


def test_a_yearly_term_activated_on_leap_day_renews_on_feb_28_and_returns_to_feb_29_in_leap_years():
    leap_day = date(2024, 2, 29)
    assert current_period(leap_day, "yearly", date(2025, 2, 27)) == (date(2024, 2, 29), date(2025, 2, 28))
    assert current_period(leap_day, "yearly", date(2025, 2, 28)) == (date(2025, 2, 28), date(2026, 2, 28))
    assert current_period(leap_day, "yearly", date(2026, 3, 1)) == (date(2026, 2, 28), date(2027, 2, 28))
    assert current_period(leap_day, "yearly", date(2028, 2, 28)) == (date(2027, 2, 28), date(2028, 2, 29))
    assert current_period(leap_day, "yearly", date(2028, 2, 29)) == (date(2028, 2, 29), date(2029, 2, 28))


def test_five_year_periods_are_sixty_months_from_the_activation_date():
    leap_day = date(2020, 2, 29)
    assert current_period(leap_day, "five_years", date(2025, 2, 27)) == (date(2020, 2, 29), date(2025, 2, 28))
    assert current_period(leap_day, "five_years", date(2025, 2, 28)) == (date(2025, 2, 28), date(2030, 2, 28))
    assert current_period(leap_day, "five_years", date(2039, 12, 31)) == (date(2035, 2, 28), date(2040, 2, 29))
    assert current_period(leap_day, "five_years", date(2040, 2, 29)) == (date(2040, 2, 29), date(2045, 2, 28))


def test_a_five_year_line_is_prorated_over_the_whole_five_years():
    q = quote_line(D("600.00"), 1, date(2020, 1, 1), "five_years", date(2024, 1, 1))
    assert (q.start, q.expires) == (date(2020, 1, 1), date(2025, 1, 1))
    assert (q.days, q.period_days) == (366, 1827)
    assert q.amount == D("120.20")  # 600 × 366 / 1827 = 120.197…


def test_finding_the_period_fifty_years_out_takes_a_handful_of_steps(monkeypatch):
    calls = []
    real = pricing.add_months

    def counting(d, n):
        calls.append(n)
        return real(d, n)

    monkeypatch.setattr(pricing, "add_months", counting)
    assert current_period(date(2000, 1, 31), "monthly", date(2050, 6, 15)) == (
        date(2050, 5, 31),
        date(2050, 6, 30),
    )
    assert len(calls) <= 6


# --- rounding and money ------------------------------------------------------------------------


def test_exactly_half_a_cent_rounds_up():
    # April has 30 days; ordered on the 16th, 15 of 30 days are left: exactly half.
    april = (date(2024, 4, 1), date(2024, 5, 1), date(2024, 4, 16))
    assert prorate(D("0.05"), *april) == D("0.03")  # 0.025; banker's rounding would give 0.02
    assert prorate(D("100.01"), *april) == D("50.01")  # 50.005
    assert prorate(D("0.01"), *april) == D("0.01")  # 0.005


def test_half_a_cent_over_a_leap_year_rounds_up():
    q = quote_line(D("0.05"), 1, date(2024, 1, 1), "yearly", date(2024, 7, 2))
    assert (q.days, q.period_days) == (183, 366)
    assert q.amount == D("0.03")


def test_just_under_half_a_cent_rounds_down():
    # 0.03 × 5 / 31 = 0.00483…: below half a cent, so it rounds down to nothing.
    assert prorate(D("0.03"), date(2024, 1, 1), date(2024, 2, 1), date(2024, 1, 27)) == D("0.00")


def test_amounts_always_have_two_decimal_places():
    amount = prorate(D("100"), date(2020, 5, 15), date(2021, 5, 15), date(2020, 5, 15))
    assert str(amount) == "100.00"
    assert str(prorate(D("0.01"), date(2024, 1, 1), date(2024, 2, 1), date(2024, 1, 31))) == "0.00"


def test_the_order_total_is_the_sum_of_lines_rounded_one_by_one():
    # 1.00 × 10 / 30 = 0.333…: each line rounds to 0.33, so three lines total 0.99, not 1.00.
    lines = [quote_line(D("1.00"), 1, date(2024, 4, 1), "monthly", date(2024, 4, 21)) for _ in range(3)]
    assert [q.amount for q in lines] == [D("0.33")] * 3
    assert quote_total(lines) == D("0.99")


def test_an_empty_order_totals_zero_with_cents():
    assert quote_total([]) == D("0.00")
    assert str(quote_total([])) == "0.00"


@pytest.mark.parametrize(
    "call",
    [
        lambda: prorate(100.0, date(2020, 5, 15), date(2021, 5, 15), date(2020, 8, 15)),
        lambda: quote_line(19.99, 1, date(2020, 5, 15), "yearly", date(2020, 8, 15)),
        lambda: tier_price(19.99, D("10")),
        lambda: tier_price(D("19.99"), 10.0),
    ],
    ids=["prorate", "quote_line", "tier_price list price", "tier_price discount"],
)
def test_money_as_a_float_is_refused(call):
    with pytest.raises(TypeError, match="float"):
        call()


def test_a_datetime_is_refused_where_a_date_is_expected():
    with pytest.raises(TypeError):
        current_period(date(2020, 5, 15), "yearly", dt.datetime(2020, 8, 15, 12, 0))


# --- refused terms and dates -------------------------------------------------------------------


@pytest.mark.parametrize("term", ["lifetime", "weekly", "", None])
def test_a_lifetime_or_unknown_term_has_no_period(term):
    with pytest.raises(ValueError):
        current_period(date(2020, 5, 15), term, date(2020, 8, 15))
    with pytest.raises(ValueError):
        quote_line(D("100.00"), 1, date(2020, 5, 15), term, date(2020, 8, 15))


def test_a_date_before_activation_has_no_period():
    with pytest.raises(ValueError, match="before the activation date"):
        current_period(date(2020, 5, 15), "yearly", date(2020, 5, 14))


@pytest.mark.parametrize(
    "on", [date(2020, 5, 14), date(2021, 5, 15), date(2021, 6, 1)], ids=["before start", "on expiry", "after"]
)
def test_prorating_outside_the_period_is_refused(on):
    with pytest.raises(ValueError, match="outside the period"):
        prorate(D("100.00"), date(2020, 5, 15), date(2021, 5, 15), on)


def test_prorating_over_an_empty_period_is_refused():
    with pytest.raises(ValueError, match="empty period"):
        prorate(D("100.00"), date(2020, 5, 15), date(2020, 5, 15), date(2020, 5, 15))


def test_a_negative_quantity_is_refused():
    with pytest.raises(ValueError):
        quote_line(D("100.00"), -1, date(2020, 5, 15), "yearly", date(2020, 8, 15))


# --- tiers and quantity bands ------------------------------------------------------------------


def test_a_tier_price_is_list_less_the_tier_discount_half_up_to_the_cent():
    assert tier_price(D("100.00"), D("15")) == D("85.00")
    assert tier_price(D("19.99"), D("12.5")) == D("17.49")  # 17.49125
    assert tier_price(D("0.30"), D("5")) == D("0.29")  # 0.285 rounds up
    assert tier_price(D("49.90"), D("0")) == D("49.90")


@pytest.mark.parametrize("discount", [D("-1"), D("100.01"), D("NaN")])
def test_a_tier_discount_outside_0_to_100_percent_is_refused(discount):
    with pytest.raises(ValueError):
        tier_price(D("100.00"), discount)


@pytest.mark.parametrize(
    ("quantity", "expected"), [(0, D("0")), (9, D("0")), (10, D("5")), (49, D("5")), (50, D("10")), (500, D("10"))]
)
def test_the_quantity_discount_is_that_of_the_highest_band_reached(quantity, expected):
    bands = [(50, D("10")), (10, D("5")), (1, D("0"))]  # in no particular order
    assert band_discount(quantity, bands) == expected


def test_without_bands_there_is_no_quantity_discount():
    assert band_discount(1000, []) == D("0")
    assert band_discount(3, [(10, D("5"))]) == D("0")


# --- term rules --------------------------------------------------------------------------------


def test_a_service_with_another_term_than_its_pbx_is_refused_with_the_reason():
    with pytest.raises(TermMismatch) as refused:
        require_term_match("yearly", "monthly")
    assert refused.value.field == "term"
    assert str(refused.value) == (
        "This PBX has a One year term; a One month service cannot be added to it. "
        "All services of a PBX share its term."
    )
    assert isinstance(refused.value, DomainError)


@pytest.mark.parametrize("term", SUBSCRIPTION_TERMS)
def test_a_service_with_its_pbxs_term_is_accepted(term):
    require_term_match(term, term)
    require_subscription(term)


def test_a_lifetime_pbx_takes_no_services_because_it_is_not_a_subscription():
    with pytest.raises(NotASubscription, match="not a subscription"):
        require_subscription("lifetime")
    with pytest.raises(NotASubscription):
        require_term_match("lifetime", "lifetime")


def test_an_unknown_term_is_a_programming_error_not_a_business_refusal():
    with pytest.raises(ValueError):
        require_subscription("weekly")
    with pytest.raises(ValueError):
        require_term_match("yearly", "weekly")


# --- properties --------------------------------------------------------------------------------

modest = settings(max_examples=200, deadline=None)

years = st.integers(1950, 2150)
plain_dates = st.dates(date(1950, 1, 1), date(2150, 12, 31))
month_ends = st.builds(lambda y, m: date(y, m, calendar.monthrange(y, m)[1]), years, st.integers(1, 12))
leap_days = years.filter(calendar.isleap).map(lambda y: date(y, 2, 29))
activations = st.one_of(plain_dates, month_ends, leap_days)
terms = st.sampled_from(SUBSCRIPTION_TERMS)
offsets = st.integers(0, 366 * 60).map(lambda n: dt.timedelta(days=n))
money = st.integers(0, 10**9).map(lambda cents: Decimal(f"{cents}E-2"))
quantities = st.integers(0, 50)


def months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


@modest
@given(activations, st.integers(-1200, 1200))
def test_add_months_moves_by_whole_months_and_keeps_the_day_where_it_exists(d, n):
    moved = add_months(d, n)
    assert months_between(d, moved) == n
    assert moved.day == min(d.day, calendar.monthrange(moved.year, moved.month)[1])


@modest
@given(activations, terms, offsets)
def test_the_current_period_always_contains_the_date(activated_on, term, offset):
    on = activated_on + offset
    start, expires = current_period(activated_on, term, on)
    assert start <= on < expires


@modest
@given(activations, terms, offsets)
def test_every_period_starts_a_whole_number_of_terms_after_activation(activated_on, term, offset):
    m = TERM_MONTHS[term]
    start, expires = current_period(activated_on, term, activated_on + offset)
    k, remainder = divmod(months_between(activated_on, start), m)
    assert remainder == 0
    assert start == add_months(activated_on, k * m)
    assert expires == add_months(activated_on, (k + 1) * m)


@modest
@given(activations, terms, offsets)
def test_periods_tile_without_gaps_or_overlaps(activated_on, term, offset):
    start, expires = current_period(activated_on, term, activated_on + offset)
    assert current_period(activated_on, term, start) == (start, expires)
    assert current_period(activated_on, term, expires - ONE_DAY) == (start, expires)
    assert current_period(activated_on, term, expires)[0] == expires
    if start > activated_on:
        assert current_period(activated_on, term, start - ONE_DAY)[1] == start


@modest
@given(money, quantities, activations, terms, offsets)
def test_a_prorated_line_is_never_negative_and_never_above_the_full_price(
    unit_price, quantity, activated_on, term, offset
):
    q = quote_line(unit_price, quantity, activated_on, term, activated_on + offset)
    assert D("0") <= q.amount <= q.full_price
    assert q.amount == q.amount.quantize(D("0.01"))
    assert 1 <= q.days <= q.period_days


@modest
@given(money, quantities, activations, terms, offsets)
def test_a_prorated_line_is_within_half_a_cent_of_the_exact_share(
    unit_price, quantity, activated_on, term, offset
):
    q = quote_line(unit_price, quantity, activated_on, term, activated_on + offset)
    exact = Fraction(q.full_price) * q.days / q.period_days
    assert abs(Fraction(q.amount) - exact) <= Fraction(1, 200)


@modest
@given(money, quantities, activations, terms, offsets)
def test_ordering_on_the_first_day_of_a_period_costs_the_full_price(
    unit_price, quantity, activated_on, term, offset
):
    start, _ = current_period(activated_on, term, activated_on + offset)
    q = quote_line(unit_price, quantity, activated_on, term, start)
    assert q.amount == q.full_price


@modest
@given(
    st.lists(st.tuples(money, quantities, offsets), max_size=8),
    activations,
    terms,
)
def test_the_order_total_is_the_sum_of_its_quoted_lines(lines, activated_on, term):
    quotes = [quote_line(p, n, activated_on, term, activated_on + off) for p, n, off in lines]
    assert quote_total(quotes) == sum((q.amount for q in quotes), D("0"))
    assert quote_total(quotes) == quote_total(quotes).quantize(D("0.01"))


def _half_up_by_fractions(value) -> Decimal:
    """The definition, independent of the Decimal shortcut: cents, plus a half, floored."""
    cents = Fraction(value) * 100
    whole = int(abs(cents) + Fraction(1, 2))
    return Decimal(f"{'-' if cents < 0 and whole else ''}{whole}E-2")


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**12, max_value=10**12, places=6))
def test_rounding_a_decimal_to_the_cent_agrees_with_exact_fractions(value):
    assert round_half_up(value) == _half_up_by_fractions(value)
    assert str(round_half_up(value)) == str(_half_up_by_fractions(value))  # no "-0.00"


@given(st.decimals(min_value=0, max_value=10**9, places=2),
       st.decimals(min_value=0, max_value=100, places=4))
def test_a_tier_price_agrees_with_exact_fractions(list_price, discount):
    exact = Fraction(list_price) * (100 - Fraction(discount)) / 100
    assert tier_price(list_price, discount) == _half_up_by_fractions(exact)


def test_a_tier_price_with_more_digits_than_decimal_arithmetic_holds_is_still_exact():
    huge = Decimal("1" * 130 + ".01")
    assert tier_price(huge, D("12.5")) == _half_up_by_fractions(Fraction(huge) * Fraction(875, 1000))


@given(st.one_of(st.decimals(min_value=-10**9, max_value=10**9, places=2),
                 st.decimals(min_value=-10**9, max_value=10**9, places=5),
                 st.integers(-10**30, 10**30).map(D)),
       st.integers(1, 1830), st.integers(0, 1829))
def test_prorating_agrees_with_exact_fractions_rounded_half_away_from_zero(amount, period_days, days_used):
    start = dt.date(2026, 1, 1)
    expires = start + dt.timedelta(days=period_days)
    on = start + dt.timedelta(days=days_used % period_days)
    exact = Fraction(amount) * (expires - on).days / period_days
    assert str(prorate(amount, start, expires, on)) == str(_half_up_by_fractions(exact))
