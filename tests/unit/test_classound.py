"""Ordering CLASSOUND (DESIGN §3.4.1): a service of one subscription PBX, co-terminating and
prorated like HWaaS, one per PBX, without agreement, stock, address or Shipped step."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import carts, orders
from hwaas.services.checkout import blockers, place_order
from hwaas.services.errors import NotASubscription, ValidationFailed
from hwaas.services.pricing import expiration_date
from hwaas.services.tenancy import PartnerScope
from tests.ordering import BLOCKED, GOOD, READ_ONLY, acme

D = Decimal
ORDERED = dt.date(2020, 8, 10)


@pytest.fixture
def world(make):
    world = acme(make, agreement=False)  # CLASSOUND needs no agreement
    world.seed_pbx = make.pbx(world.customer, term="yearly", activated_on=dt.date(2020, 5, 15), name="seed.example")
    world.classound = make.product(name="CLASSOUND", sku="CLS-1", category="classound", stock=0, opex={
        "monthly": D("10.00"), "yearly": D("100.00"), "five_years": D("450.00")})
    return world


@pytest.fixture
def scope(session, world):
    return PartnerScope(session, world.partner.id)


def add(scope, world, pbx=None, today=ORDERED, standing=GOOD):
    return carts.add_classound(scope, pbx_id=(pbx or world.seed_pbx).id, today=today, now=utcnow(),
                               standing=standing)


def place(scope, world, cart, today=ORDERED, standing=GOOD):
    return place_order(scope, world.user, cart.id, idempotency_key=uuid.uuid4().hex, reference="PO-CLS",
                       terms_accepted=True, expected_total=str(carts.quote_cart(cart).total), standing=standing,
                       today=today, now=utcnow()).order


def test_the_seeds_example_expires_with_the_pbx_and_costs_278_of_365_days_of_the_yearly_price(scope, world):
    cart = add(scope, world)
    quote = carts.quote_cart(cart)
    [line] = quote.lines
    assert (line.line.product_id, line.line.quantity, cart.term) == (world.classound.id, 1, "yearly")
    assert (line.quote.on, line.quote.expires) == (ORDERED, dt.date(2021, 5, 15))
    assert (line.quote.days, line.quote.period_days) == (278, 365)
    assert line.quote.amount == D("68.55")  # 90.00 (Gold, 10 % off 100.00) × 278 / 365 = 68.547…


def test_checkout_needs_no_agreement_no_address_and_takes_no_stock(session, scope, world):
    cart = add(scope, world)
    assert blockers(scope, cart, GOOD, ORDERED) == []
    order = place(scope, world, cart)
    assert order.status == "awaiting_approval"
    assert order.delivery_street == "" and order.delivery_country == ""
    session.expire_all()
    assert world.classound.stock == 0


def test_an_overdue_partner_blocked_from_hardware_may_still_order_classound(scope, world):
    cart = add(scope, world, standing=BLOCKED)
    assert place(scope, world, cart, standing=BLOCKED).status == "awaiting_approval"


def test_a_read_only_partner_cannot_order_it(scope, world):
    from hwaas.services.errors import ReadOnlyAccount

    with pytest.raises(ReadOnlyAccount):
        add(scope, world, standing=READ_ONLY)


def test_approved_classound_goes_straight_to_active_without_a_shipped_step(session, scope, world, make):
    order = place(scope, world, add(scope, world))
    manager = make.staff()
    assert orders.allowed_transitions("approved", orders.needs_shipping(order)) == ("active", "cancelled")
    orders.record_status(session, order, "approved", manager)
    orders.record_status(session, order, "active", manager)
    [service] = session.scalars(select(m.PbxService).where(m.PbxService.order_id == order.id)).all()
    assert (service.kind, service.term, service.quantity, service.started_on) == ("classound", "yearly", 1, ORDERED)
    assert session.scalars(select(m.Device).where(m.Device.pbx_id == world.seed_pbx.id)).all() == []
    pbx = world.seed_pbx
    assert expiration_date(pbx.activated_on, pbx.term, ORDERED) == dt.date(2021, 5, 15)


def test_a_second_classound_is_refused_while_in_the_cart_once_ordered_and_once_active(session, scope, world, make):
    cart = add(scope, world)
    with pytest.raises(ValidationFailed, match="already in its cart"):
        add(scope, world)
    order = place(scope, world, cart)
    with pytest.raises(ValidationFailed, match=f"already ordered \\({order.number}\\)"):
        add(scope, world)
    manager = make.staff()
    orders.record_status(session, order, "approved", manager)
    orders.record_status(session, order, "active", manager)
    with pytest.raises(ValidationFailed, match="already has CLASSOUND"):
        add(scope, world)


def test_its_quantity_stays_one(scope, world):
    cart = add(scope, world)
    with pytest.raises(ValidationFailed, match="one per PBX"):
        carts.set_quantity(scope, cart.id, cart.lines[0].id, 2, today=ORDERED, now=utcnow(), standing=GOOD)


def test_the_schema_refuses_two_active_classound_services_on_one_pbx(session, world):
    def service():
        return m.PbxService(pbx_id=world.seed_pbx.id, term="yearly", kind="classound", product_id=world.classound.id,
                            quantity=1, unit_price=D("90.00"), started_on=ORDERED, status="active")
    session.add(service())
    session.flush()
    with session.begin_nested():
        session.add(service())
        with pytest.raises(IntegrityError):
            session.flush()


def test_a_cancelled_classound_may_be_ordered_again(session, scope, world):
    session.add(m.PbxService(pbx_id=world.seed_pbx.id, term="yearly", kind="classound", product_id=world.classound.id,
                             quantity=1, unit_price=D("90.00"), started_on=ORDERED, status="cancelled"))
    session.flush()
    assert add(scope, world).lines[0].product_id == world.classound.id


def test_a_lifetime_pbx_is_not_offered_classound_with_the_reason(scope, world):
    with pytest.raises(NotASubscription, match="Lifetime licence, which is not a subscription"):
        add(scope, world, pbx=world.lifetime)


def test_classound_with_devices_in_one_cart_is_hardware_and_needs_the_agreement(scope, world):
    from hwaas.services.errors import AgreementMissing

    cart = add(scope, world)
    carts.add_to_cart(scope, customer_id=world.customer.id, pbx_id=world.seed_pbx.id, term="yearly",
                      quantities={world.phone.id: 1}, today=ORDERED, now=utcnow(), standing=GOOD)
    assert any(isinstance(b, AgreementMissing) for b in blockers(scope, cart, GOOD, ORDERED))


def test_repricing_a_cart_keeps_its_classound_line(scope, world):
    cart = add(scope, world)
    cart, _ = carts.reopen(scope, cart.id, today=ORDERED + dt.timedelta(days=1), now=utcnow(), standing=GOOD)
    assert [line.product_id for line in cart.lines] == [world.classound.id]
