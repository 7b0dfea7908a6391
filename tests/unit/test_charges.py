"""Charges, renewals, the forecast and MRR (DESIGN §3.4, §3.8), without Flask."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hwaas import models as m
from hwaas.services import charges, orders
from hwaas.services.pricing import SUBSCRIPTION_TERMS, add_months, current_period, monthly_recurring

D = Decimal
date = dt.date
days = dt.timedelta


def service(make, pbx, product=None, quantity=1, unit_price=None, started_on=None, status="active"):
    product = product or make.product()
    s = m.PbxService(pbx_id=pbx.id, term=pbx.term, kind="hwaas", product_id=product.id, quantity=quantity,
                     unit_price=unit_price if unit_price is not None else product.opex_price(pbx.term),
                     started_on=started_on or pbx.activated_on, status=status)
    make.session.add(s)
    make.session.flush()
    return s


def charged(session, kind=None):
    stmt = select(m.Charge).order_by(m.Charge.period_start, m.Charge.service_id, m.Charge.kind)
    if kind:
        stmt = stmt.where(m.Charge.kind == kind)
    return list(session.scalars(stmt))


def set_price(session, product, price):
    for p in product.prices:
        p.opex_price = price
    session.flush()


def renew_days(session, first, last):
    day, results, prices = first, [], charges.renewal_prices(session)
    while day <= last:
        results.append(charges.renew_day(session, day, prices=prices))
        day += days(1)
    return results


# --- the calendar: which activation dates start a period on a day -----------------------------


def _anchored(anchor: charges.Anchor, activated_on: dt.date, term: str) -> bool:
    """The renewal statement's join condition, in Python."""
    return (anchor.term == term and activated_on.day == anchor.anchor_day
            and (anchor.month is None or activated_on.month == anchor.month)
            and (anchor.year_mod is None or activated_on.year % 5 == anchor.year_mod)
            and activated_on < anchor.day)


@given(st.dates(date(2000, 1, 1), date(2060, 12, 31)), st.sampled_from(SUBSCRIPTION_TERMS),
       st.integers(1, 4000))
def test_the_calendar_finds_exactly_the_days_a_period_starts_and_where_it_ends(activated_on, term, offset):
    day = activated_on + days(offset)
    start, expires = current_period(activated_on, term, day)
    matches = [a for a in charges.renewal_calendar([day]) if _anchored(a, activated_on, term)]
    if start == day:
        assert [a.period_end for a in matches] == [expires]
    else:
        assert matches == []


def test_activation_days_past_a_short_month_end_renew_on_its_last_day():
    anchors = charges.renewal_calendar([date(2025, 2, 28)])
    monthly = sorted(a.anchor_day for a in anchors if a.term == "monthly")
    assert monthly == [28, 29, 30, 31]
    assert {a.period_end for a in anchors if a.term == "monthly"} == {
        date(2025, 3, 28), date(2025, 3, 29), date(2025, 3, 30), date(2025, 3, 31)}


# --- renewal ----------------------------------------------------------------------------------


def test_a_pbx_renews_on_its_expiration_date_for_one_full_period_at_the_partners_tier_price(session, make):
    partner = make.partner(tier=make.tier(discount_percent=D("15")))
    pbx = make.pbx(make.customer(partner), term="yearly", activated_on=date(2025, 5, 15))
    phone = make.product(opex={"yearly": D("100.00")})
    s = service(make, pbx, phone, quantity=3, unit_price=D("80.00"))

    assert charges.renew_day(session, date(2026, 5, 14)).renewed == 0
    result = charges.renew_day(session, date(2026, 5, 15))

    assert (result.renewed, result.renewed_amount) == (1, D("255.00"))
    [charge] = charged(session, "renewal")
    assert (charge.kind, charge.service_id, charge.period_start, charge.period_end, charge.quantity,
            charge.unit_price, charge.amount) == (
        "renewal", s.id, date(2026, 5, 15), date(2027, 5, 15), 3, D("85.00"), D("255.00"))
    assert (charge.partner_id, charge.customer_id, charge.pbx_id) == (partner.id, pbx.customer_id, pbx.id)
    assert session.get(m.PbxService, s.id).unit_price == D("85.00")  # the price it now runs at


