"""Carts (DESIGN §3.2–3.3, §3.7): tier prices, proration to the PBX's expiry, one live cart per
PBX and duration, re-pricing that says what changed, quantity bands. No web client here."""
import datetime as dt
from decimal import Decimal

import pytest

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import carts
from hwaas.services.errors import (
    NotASubscription, NotFound, ReadOnlyAccount, StaleCart, TermMismatch, ValidationFailed,
)
from hwaas.services.tenancy import PartnerScope
from tests.ordering import BLOCKED, GOOD, READ_ONLY, TODAY, acme

D = Decimal
date = dt.date


@pytest.fixture
def world(make):
    return acme(make)


def scope_of(session, world):
    return PartnerScope(session, world.partner.id)


def add(session, world, pbx=None, term=None, quantities=None, today=TODAY, standing=GOOD):
    pbx = pbx or world.yearly
    cart, _ = carts.add_to_cart(
        scope_of(session, world), customer_id=pbx.customer_id, pbx_id=pbx.id, term=term or pbx.term,
        quantities=quantities or {world.phone.id: 2}, today=today, now=utcnow(), standing=standing)
    return cart


# --- pricing a new cart ------------------------------------------------------------------------


def test_a_line_costs_the_opex_price_for_the_term_less_the_tier_discount(session, world):
    cart = add(session, world)
    assert [(l.product_id, l.quantity, l.unit_price) for l in cart.lines] == [(world.phone.id, 2, D("90.00"))]
    assert cart.priced_on == TODAY and cart.status == "open" and cart.term == "yearly"


def test_the_quote_is_prorated_from_today_to_the_pbx_expiration_date(session, world):
    quote = carts.quote_cart(add(session, world))
    (line,) = quote.lines
    assert line.quote.full_price == D("180.00")
    assert line.quote.period_label == "2026-11-25 → 2027-08-25, 273 of 365 days"
    assert line.quote.amount == D("134.63")  # 180 × 273 / 365 = 134.6301…
    assert quote.total == D("134.63") and quote.items == 2


def test_the_total_is_the_sum_of_lines_rounded_one_by_one(session, world):
    quote = carts.quote_cart(add(session, world, quantities={world.phone.id: 1, world.dect.id: 1}))
    amounts = [q.quote.amount for q in quote.lines]
    assert amounts == [D("67.32"), D("134.63")]  # 90 × 273/365 = 67.315… ; 180 × 273/365
    assert quote.total == sum(amounts)


def test_a_monthly_pbx_activated_on_the_31st_runs_to_the_last_day_of_february(session, make, world):
    cart = add(session, world, pbx=world.monthly, quantities={world.phone.id: 1}, today=date(2026, 2, 10))
    (line,) = carts.quote_cart(cart).lines
    assert (line.quote.start, line.quote.expires) == (date(2026, 1, 31), date(2026, 2, 28))
    assert line.quote.period_label == "2026-02-10 → 2026-02-28, 18 of 28 days"
    assert line.quote.amount == D("5.79")  # 9.00 × 18/28 = 5.7857…


def test_a_yearly_pbx_activated_on_29_february_renews_on_28_february(session, make, world):
    pbx = make.pbx(world.customer, term="yearly", activated_on=date(2024, 2, 29))
    cart = add(session, world, pbx=pbx, quantities={world.phone.id: 1}, today=date(2025, 3, 1))
    (line,) = carts.quote_cart(cart).lines
    assert (line.quote.start, line.quote.expires) == (date(2025, 2, 28), date(2026, 2, 28))
    assert (line.quote.days, line.quote.period_days) == (364, 365)
    assert line.quote.amount == D("89.75")  # 90 × 364/365 = 89.7534…


def test_a_five_year_term_is_priced_over_the_whole_five_year_period(session, world):
    cart = add(session, world, pbx=world.five_years, quantities={world.phone.id: 1})
    (line,) = carts.quote_cart(cart).lines
    assert line.quote.unit_price == D("405.00")  # 450 less 10 %
    assert (line.quote.start, line.quote.expires) == (date(2024, 6, 30), date(2029, 6, 30))
    assert (line.quote.days, line.quote.period_days) == (948, 1826)
    assert line.quote.amount == D("210.26")  # 405 × 948/1826 = 210.2628…


def test_ordering_on_the_expiration_date_charges_the_next_period_in_full(session, make, world):
    pbx = make.pbx(world.customer, term="yearly", activated_on=date(2025, 11, 25))
    (line,) = carts.quote_cart(add(session, world, pbx=pbx, quantities={world.phone.id: 1})).lines
    assert line.quote.period_label == "2026-11-25 → 2027-11-25, 365 of 365 days"
    assert line.quote.amount == D("90.00")


