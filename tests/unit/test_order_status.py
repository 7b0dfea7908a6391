"""The order status machine (DESIGN §3.8): legal moves only, a history row with every move, and
what moves do besides: stock back on rejection or cancellation, devices on the PBX when active."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import carts, orders, partner_orders
from hwaas.services.checkout import place_order
from hwaas.services.errors import InvalidTransition, ValidationFailed
from hwaas.services.tenancy import PartnerScope
from tests.ordering import GOOD, TODAY, acme, serials_for


@pytest.fixture
def world(make):
    return acme(make)


@pytest.fixture
def order(session, world):
    scope = PartnerScope(session, world.partner.id)
    cart, _ = carts.add_to_cart(scope, customer_id=world.customer.id, pbx_id=world.yearly.id, term="yearly",
                                quantities={world.phone.id: 2, world.dect.id: 1}, today=TODAY, now=utcnow(),
                                standing=GOOD)
    return place_order(scope, world.user, cart.id, idempotency_key=uuid.uuid4().hex, reference="PO-1",
                       terms_accepted=True, expected_total=str(carts.quote_cart(cart).total), standing=GOOD,
                       today=TODAY, now=utcnow(), address_id=world.address.id).order


@pytest.fixture
def manager(make):
    return make.staff(role="area_manager", name="Anna Manager")


def path(order):
    return [(h.from_status, h.to_status) for h in order.history]


@pytest.mark.parametrize("status, allowed", [
    (None, ("awaiting_approval",)),
    ("awaiting_approval", ("approved", "rejected", "cancelled")),
    ("approved", ("shipped", "cancelled")),
    ("shipped", ("active",)),
    ("rejected", ()), ("active", ()), ("cancelled", ()),
])
def test_the_machine_allows_exactly_the_moves_of_the_design(status, allowed):
    assert orders.allowed_transitions(status) == allowed


def test_every_move_writes_who_when_from_and_to(session, order, manager):
    orders.record_status(session, order, "approved", manager, note="Agreement approved.")
    orders.ship(session, order, manager, TODAY + dt.timedelta(days=2), units=serials_for(session, order),
                today=TODAY + dt.timedelta(days=2))
    orders.record_status(session, order, "active", manager)
    assert path(order) == [(None, "awaiting_approval"), ("awaiting_approval", "approved"),
                           ("approved", "shipped"), ("shipped", "active")]
    assert [h.changed_by_id for h in order.history][1:] == [manager.id] * 3
    assert order.history[1].note == "Agreement approved."
    assert all(h.changed_at is not None for h in order.history)
    assert order.shipment_date == TODAY + dt.timedelta(days=2)


@pytest.mark.parametrize("moves, illegal", [
    ([], "shipped"),
    ([], "active"),
    (["rejected"], "approved"),
    (["approved", "shipped"], "cancelled"),
    (["cancelled"], "awaiting_approval"),
])
def test_an_illegal_move_raises_and_changes_nothing(session, order, manager, moves, illegal):
    for to in moves:
        orders.record_status(session, order, to, manager)
    before = (order.status, len(order.history))
    with pytest.raises(InvalidTransition):
        orders.record_status(session, order, illegal, manager)
    assert (order.status, len(order.history)) == before


def test_the_change_and_its_history_row_are_one_transaction(session, order, manager):
    session.commit()
    orders.record_status(session, order, "approved", manager)
    session.rollback()
    assert order.status == "awaiting_approval" and len(order.history) == 1


def test_shipping_needs_a_date_not_before_the_order(session, order, manager):
    orders.record_status(session, order, "approved", manager)
    with pytest.raises(ValidationFailed):
        orders.ship(session, order, manager, TODAY - dt.timedelta(days=1), units=serials_for(session, order),
                    today=TODAY)
    assert order.status == "approved"


@pytest.mark.parametrize("moves", [["rejected"], ["cancelled"], ["approved", "cancelled"]])
def test_rejecting_or_cancelling_gives_the_reserved_stock_back(session, world, order, manager, moves):
    session.expire_all()
    assert (world.phone.stock, world.dect.stock) == (3, -1)
    for to in moves:
        orders.record_status(session, order, to, manager)
    session.expire_all()
    assert (world.phone.stock, world.dect.stock) == (5, 0)


def test_an_active_order_puts_rented_devices_on_the_pbx_with_its_term(session, world, order, manager):
    for to in ("approved", "shipped", "active"):
        if to == "shipped":
            orders.ship(session, order, manager, TODAY, units=serials_for(session, order), today=TODAY)
        else:
            orders.record_status(session, order, to, manager)
    services = session.scalars(select(m.PbxService).where(m.PbxService.order_id == order.id)).all()
    assert sorted((s.product_id, s.quantity, s.term, s.kind, s.started_on, s.unit_price) for s in services) == sorted([
        (world.phone.id, 2, "yearly", "hwaas", TODAY, order.lines[0].unit_price),
        (world.dect.id, 1, "yearly", "hwaas", TODAY, order.lines[1].unit_price),
    ])
    devices = session.scalars(select(m.Device).where(m.Device.pbx_id == world.yearly.id)).all()
    assert sorted(d.product_id for d in devices) == sorted([world.phone.id, world.phone.id, world.dect.id])
    assert {d.ownership for d in devices} == {"rented"} and all(d.service_id for d in devices)


def test_provisioning_twice_adds_nothing(session, order):
    first = orders.provision(session, order)
    session.flush()
    assert len(first) == 2
    assert orders.provision(session, order) == []


def test_the_partner_may_cancel_while_awaiting_approval(session, world, order):
    scope = PartnerScope(session, world.partner.id)
    assert partner_orders.partner_actions(order) == [("cancelled", "Cancel")]
    partner_orders.cancel(scope, world.user, order.id, "Ordered by mistake.")
    assert path(order)[-1] == ("awaiting_approval", "cancelled")
    assert order.history[-1].note == "Ordered by mistake."


def test_the_partner_cannot_cancel_a_shipped_order(session, world, order, manager):
    orders.record_status(session, order, "approved", manager)
    orders.ship(session, order, manager, TODAY, units=serials_for(session, order), today=TODAY)
    assert partner_orders.partner_actions(order) == []
    with pytest.raises(InvalidTransition):
        partner_orders.cancel(PartnerScope(session, world.partner.id), world.user, order.id)


def test_the_order_list_filters_by_status_and_stays_within_the_partner(session, make, world, order, manager):
    other = make.order()  # another partner's
    scope = PartnerScope(session, world.partner.id)
    assert [o.id for o in partner_orders.list_orders(scope, None, 1, 20).items] == [order.id]
    assert partner_orders.list_orders(scope, "approved", 1, 20).items == []
    orders.record_status(session, order, "approved", manager)
    assert [o.id for o in partner_orders.list_orders(scope, "approved", 1, 20).items] == [order.id]
    assert other.id not in [o.id for o in partner_orders.list_orders(scope, None, 1, 20).items]


def test_a_partner_cancelling_their_order_is_mailed_to_the_area_manager(session, make, world, order):
    area_manager = make.staff(role="area_manager", email="anna@vendor.example")
    world.partner.area_manager_id = area_manager.id
    session.flush()
    partner_orders.cancel(PartnerScope(session, world.partner.id), world.user, order.id, "Ordered twice.")
    [mail] = session.scalars(select(m.OutboxMail).where(m.OutboxMail.to == "anna@vendor.example")).all()
    assert mail.subject == f"Order {order.number} cancelled by Demo Partner: Acme Srl"
    assert "was Awaiting approval" in mail.body and "Ordered twice." in mail.body