def test_renewing_the_same_day_twice_charges_once(session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2026, 1, 10))
    service(make, pbx, quantity=2)
    assert charges.renew_day(session, date(2026, 3, 10)).renewed == 1
    assert charges.renew_day(session, date(2026, 3, 10)).renewed == 0
    assert len(charged(session)) == 1


def test_a_monthly_pbx_activated_on_the_31st_renews_on_each_months_last_day_from_its_activation(session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2024, 1, 31))
    service(make, pbx)
    renew_days(session, date(2024, 2, 1), date(2024, 5, 31))
    assert [(c.period_start, c.period_end) for c in charged(session, "renewal")] == [
        (date(2024, 2, 29), date(2024, 3, 31)),
        (date(2024, 3, 31), date(2024, 4, 30)),
        (date(2024, 4, 30), date(2024, 5, 31)),
        (date(2024, 5, 31), date(2024, 6, 30)),
    ]


def test_a_yearly_pbx_activated_on_29_february_renews_on_28_february_and_on_29_in_leap_years(session, make):
    pbx = make.pbx(term="yearly", activated_on=date(2024, 2, 29))
    service(make, pbx)
    for day in (date(2025, 2, 28), date(2025, 3, 1), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 28),
                date(2028, 2, 29)):
        charges.renew_day(session, day)
    assert [(c.period_start, c.period_end) for c in charged(session)] == [
        (date(2025, 2, 28), date(2026, 2, 28)),
        (date(2026, 2, 28), date(2027, 2, 28)),
        (date(2027, 2, 28), date(2028, 2, 29)),
        (date(2028, 2, 29), date(2029, 2, 28)),
    ]


def test_a_five_year_pbx_renews_every_five_years_only(session, make):
    pbx = make.pbx(term="five_years", activated_on=date(2021, 3, 15))
    s = service(make, pbx, quantity=2)
    for day in (date(2025, 3, 15), date(2026, 3, 14), date(2026, 3, 15), date(2027, 3, 15), date(2031, 3, 15)):
        charges.renew_day(session, day)
    assert [(c.period_start, c.period_end, c.amount) for c in charged(session, "renewal")] == [
        (date(2026, 3, 15), date(2031, 3, 15), D("900.00")),
        (date(2031, 3, 15), date(2036, 3, 15), D("900.00")),
    ]
    assert s.term == "five_years"


def test_a_price_change_between_two_renewals_applies_to_the_next_one_and_never_to_a_charged_period(
        session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2026, 1, 5))
    phone = make.product(opex={"monthly": D("10.00")})
    s = service(make, pbx, phone, quantity=2)
    charges.renew_day(session, date(2026, 2, 5))
    set_price(session, phone, D("12.50"))
    charges.renew_day(session, date(2026, 3, 5))
    assert [(c.period_start, c.unit_price, c.amount) for c in charged(session, "renewal")] == [
        (date(2026, 2, 5), D("10.00"), D("20.00")),
        (date(2026, 3, 5), D("12.50"), D("25.00")),
    ]
    assert session.get(m.PbxService, s.id).unit_price == D("12.50")


def test_renewals_get_the_quantity_band_their_quantity_reaches(session, make):
    phone = make.product(opex={"yearly": D("100.00")})
    phone.bands = [m.QuantityBand(min_quantity=10, discount_percent=D("5"))]
    session.flush()
    few = service(make, make.pbx(term="yearly", activated_on=date(2025, 6, 1)), phone, quantity=9)
    many = service(make, make.pbx(term="yearly", activated_on=date(2025, 6, 1)), phone, quantity=10)
    charges.renew_day(session, date(2026, 6, 1))
    prices = {c.service_id: (c.unit_price, c.amount) for c in charged(session)}
    assert prices == {few.id: (D("100.00"), D("900.00")), many.id: (D("95.00"), D("950.00"))}


