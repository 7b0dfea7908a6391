"""The six-month minimum fee of a cancellation and monthly recurring revenue (DESIGN §3.4, §3.8),
tested without Flask."""
import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hwaas.services.pricing import (
    SUBSCRIPTION_TERMS, TERM_MONTHS, add_months, cancellation_fee, monthly_recurring, whole_months,
)

D = Decimal
date = dt.date


# --- the worked example and the rule's edges ----------------------------------------------------


def test_two_devices_four_months_short_of_six_at_3_05_a_month_cost_24_40():
    # A yearly device at €36.60 is €3.05 a month; started Feb 10, ending Apr 10: 2 months run.
    fee = cancellation_fee(D("36.60"), "yearly", date(2026, 2, 10), date(2026, 4, 10), 2)
    assert (fee.run_months, fee.months_due, fee.monthly_price, fee.devices) == (2, 4, D("3.05"), 2)
    assert fee.amount == D("24.40")


def test_the_monthly_price_is_rounded_to_the_cent_first_so_the_shown_computation_adds_up():
    # 36.55 / 12 = 3.0458… → 3.05; 2 × 4 × 3.05 = 24.40 (not 24.37, the unrounded line).
    fee = cancellation_fee(D("36.55"), "yearly", date(2026, 2, 10), date(2026, 4, 10), 2)
    assert fee.monthly_price == D("3.05")
    assert fee.amount == fee.monthly_price * fee.months_due * fee.devices == D("24.40")


def test_a_monthly_device_costs_its_unit_price_per_month_due():
    fee = cancellation_fee(D("10.00"), "monthly", date(2026, 1, 15), date(2026, 3, 15), 1)
    assert (fee.run_months, fee.months_due, fee.amount) == (2, 4, D("40.00"))


def test_a_five_year_device_is_priced_per_month_as_a_sixtieth():
    fee = cancellation_fee(D("450.00"), "five_years", date(2026, 1, 15), date(2026, 2, 15), 1)
    assert (fee.monthly_price, fee.months_due, fee.amount) == (D("7.50"), 5, D("37.50"))


def test_six_whole_months_run_cost_no_fee():
    fee = cancellation_fee(D("36.60"), "yearly", date(2026, 1, 15), date(2026, 7, 15), 3)
    assert (fee.run_months, fee.months_due, fee.amount) == (6, 0, D("0.00"))


def test_one_day_short_of_six_months_still_counts_five_whole_months():
    fee = cancellation_fee(D("36.60"), "yearly", date(2026, 1, 15), date(2026, 7, 14), 1)
    assert (fee.run_months, fee.months_due, fee.amount) == (5, 1, D("3.05"))


def test_a_service_started_on_jan_31_has_run_one_month_on_feb_28_and_six_on_jul_31():
    assert whole_months(date(2026, 1, 31), date(2026, 2, 27)) == 0
    assert whole_months(date(2026, 1, 31), date(2026, 2, 28)) == 1
    assert whole_months(date(2026, 1, 31), date(2026, 7, 30)) == 5
    assert whole_months(date(2026, 1, 31), date(2026, 7, 31)) == 6


def test_a_service_started_on_29_february_runs_whole_months_on_the_29th_or_the_months_end():
    assert whole_months(date(2024, 2, 29), date(2024, 3, 28)) == 0
    assert whole_months(date(2024, 2, 29), date(2024, 3, 29)) == 1
    assert whole_months(date(2024, 2, 29), date(2024, 8, 28)) == 5
    assert whole_months(date(2024, 2, 29), date(2024, 8, 29)) == 6
    assert whole_months(date(2024, 2, 29), date(2025, 2, 28)) == 12


def test_a_cancellation_effective_on_the_start_day_is_charged_all_six_months():
    fee = cancellation_fee(D("10.00"), "monthly", date(2026, 5, 1), date(2026, 5, 1), 2)
    assert (fee.run_months, fee.months_due, fee.amount) == (0, 6, D("120.00"))


def test_an_effective_date_before_the_start_is_refused():
    with pytest.raises(ValueError):
        cancellation_fee(D("10.00"), "monthly", date(2026, 5, 2), date(2026, 5, 1), 1)