def test_an_amount_of_exactly_half_a_cent_rounds_up(session, make):
    tier = make.tier(discount_percent=D("0"))
    partner = make.partner(tier=tier)
    customer = make.customer(partner)
    pbx = make.pbx(customer, term="monthly", activated_on=date(2026, 11, 1))  # Nov: 30 days
    product = make.product(opex={"monthly": D("10.01")})
    cart, _ = carts.add_to_cart(PartnerScope(session, partner.id), customer_id=customer.id, pbx_id=pbx.id,
                                term="monthly", quantities={product.id: 1}, today=date(2026, 11, 16),
                                now=utcnow(), standing=GOOD)
    (line,) = carts.quote_cart(cart).lines
    assert (line.quote.days, line.quote.period_days) == (15, 30)
    assert line.quote.amount == D("5.01")  # 10.01 × 15/30 = 5.005 exactly


# --- what may go in a cart -------------------------------------------------------------------


def test_a_pbx_whose_term_differs_from_the_duration_is_refused(session, world):
    with pytest.raises(TermMismatch) as refused:
        add(session, world, pbx=world.yearly, term="monthly")
    assert "One year term" in refused.value.message and "One month" in refused.value.message


def test_a_lifetime_pbx_is_refused_whatever_the_duration(session, world):
    for term in ("yearly", "lifetime"):
        with pytest.raises(NotASubscription):
            add(session, world, pbx=world.lifetime, term=term)


def test_an_unknown_duration_is_refused(session, world):
    with pytest.raises(ValidationFailed) as refused:
        add(session, world, term="weekly")
    assert refused.value.field == "term"


def test_a_pbx_of_another_partner_is_not_found(session, make, world):
    other = make.pbx(make.customer(), term="yearly")
    with pytest.raises(NotFound):
        carts.add_to_cart(scope_of(session, world), customer_id=world.customer.id, pbx_id=other.id, term="yearly",
                          quantities={world.phone.id: 1}, today=TODAY, now=utcnow(), standing=GOOD)


def test_a_pbx_of_another_customer_of_the_same_partner_is_not_found(session, make, world):
    sibling = make.pbx(make.customer(world.partner), term="yearly")
    with pytest.raises(NotFound):
        carts.add_to_cart(scope_of(session, world), customer_id=world.customer.id, pbx_id=sibling.id,
                          term="yearly", quantities={world.phone.id: 1}, today=TODAY, now=utcnow(), standing=GOOD)


def test_a_pbx_not_yet_activated_is_refused_with_its_activation_date(session, make, world):
    pbx = make.pbx(world.customer, term="yearly", activated_on=date(2026, 12, 1))
    with pytest.raises(ValidationFailed) as refused:
        add(session, world, pbx=pbx)
    assert "2026-12-01" in refused.value.message


def test_at_least_one_quantity_is_needed(session, world):
    with pytest.raises(ValidationFailed) as refused:
        add(session, world, quantities={world.phone.id: 0})
    assert refused.value.message == "Enter a quantity for at least one product."


@pytest.mark.parametrize("quantity", [-1, 1000])
def test_a_quantity_outside_1_to_999_is_refused(session, world, quantity):
    with pytest.raises(ValidationFailed) as refused:
        add(session, world, quantities={world.phone.id: quantity})
    assert refused.value.field == f"qty_{world.phone.id}"


def test_a_product_without_a_price_for_the_term_is_refused(session, make, world):
    yearly_only = make.product(opex={"yearly": D("50.00")})
    with pytest.raises(ValidationFailed):
        add(session, world, pbx=world.monthly, quantities={yearly_only.id: 1}, today=date(2026, 2, 10))


def test_an_inactive_product_is_refused(session, make, world):
    retired = make.product(active=False)
    with pytest.raises(ValidationFailed):
        add(session, world, quantities={retired.id: 1})


def test_a_line_cannot_grow_past_999(session, world):
    add(session, world, quantities={world.phone.id: 998})
    with pytest.raises(ValidationFailed) as refused:
        add(session, world, quantities={world.phone.id: 2})
    assert "already holds 998" in refused.value.message


# --- one live cart per PBX and duration, many per partner --------------------------------------


def test_adding_again_for_the_same_pbx_adds_to_the_same_cart_and_line(session, world):
    first = add(session, world)
    second = add(session, world, quantities={world.phone.id: 3, world.dect.id: 1})
    assert first.id == second.id
    assert sorted((l.product_id, l.quantity) for l in second.lines) == [(world.phone.id, 5), (world.dect.id, 1)]