def test_a_service_whose_product_lost_its_price_for_the_term_renews_at_its_own_price(session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2026, 1, 5))
    phone = make.product(opex={"yearly": D("100.00")})  # no monthly price any more
    service(make, pbx, phone, unit_price=D("9.40"))
    charges.renew_day(session, date(2026, 2, 5))
    assert [c.unit_price for c in charged(session)] == [D("9.40")]


def test_cancelled_services_do_not_renew_suspended_ones_do_and_lifetime_pbxs_never_do(session, make):
    pbx = make.pbx(term="yearly", activated_on=date(2025, 4, 1))
    cancelled = service(make, pbx, status="cancelled")
    suspended = service(make, pbx, status="suspended")
    later = service(make, pbx, started_on=date(2026, 4, 1))  # starts on the renewal day: not a renewal
    make.pbx(term="lifetime")
    charges.renew_day(session, date(2026, 4, 1))
    renewed = {c.service_id for c in charged(session, "renewal")}
    assert renewed == {suspended.id}
    assert cancelled.id not in renewed and later.id not in renewed


def test_a_period_an_initial_charge_already_pays_for_is_not_renewed(session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2026, 1, 5))
    s = service(make, pbx, started_on=date(2026, 1, 20))
    session.add(m.Charge(partner_id=pbx.partner_id, customer_id=pbx.customer_id, pbx_id=pbx.id, service_id=s.id,
                         term="monthly", kind="initial", period_start=date(2026, 3, 5), period_end=date(2026, 4, 5),
                         quantity=1, unit_price=D("10.00"), amount=D("10.00")))
    session.flush()
    assert charges.renew_day(session, date(2026, 3, 5)).renewed == 0


# --- catching up ------------------------------------------------------------------------------


def test_the_first_run_renews_only_today_and_later_runs_catch_up_every_day_since_the_last(session, make):
    assert charges.days_to_renew(session, date(2026, 6, 10)) == [date(2026, 6, 10)]
    charges.record_run(session, date(2026, 6, 10))
    charges.record_run(session, date(2026, 6, 10))  # a second host noting the same day
    assert charges.last_run(session) == date(2026, 6, 10)
    assert charges.days_to_renew(session, date(2026, 6, 13)) == [date(2026, 6, 11), date(2026, 6, 12),
                                                                 date(2026, 6, 13)]
    assert charges.days_to_renew(session, date(2026, 6, 9)) == [date(2026, 6, 9)]  # a re-run of a past day


def test_catching_up_after_a_weeks_outage_charges_each_missed_period_once(app, make, session):
    from hwaas.cli.renew import renew_through

    partner = make.partner()
    customer = make.customer(partner)
    weekly = [make.pbx(customer, term="monthly", activated_on=date(2026, 5, d)) for d in (11, 14, 17)]
    for pbx in weekly:
        service(make, pbx, quantity=2)
    charges.record_run(session, date(2026, 6, 10))
    session.commit()

    first = renew_through(date(2026, 6, 17))
    again = renew_through(date(2026, 6, 17))

    assert [r.day for r in first] == [date(2026, 6, d) for d in range(11, 18)]
    assert [r.renewed for r in first] == [1, 0, 0, 1, 0, 0, 1]
    assert [r.day for r in again] == [date(2026, 6, 17)] and again[0].renewed == 0
    assert [c.period_start for c in charged(session, "renewal")] == [date(2026, 6, 11), date(2026, 6, 14), date(2026, 6, 17)]
    assert charges.last_run(session) == date(2026, 6, 17)


# --- cancellations (contract 11/12) ------------------------------------------------------------


