"""The overdue-invoice ladder (DESIGN §3.5), tested without Flask."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwaas.services.errors import DomainError, OrderingBlocked, ReadOnlyAccount
from hwaas.services.overdue import (
    Standing,
    Thresholds,
    check_can_order_hardware,
    check_writable,
    days_overdue,
    standing,
)

date = dt.date
TODAY = date(2026, 11, 25)


# --- days overdue ------------------------------------------------------------------------------


def test_days_overdue_count_from_the_oldest_open_invoice():
    due = [date(2026, 11, 20), date(2026, 11, 15), date(2026, 11, 24)]
    assert days_overdue(due, TODAY) == 10


def test_no_open_invoice_means_nothing_is_overdue():
    assert days_overdue([], TODAY) == 0


def test_an_invoice_not_yet_due_is_not_overdue():
    assert days_overdue([date(2026, 12, 10)], TODAY) == 0
    assert days_overdue([TODAY], TODAY) == 0


def test_days_overdue_accepts_any_iterable_of_due_dates():
    assert days_overdue((d for d in [date(2026, 11, 22)]), TODAY) == 3


# --- the ladder with default thresholds --------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "warning", "blocked", "read_only", "suspended"),
    [
        (0, False, False, False, False),
        (1, False, False, False, False),
        (2, True, False, False, False),
        (5, True, False, False, False),
        (6, True, True, False, False),
        (29, True, True, False, False),
        (30, True, True, True, False),
        (34, True, True, True, False),
        (35, True, True, True, True),
        (400, True, True, True, True),
    ],
)
def test_each_step_of_the_ladder_starts_on_its_default_day(days, warning, blocked, read_only, suspended):
    s = standing(days)
    assert (s.days_overdue, s.warning, s.hardware_blocked, s.read_only, s.suspended) == (
        days,
        warning,
        blocked,
        read_only,
        suspended,
    )


def test_a_partner_in_good_standing_sees_no_banner_and_may_order_and_edit():
    s = standing(1)
    assert s.message == ""
    check_can_order_hardware(s)
    check_writable(s)


def test_the_warning_banner_says_when_ordering_will_be_blocked_and_where_to_pay():
    s = standing(3)
    assert s.message == (
        "An invoice is 3 days overdue. Please pay it: ordering hardware and HWaaS will be "
        "blocked once it is more than 5 days overdue. See Account balance."
    )
    check_can_order_hardware(s)  # a warning blocks nothing


def test_hardware_ordering_is_blocked_after_five_days_with_the_reason():
    s = standing(10)
    assert s.message == (
        "An invoice is 10 days overdue. Ordering hardware and HWaaS is blocked until it is paid. "
        "See Account balance."
    )
    with pytest.raises(OrderingBlocked) as refused:
        check_can_order_hardware(s)
    assert str(refused.value) == s.message
    check_writable(s)  # the portal itself stays writable: carts are kept, licences may be ordered


def test_the_portal_is_read_only_from_thirty_days_except_account_balance():
    s = standing(30)
    assert "read-only" in s.message and "Account balance" in s.message
    with pytest.raises(ReadOnlyAccount) as refused:
        check_writable(s)
    assert str(refused.value) == s.message
    with pytest.raises(OrderingBlocked):
        check_can_order_hardware(s)


def test_services_are_suspended_from_thirty_five_days_and_the_banner_says_so():
    s = standing(35)
    assert "suspended" in s.message and "See Account balance." in s.message
    with pytest.raises(ReadOnlyAccount):
        check_writable(s)


def test_the_banner_says_day_not_days_for_a_single_day():
    s = standing(1, Thresholds(warn=1, block_after=1))
    assert s.message.startswith("An invoice is 1 day overdue.")
    assert "more than 1 day overdue" in s.message


def test_overdue_refusals_are_domain_errors():
    with pytest.raises(DomainError):
        check_can_order_hardware(standing(6))


# --- configurable thresholds -------------------------------------------------------------------


def test_thresholds_come_from_configuration():
    strict = Thresholds(warn=1, block_after=2, read_only=10, suspend=12)
    assert standing(1, strict).warning and not standing(1, strict).hardware_blocked
    assert standing(3, strict).hardware_blocked
    assert standing(10, strict).read_only and not standing(10, strict).suspended
    assert standing(12, strict).suspended


@pytest.mark.parametrize(
    "kwargs",
    [
        {"warn": 0},
        {"warn": 7, "block_after": 5},
        {"block_after": 30, "read_only": 30},
        {"read_only": 40, "suspend": 35},
    ],
)
def test_thresholds_that_do_not_escalate_are_refused(kwargs):
    with pytest.raises(ValueError):
        Thresholds(**kwargs)


def test_negative_days_overdue_are_refused():
    with pytest.raises(ValueError):
        standing(-1)


# --- properties --------------------------------------------------------------------------------

modest = settings(max_examples=200, deadline=None)


@st.composite
def escalating_thresholds(draw):
    warn = draw(st.integers(1, 20))
    block_after = draw(st.integers(warn - 1, 40))
    read_only = draw(st.integers(block_after + 1, 80))
    suspend = draw(st.integers(read_only, 120))
    return Thresholds(warn, block_after, read_only, suspend)


@modest
@given(st.integers(0, 200), escalating_thresholds())
def test_each_step_of_the_ladder_includes_the_steps_below_it(days, thresholds):
    s = standing(days, thresholds)
    assert not s.suspended or s.read_only
    assert not s.read_only or s.hardware_blocked
    assert not s.hardware_blocked or s.warning
    assert bool(s.message) == s.warning


@modest
@given(st.integers(0, 200), st.integers(0, 200), escalating_thresholds())
def test_more_days_overdue_never_lift_a_restriction(days, more, thresholds):
    before, after = standing(days, thresholds), standing(days + more, thresholds)
    for flag in ("warning", "hardware_blocked", "read_only", "suspended"):
        assert getattr(after, flag) >= getattr(before, flag)


@modest
@given(st.lists(st.dates(date(2020, 1, 1), date(2030, 12, 31)), max_size=10), st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_days_overdue_is_never_negative_and_follows_the_oldest_invoice(due_dates, today):
    days = days_overdue(due_dates, today)
    assert days >= 0
    if due_dates:
        assert days == max(0, (today - min(due_dates)).days)
    else:
        assert days == 0


def test_a_standing_is_a_plain_value():
    assert standing(6) == standing(6)
    assert isinstance(standing(6), Standing)