def test_each_pbx_gets_its_own_cart(session, world):
    yearly = add(session, world)
    five = add(session, world, pbx=world.five_years)
    assert yearly.id != five.id
    assert len(carts.live_carts(scope_of(session, world))) == 2


def test_carts_of_another_partner_are_not_listed_nor_found(session, make, world):
    cart = add(session, world)
    stranger = PartnerScope(session, make.partner().id)
    assert carts.live_carts(stranger) == []
    with pytest.raises(NotFound):
        carts.get_cart(stranger, cart.id)


# --- changing a cart ---------------------------------------------------------------------------


def test_changing_the_quantity_changes_the_line_and_the_total(session, world):
    cart = add(session, world)
    carts.set_quantity(scope_of(session, world), cart.id, cart.lines[0].id, 4, today=TODAY, now=utcnow(),
                       standing=GOOD)
    assert carts.quote_cart(cart).total == D("269.26")  # 360 × 273/365 = 269.2602…


@pytest.mark.parametrize("quantity", [0, 1000, -2])
def test_a_quantity_change_outside_1_to_999_is_refused(session, world, quantity):
    cart = add(session, world)
    with pytest.raises(ValidationFailed):
        carts.set_quantity(scope_of(session, world), cart.id, cart.lines[0].id, quantity, today=TODAY,
                           now=utcnow(), standing=GOOD)
    assert cart.lines[0].quantity == 2


def test_a_line_of_another_cart_is_not_found(session, world):
    cart = add(session, world)
    other = add(session, world, pbx=world.five_years)
    with pytest.raises(NotFound):
        carts.set_quantity(scope_of(session, world), cart.id, other.lines[0].id, 1, today=TODAY, now=utcnow(),
                           standing=GOOD)


def test_removing_a_line_leaves_the_others(session, world):
    cart = add(session, world, quantities={world.phone.id: 1, world.dect.id: 1})
    _, name = carts.remove_line(scope_of(session, world), cart.id, cart.lines[0].id, today=TODAY, now=utcnow(),
                                standing=GOOD)
    assert name == "Yealink T54W"
    assert [l.product_id for l in cart.lines] == [world.dect.id]


def test_save_keeps_the_cart_under_saved_carts(session, world):
    cart = add(session, world)
    carts.save(scope_of(session, world), cart.id, now=utcnow(), standing=GOOD)
    assert cart.status == "saved" and cart.saved_at is not None
    assert [q.cart.id for q in carts.live_carts(scope_of(session, world)) if q.cart.status == "saved"] == [cart.id]


def test_an_empty_cart_cannot_be_saved(session, world):
    cart = add(session, world)
    carts.remove_line(scope_of(session, world), cart.id, cart.lines[0].id, today=TODAY, now=utcnow(), standing=GOOD)
    with pytest.raises(ValidationFailed):
        carts.save(scope_of(session, world), cart.id, now=utcnow(), standing=GOOD)


def test_a_read_only_partner_cannot_change_carts(session, world):
    cart = add(session, world)
    s = scope_of(session, world)
    for change in (
        lambda: add(session, world, standing=READ_ONLY),
        lambda: carts.set_quantity(s, cart.id, cart.lines[0].id, 3, today=TODAY, now=utcnow(), standing=READ_ONLY),
        lambda: carts.remove_line(s, cart.id, cart.lines[0].id, today=TODAY, now=utcnow(), standing=READ_ONLY),
        lambda: carts.save(s, cart.id, now=utcnow(), standing=READ_ONLY),
        lambda: carts.reopen(s, cart.id, today=TODAY, now=utcnow(), standing=READ_ONLY),
        lambda: carts.recalculate(s, cart.id, today=TODAY, now=utcnow(), standing=READ_ONLY),
        lambda: carts.discard(s, cart.id, standing=READ_ONLY),
    ):
        with pytest.raises(ReadOnlyAccount):
            change()


def test_a_partner_blocked_from_ordering_hardware_can_still_build_a_cart(session, world):
    cart = add(session, world, standing=BLOCKED)
    carts.save(scope_of(session, world), cart.id, now=utcnow(), standing=BLOCKED)
    assert cart.status == "saved"


# --- re-pricing on another day ---------------------------------------------------------------


def test_a_cart_priced_on_an_earlier_day_cannot_change_until_reopened(session, world):
    cart = add(session, world)
    with pytest.raises(StaleCart) as refused:
        carts.set_quantity(scope_of(session, world), cart.id, cart.lines[0].id, 3, today=TODAY + dt.timedelta(days=1),
                           now=utcnow(), standing=GOOD)
    assert "priced for 2026-11-25" in refused.value.message