@pytest.fixture
def cancellable(make):
    pbx = make.pbx(term="yearly", activated_on=date(2026, 3, 1))
    user = make.user(partner=make.session.get(m.Partner, pbx.partner_id))
    phone = make.product(opex={"yearly": D("36.60")})
    s = service(make, pbx, phone, quantity=3, started_on=date(2026, 12, 1))
    devices = [make._add(m.Device(pbx_id=pbx.id, product_id=phone.id, ownership="rented", service_id=s.id))
               for _ in range(3)]
    return pbx, user, s, devices


def cancel(session, world, quantity, fee, status="pending", effective_on=date(2027, 3, 1)):
    pbx, user, s, devices = world
    c = m.DeviceCancellation(partner_id=pbx.partner_id, pbx_id=pbx.id, service_id=s.id, effective_on=effective_on,
                             quantity=quantity, fee=fee, requested_by_id=user.id, status=status,
                             withdrawn_at=m.types.utcnow() if status == "withdrawn" else None)
    session.add(c)
    session.flush()
    for device in devices[:quantity]:
        device.cancellation_id = c.id
    session.flush()
    return c


def test_a_cancellation_effective_on_the_renewal_day_is_not_renewed_and_its_fee_is_charged_once(
        session, cancellable):
    pbx, _, s, _ = cancellable
    cancel(session, cancellable, 2, D("24.40"))
    first = charges.renew_day(session, date(2027, 3, 1))
    second = charges.renew_day(session, date(2027, 3, 1))

    assert (first.ended, first.renewed, first.fees) == (1, 1, 1)
    assert (second.ended, second.renewed, second.fees) == (0, 0, 0)
    renewal, fee = charged(session, "renewal"), charged(session, "cancellation_fee")
    assert [(c.quantity, c.amount) for c in renewal] == [(1, D("36.60"))]
    assert [(c.period_start, c.quantity, c.unit_price, c.amount) for c in fee] == [
        (date(2027, 3, 1), 2, D("3.05"), D("24.40"))]
    assert "4 month(s)" in fee[0].note
    assert session.get(m.PbxService, s.id).quantity == 1


def test_a_service_cancelled_whole_ends_instead_of_renewing(session, cancellable):
    _, _, s, _ = cancellable
    cancel(session, cancellable, 3, D("36.60"))
    result = charges.renew_day(session, date(2027, 3, 1))
    assert (result.renewed, result.fees) == (0, 1)
    assert session.get(m.PbxService, s.id).status == "cancelled"


def test_a_withdrawn_cancellation_is_never_charged_and_the_service_renews_whole(session, cancellable):
    cancel(session, cancellable, 2, D("24.40"), status="withdrawn")
    charges.renew_day(session, date(2027, 3, 1))
    assert charged(session, "cancellation_fee") == []
    assert [c.quantity for c in charged(session, "renewal")] == [3]


def test_a_cancellation_without_a_fee_writes_no_charge(session, cancellable):
    cancel(session, cancellable, 1, D("0.00"))
    assert charges.renew_day(session, date(2027, 3, 1)).fees == 0
    assert charged(session, "cancellation_fee") == []


# --- the forecast is what the job charges ------------------------------------------------------


def test_the_forecast_leaves_out_pending_cancellations_effective_by_then(session, cancellable):
    pbx, _, s, _ = cancellable
    cancel(session, cancellable, 2, D("24.40"))
    [renewal] = charges.forecast(session, [date(2027, 3, 1)])
    assert (renewal.service_id, renewal.quantity, renewal.amount) == (s.id, 1, D("36.60"))
    assert charges.next_renewals(session, [pbx], date(2026, 12, 15))[pbx.id].amount == D("36.60")