@pytest.mark.parametrize("call", [
    lambda: cancellation_fee(3.05, "yearly", date(2026, 1, 1), date(2026, 2, 1), 1),
    lambda: monthly_recurring(3.05, 1, "yearly"),
])
def test_money_as_a_float_is_refused(call):
    with pytest.raises(TypeError):
        call()


@pytest.mark.parametrize("term", ["lifetime", "weekly"])
def test_a_lifetime_or_unknown_term_has_no_monthly_price(term):
    with pytest.raises(ValueError):
        cancellation_fee(D("10.00"), term, date(2026, 1, 1), date(2026, 2, 1), 1)
    with pytest.raises(ValueError):
        monthly_recurring(D("10.00"), 1, term)


def test_a_negative_device_count_is_refused():
    with pytest.raises(ValueError):
        cancellation_fee(D("10.00"), "monthly", date(2026, 1, 1), date(2026, 2, 1), -1)


# --- monthly recurring revenue -------------------------------------------------------------------


def test_mrr_is_unit_price_times_quantity_over_the_months_in_the_term_half_up():
    assert monthly_recurring(D("36.55"), 2, "yearly") == D("6.09")  # 73.10 / 12 = 6.0916…
    assert monthly_recurring(D("10.00"), 3, "monthly") == D("30.00")
    assert monthly_recurring(D("450.00"), 1, "five_years") == D("7.50")
    assert monthly_recurring(D("0.06"), 1, "yearly") == D("0.01")  # 0.005 rounds up


def test_mrr_of_nothing_is_zero_with_cents():
    assert str(monthly_recurring(D("36.60"), 0, "yearly")) == "0.00"


# --- properties ------------------------------------------------------------------------------------

money = st.decimals(min_value=D("0.00"), max_value=D("99999.99"), places=2)
starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
terms = st.sampled_from(SUBSCRIPTION_TERMS)
devices = st.integers(0, 50)
month_ends = st.builds(lambda y, m: add_months(date(y, m, 1), 1) - dt.timedelta(days=1),
                       st.integers(2000, 2090), st.integers(1, 12))


@given(money, terms, starts, st.integers(0, 4000), devices)
def test_a_fee_is_never_negative_and_never_more_than_six_months(price, term, start, days, n):
    fee = cancellation_fee(price, term, start, start + dt.timedelta(days=days), n)
    assert D("0.00") <= fee.amount <= fee.monthly_price * 6 * n
    assert fee.amount == fee.monthly_price * fee.months_due * n
    assert fee.amount.as_tuple().exponent == -2


@given(money, terms, starts, st.integers(6, 600), st.integers(0, 40), devices)
def test_from_six_whole_months_on_there_is_no_fee(price, term, start, months, extra_days, n):
    effective = add_months(start, months) + dt.timedelta(days=extra_days)
    fee = cancellation_fee(price, term, start, effective, n)
    assert fee.months_due == 0 and fee.amount == D("0.00")


@given(st.one_of(starts, month_ends), st.integers(0, 4000))
def test_run_is_the_largest_k_with_add_months_start_k_on_or_before_the_effective_date(start, days):
    effective = start + dt.timedelta(days=days)
    run = whole_months(start, effective)
    assert add_months(start, run) <= effective < add_months(start, run + 1)


@given(month_ends, st.integers(0, 11))
def test_a_service_started_at_a_months_end_completes_each_month_at_the_next_clamped_date(start, k):
    assert whole_months(start, add_months(start, k)) == k
    assert whole_months(start, add_months(start, k + 1) - dt.timedelta(days=1)) == k


@given(money, terms)
def test_the_monthly_price_is_the_term_price_over_its_months_within_half_a_cent(price, term):
    fee = cancellation_fee(price, term, date(2026, 1, 1), date(2026, 1, 1), 1)
    assert abs(Fraction(fee.monthly_price) - Fraction(price) / TERM_MONTHS[term]) <= Fraction(1, 200)


@given(money, st.integers(0, 1000), terms)
def test_mrr_is_within_half_a_cent_of_the_exact_share(price, quantity, term):
    mrr = monthly_recurring(price, quantity, term)
    assert abs(Fraction(mrr) - Fraction(price) * quantity / TERM_MONTHS[term]) <= Fraction(1, 200)