def test_reopening_the_next_day_reprices_and_says_what_changed(session, world):
    cart = add(session, world)
    carts.save(scope_of(session, world), cart.id, now=utcnow(), standing=GOOD)
    _, repricing = carts.reopen(scope_of(session, world), cart.id, today=date(2026, 11, 26), now=utcnow(),
                                standing=GOOD)
    assert cart.priced_on == date(2026, 11, 26)
    assert repricing.message == (
        "Prices were recalculated for 2026-11-26: the period is now 2026-11-26 → 2027-08-25, 272 of 365 days; "
        "Yealink T54W 134.63 → 134.14.")
    assert cart.status == "saved"  # still kept under saved carts


def test_reopening_on_the_same_day_changes_nothing(session, world):
    cart = add(session, world)
    _, repricing = carts.reopen(scope_of(session, world), cart.id, today=TODAY, now=utcnow(), standing=GOOD)
    assert not repricing.changed
    assert repricing.message == "Prices for 2026-11-25 are unchanged."


def test_reopening_after_the_pbx_renewed_prices_the_new_period(session, world):
    cart = add(session, world)
    _, repricing = carts.reopen(scope_of(session, world), cart.id, today=date(2027, 8, 25), now=utcnow(),
                                standing=GOOD)
    (line,) = carts.quote_cart(cart).lines
    assert line.quote.period_label == "2027-08-25 → 2028-08-25, 366 of 366 days"
    assert line.quote.amount == D("180.00")
    assert "the PBX renewed on 2027-08-25" in repricing.message


def test_reopening_uses_the_catalogue_in_force(session, world):
    cart = add(session, world)
    world.phone.prices[1].opex_price = D("80.00")  # yearly (prices are ordered by term)
    assert world.phone.prices[1].term == "yearly"
    session.flush()
    _, repricing = carts.reopen(scope_of(session, world), cart.id, today=TODAY, now=utcnow(), standing=GOOD)
    assert cart.lines[0].unit_price == D("72.00")
    assert repricing.message == "Prices were recalculated for 2026-11-25: Yealink T54W 134.63 → 107.70."


def test_reopening_removes_a_product_no_longer_offered_and_says_so(session, world):
    cart = add(session, world, quantities={world.phone.id: 1, world.dect.id: 1})
    world.dect.active = False
    session.flush()
    _, repricing = carts.reopen(scope_of(session, world), cart.id, today=TODAY, now=utcnow(), standing=GOOD)
    assert [l.product_id for l in cart.lines] == [world.phone.id]
    assert "Gigaset N670 DECT is no longer offered for this Duration and was removed" in repricing.message


# --- Save & Recalculate: quantity bands --------------------------------------------------------


def test_save_and_recalculate_applies_the_quantity_band_reached(session, world):
    world.phone.bands = [m.QuantityBand(min_quantity=5, discount_percent=D("5")),
                         m.QuantityBand(min_quantity=10, discount_percent=D("10"))]
    session.flush()
    cart = add(session, world, quantities={world.phone.id: 10, world.dect.id: 1})
    _, repricing = carts.recalculate(scope_of(session, world), cart.id, today=TODAY, now=utcnow(), standing=GOOD)
    phone, dect = cart.lines
    assert phone.unit_price == D("81.00")  # 90 less 10 %
    assert dect.unit_price == D("180.00")  # no band
    assert cart.bands_applied and cart.status == "saved"
    assert repricing.message == (
        "Prices were recalculated with the quantity discounts of the catalogue: Yealink T54W 673.15 → 605.84.")


def test_after_recalculating_a_quantity_change_follows_the_bands(session, world):
    world.phone.bands = [m.QuantityBand(min_quantity=5, discount_percent=D("5"))]
    session.flush()
    cart = add(session, world, quantities={world.phone.id: 5})
    s = scope_of(session, world)
    carts.recalculate(s, cart.id, today=TODAY, now=utcnow(), standing=GOOD)
    assert cart.lines[0].unit_price == D("85.50")
    carts.set_quantity(s, cart.id, cart.lines[0].id, 2, today=TODAY, now=utcnow(), standing=GOOD)
    assert cart.lines[0].unit_price == D("90.00")


def test_recalculating_without_a_band_reached_says_nothing_changed(session, world):
    cart = add(session, world)
    _, repricing = carts.recalculate(scope_of(session, world), cart.id, today=TODAY, now=utcnow(), standing=GOOD)
    assert repricing.message == "Prices were recalculated with the quantity discounts of the catalogue: nothing changed."