pbx_specs = st.lists(st.tuples(
    st.sampled_from(SUBSCRIPTION_TERMS),
    st.dates(date(2020, 1, 1), date(2026, 5, 31)),  # activation
    st.integers(1, 12),  # quantity
    st.sampled_from(["active", "suspended", "cancelled"]),
    st.integers(0, 12),  # devices cancelled (pending), effective on the PBX's next expiration
    st.booleans(),  # a charge already pays for the period (an initial charge)
), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=pbx_specs, day=st.dates(date(2026, 6, 1), date(2031, 6, 1)),
       discount=st.sampled_from([D("0"), D("12.5"), D("33.33")]))
def test_the_forecast_for_a_day_is_exactly_what_renew_charges_that_day_and_its_summary_agrees(session, make, specs, day, discount):
    nested = session.begin_nested()
    try:
        partner = make.partner(tier=make.tier(discount_percent=discount))
        user = make.user(partner=partner)
        customer = make.customer(partner)
        phone = make.product(opex={"monthly": D("9.99"), "yearly": D("99.95"), "five_years": D("449.49")})
        phone.bands = [m.QuantityBand(min_quantity=5, discount_percent=D("7.5"))]
        for term, activated_on, quantity, status, cancelled, paid in specs:
            pbx = make.pbx(customer, term=term, activated_on=activated_on)
            s = service(make, pbx, phone, quantity=quantity, status=status, unit_price=D("1.00"))
            expires = current_period(activated_on, term, day)[1] if activated_on <= day else None
            if cancelled and expires:
                session.add(m.DeviceCancellation(
                    partner_id=partner.id, pbx_id=pbx.id, service_id=s.id, quantity=min(cancelled, quantity),
                    effective_on=current_period(activated_on, term, day - days(1))[1] if activated_on < day
                    else expires, fee=D("5.00"), requested_by_id=user.id))
            if paid:
                start = current_period(activated_on, term, day)[0]
                session.add(m.Charge(partner_id=partner.id, customer_id=customer.id, pbx_id=pbx.id, service_id=s.id,
                                     term=term, kind="initial", period_start=start,
                                     period_end=current_period(activated_on, term, day)[1], quantity=quantity,
                                     unit_price=D("1.00"), amount=D("1.00")))
        session.flush()

        lines = charges.forecast(session, [day], partner_id=partner.id)
        forecast = [(r.service_id, r.day, r.period_end, r.quantity, r.unit_price, r.amount) for r in lines]
        # The home page's summary counts and sums the same renewals in the database.
        totals = charges.forecast_totals(session, [day], partner_id=partner.id)
        assert (totals.renewals, totals.pbxs, totals.total) == (
            len(lines), len({r.pbx_id for r in lines}), sum((r.amount for r in lines), D("0.00")))
        assert [(d.day, d.renewals) for d in totals.days] == ([(day, len(lines))] if lines else [])
        charges.renew_day(session, day)
        renewed = [(c.service_id, c.period_start, c.period_end, c.quantity, c.unit_price, c.amount)
                   for c in charged(session, "renewal")]
        assert sorted(forecast) == sorted(renewed)
    finally:
        nested.rollback()
        session.expire_all()


# --- initial charges --------------------------------------------------------------------------


def test_an_order_becoming_active_is_charged_its_lines_as_priced_at_checkout(session, make):
    pbx = make.pbx(term="yearly", activated_on=date(2020, 5, 15))
    phone = make.product(opex={"yearly": D("100.00")})
    order = make.order(pbx, lines=[(phone, 2)], ordered_on=date(2020, 8, 15))
    manager = make.staff()
    set_price(session, phone, D("150.00"))  # a later price change
    for status in ("approved", "shipped", "active"):
        orders.record_status(session, order, status, manager,
                             at=dt.datetime(2020, 8, 20, 10, tzinfo=dt.timezone.utc))

    [charge] = charged(session)
    assert (charge.kind, charge.period_start, charge.period_end, charge.quantity, charge.unit_price,
            charge.amount) == ("initial", date(2020, 8, 15), date(2021, 5, 15), 2, D("100.00"), D("149.59"))
    assert charge.amount == order.lines[0].amount and order.number in charge.note


def test_an_order_activated_after_its_pbx_renewed_is_renewed_at_activation(session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2026, 1, 10))
    phone = make.product(opex={"monthly": D("10.00")})
    order = make.order(pbx, lines=[(phone, 1)], ordered_on=date(2026, 2, 25))
    manager = make.staff()
    for status in ("approved", "shipped", "active"):
        orders.record_status(session, order, status, manager,
                             at=dt.datetime(2026, 4, 12, 10, tzinfo=dt.timezone.utc))
    assert [(c.kind, c.period_start, c.period_end) for c in charged(session)] == [
        ("initial", date(2026, 2, 25), date(2026, 3, 10)),
        ("renewal", date(2026, 3, 10), date(2026, 4, 10)),
        ("renewal", date(2026, 4, 10), date(2026, 5, 10)),
    ]


def test_a_service_without_charges_is_charged_its_current_period_once(session, make):
    pbx = make.pbx(term="yearly", activated_on=date(2024, 9, 1))
    s = service(make, pbx, quantity=2, unit_price=D("50.00"))
    late = service(make, pbx, quantity=1, unit_price=D("73.00"), started_on=date(2026, 3, 1))
    assert charges.charge_uncharged(session, date(2026, 6, 1)) == 2
    assert charges.charge_uncharged(session, date(2026, 6, 1)) == 0
    assert [(c.service_id, c.kind, c.period_start, c.period_end, c.amount) for c in charged(session)] == [
        (s.id, "initial", date(2025, 9, 1), date(2026, 9, 1), D("100.00")),
        (late.id, "initial", date(2026, 3, 1), date(2026, 9, 1), D("36.80")),  # 184 of 365 days
    ]


def test_the_first_run_of_the_job_charges_services_from_before_charges_existed_and_later_runs_do_not(
        app, make, session):
    from hwaas.cli.renew import renew_through

    pbx = make.pbx(term="yearly", activated_on=date(2024, 9, 1))
    older = service(make, pbx, quantity=2, unit_price=D("50.00"))
    session.commit()
    [first] = renew_through(date(2026, 6, 1))
    newer = service(make, pbx, quantity=1, unit_price=D("50.00"), started_on=date(2026, 6, 2))
    session.commit()
    [second] = renew_through(date(2026, 6, 2))
    assert (first.initial, second.initial) == (1, 0)
    assert [c.service_id for c in charged(session, "initial")] == [older.id] and newer.id != older.id


def test_imported_services_get_their_initial_charge(session):
    from hwaas.cli import DEMO_FILE, read_document
    from hwaas.services import importer

    importer.load(session, read_document(DEMO_FILE), date(2026, 11, 25))
    under_contract = session.scalars(select(m.PbxService.id).where(m.PbxService.status == "active")).all()
    initial = session.scalars(select(m.Charge.service_id).where(m.Charge.kind == "initial")).all()
    assert under_contract and sorted(initial) == sorted(under_contract)


# --- MRR --------------------------------------------------------------------------------------


def test_mrr_is_price_times_quantity_over_the_months_of_the_term_rounded_per_service(session, make):
    customer = make.customer()
    monthly = make.pbx(customer, term="monthly", activated_on=date(2026, 1, 5))
    yearly = make.pbx(customer, term="yearly", activated_on=date(2025, 7, 1))
    five = make.pbx(customer, term="five_years", activated_on=date(2024, 2, 10))
    service(make, monthly, quantity=3, unit_price=D("4.99"))
    service(make, yearly, quantity=1, unit_price=D("100.00"))  # 8.333… → 8.33
    service(make, yearly, quantity=1, unit_price=D("100.00"))
    service(make, five, quantity=2, unit_price=D("300.05"))  # 10.001666… → 10.00
    today = date(2026, 6, 20)
    charges.charge_uncharged(session, today)

    expected = D("14.97") + D("8.33") * 2 + D("10.00")
    assert charges.mrr_on(session, [today]) == {today: expected}
    assert charges.services_mrr(session) == expected
    by_customer = charges.mrr_on(session, [today], m.Charge.customer_id)
    assert by_customer == {(today, customer.id): expected}


def test_mrr_on_a_past_date_counts_what_was_active_then_at_its_price_then(session, make):
    pbx = make.pbx(term="monthly", activated_on=date(2026, 1, 5))
    phone = make.product(opex={"monthly": D("10.00")})
    service(make, pbx, phone, quantity=2, started_on=date(2026, 1, 5))
    charges.charge_uncharged(session, date(2026, 1, 5))
    charges.renew_day(session, date(2026, 2, 5))
    set_price(session, phone, D("12.00"))
    charges.renew_day(session, date(2026, 3, 5))

    history = dict(charges.mrr_history(session, date(2026, 3, 20), months=3))
    assert history == {
        date(2025, 12, 20): D("0.00"),
        date(2026, 1, 20): D("20.00"),
        date(2026, 2, 20): D("20.00"),
        date(2026, 3, 20): D("24.00"),
    }
    assert charges.services_mrr(session) == D("24.00")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=pbx_specs, today=st.dates(date(2026, 6, 1), date(2027, 6, 1)))
def test_once_renewed_through_today_mrr_from_charges_equals_mrr_of_the_services(session, make, specs, today):
    nested = session.begin_nested()
    try:
        customer = make.customer()
        phone = make.product()
        for term, activated_on, quantity, status, _, _ in specs:
            service(make, make.pbx(customer, term=term, activated_on=activated_on), phone, quantity=quantity,
                    status=status)
        start = today - days(35)
        charges.charge_uncharged(session, start)
        renew_days(session, start + days(1), today)
        expected = sum((monthly_recurring(s.unit_price, s.quantity, s.term)
                        for s in session.scalars(select(m.PbxService).where(m.PbxService.status != "cancelled"))),
                       D("0.00"))
        assert charges.mrr_on(session, [today])[today] == expected == charges.services_mrr(session)
    finally:
        nested.rollback()
        session.expire_all()


def test_the_next_renewal_of_a_pbx_is_its_expiration_date_and_what_its_services_will_cost(session, make):
    partner = make.partner()
    customer = make.customer(partner)
    pbx = make.pbx(customer, term="yearly", activated_on=date(2025, 5, 15))
    phone = make.product(opex={"yearly": D("100.00")})
    service(make, pbx, phone, quantity=2)
    service(make, pbx, phone, quantity=1)
    lifetime = make.pbx(customer, term="lifetime")
    nxt = charges.next_renewals(session, [pbx, lifetime], date(2026, 8, 1))
    assert list(nxt) == [pbx.id]
    assert (nxt[pbx.id].day, nxt[pbx.id].amount, len(nxt[pbx.id].services)) == (date(2027, 5, 15), D("300.00"), 2)
    assert add_months(pbx.activated_on, 24) == nxt[pbx.id].day


def test_renew_loop_renews_the_business_day_and_stops_on_sigterm(app, monkeypatch):
    import os
    import signal

    from hwaas.cli import renew as renew_cli

    days = []

    def renew_through(day):
        days.append(day)
        os.kill(os.getpid(), signal.SIGTERM)  # as a service manager stopping it
        return []

    monkeypatch.setattr(renew_cli, "renew_through", renew_through)
    monkeypatch.setitem(app.config, "HWAAS_TODAY", "2026-12-01")
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        result = app.test_cli_runner().invoke(args=["renew", "--loop", "--interval", "0.1"])
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert result.exit_code == 0, result.output
    assert days == [date(2026, 12, 1)] and "Renewing once a day" in result.output
