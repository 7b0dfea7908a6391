"""Serial numbers at shipment (DESIGN §3.8): one for every unit, with a MAC where the model has
one, in a valid format, never used twice; the shipment date not in the future; the devices
provisioned at activation carry them. Without Flask."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from hwaas import models as m
from hwaas.models.types import utcnow
from hwaas.services import carts, orders
from hwaas.services.checkout import place_order
from hwaas.services.errors import ValidationFailed
from hwaas.services.serials import normalise_mac, parse_units
from hwaas.services.tenancy import PartnerScope
from tests.ordering import GOOD, TODAY, acme

SHIPPED = TODAY + dt.timedelta(days=1)


@pytest.fixture
def world(make):
    return acme(make)


@pytest.fixture
def manager(make):
    return make.staff(role="area_manager")


@pytest.fixture
def order(session, world, manager):
    """Two desk phones (with MAC) and one DECT base (without), approved."""
    scope = PartnerScope(session, world.partner.id)
    cart, _ = carts.add_to_cart(scope, customer_id=world.customer.id, pbx_id=world.yearly.id, term="yearly",
                                quantities={world.phone.id: 2, world.dect.id: 1}, today=TODAY, now=utcnow(),
                                standing=GOOD)
    order = place_order(scope, world.user, cart.id, idempotency_key=uuid.uuid4().hex, reference="PO-1",
                        terms_accepted=True, expected_total=str(carts.quote_cart(cart).total), standing=GOOD,
                        today=TODAY, now=utcnow(), address_id=world.address.id).order
    orders.record_status(session, order, "approved", manager)
    return order


def lines(order):
    phone, dect = order.lines
    return phone, dect


def good_units(order):
    phone, dect = lines(order)
    return {phone.id: "SN-0001 00:1A:2B:3C:4D:01\nsn-0002\t001a2b3c4d02\n", dect.id: "DECT0001"}


def ship(session, order, manager, units, date=SHIPPED, today=SHIPPED):
    return orders.ship(session, order, manager, date, units=units, today=today)


def test_the_devices_provisioned_at_activation_carry_the_serials_and_macs_of_the_shipment(session, order, manager):
    ship(session, order, manager, good_units(order))
    orders.record_status(session, order, "active", manager)
    session.flush()
    devices = session.scalars(select(m.Device).where(m.Device.pbx_id == order.pbx_id).order_by(m.Device.id)).all()
    assert [(d.serial, d.mac) for d in devices] == [
        ("SN-0001", "00:1A:2B:3C:4D:01"), ("SN-0002", "00:1A:2B:3C:4D:02"), ("DECT0001", "")]
    assert {d.status for d in devices} == {"active"}


@pytest.mark.parametrize("phone_text, message", [
    ("SN-0001 00:1A:2B:3C:4D:01", "enter 2 serial numbers, one a line (1 entered)"),
    ("SN-0001 00:1A:2B:3C:4D:01\nSN-0002", "line 2: enter the serial number and the MAC address"),
    ("SN-0001 00:1A:2B:3C:4D:01\nSN 00:1A:2B:3C:4D:02", "line 2: “SN” is not a serial number"),
    ("SN-0001 00:1A:2B:3C:4D:01\nSN-0002 00:1A:2B:3C:4D", "line 2: “00:1A:2B:3C:4D” is not a MAC address"),
    ("SN-0001 00:1A:2B:3C:4D:01\nSN-0001 00:1A:2B:3C:4D:02", "SN-0001 is entered twice"),
    ("SN-0001 00:1A:2B:3C:4D:01\nSN-0002 00:1A:2B:3C:4D:01", "00:1A:2B:3C:4D:01 is entered twice"),
])
def test_a_wrong_or_missing_serial_is_refused_on_its_lines_field_and_nothing_ships(session, order, manager,
                                                                                    phone_text, message):
    phone, dect = lines(order)
    with pytest.raises(ValidationFailed) as error:
        ship(session, order, manager, {phone.id: phone_text, dect.id: "DECT0001"})
    assert message in error.value.message
    assert error.value.field == orders.units_field(phone.id)
    assert order.status == "approved"
    assert session.scalars(select(m.ShippedUnit)).all() == []


def test_a_model_without_a_mac_takes_the_serial_only(session, order, manager):
    phone, dect = lines(order)
    units = good_units(order) | {dect.id: "DECT0001 00:1A:2B:3C:4D:09"}
    with pytest.raises(ValidationFailed, match="this model has no MAC address"):
        ship(session, order, manager, units)


def test_a_serial_already_on_a_device_is_refused(session, make, world, order, manager):
    make._add(m.Device(pbx_id=world.monthly.id, product_id=world.dect.id, ownership="owned", serial="DECT0001"))
    with pytest.raises(ValidationFailed, match="DECT0001 is already recorded for another device"):
        ship(session, order, manager, good_units(order))


def test_the_shipment_date_may_not_be_in_the_future(session, order, manager):
    with pytest.raises(ValidationFailed, match="cannot be in the future") as error:
        ship(session, order, manager, good_units(order), date=SHIPPED + dt.timedelta(days=1))
    assert error.value.field == "shipment_date"


def test_the_schema_refuses_a_serial_twice(session, make, world):
    from sqlalchemy.exc import IntegrityError

    make._add(m.Device(pbx_id=world.monthly.id, product_id=world.dect.id, ownership="owned", serial="X-1234"))
    with pytest.raises(IntegrityError):
        make._add(m.Device(pbx_id=world.yearly.id, product_id=world.dect.id, ownership="owned", serial="X-1234"))


def test_devices_without_a_serial_yet_do_not_collide(session, make, world):
    for _ in range(2):
        make._add(m.Device(pbx_id=world.monthly.id, product_id=world.dect.id, ownership="owned", serial=""))


@pytest.mark.parametrize("text, mac", [
    ("00-1a-2b-3c-4d-5e", "00:1A:2B:3C:4D:5E"), ("001A.2B3C.4D5E", "00:1A:2B:3C:4D:5E"),
    ("001a2b3c4d5e", "00:1A:2B:3C:4D:5E"), ("00:1A:2B:3C:4D", None), ("00:1A:2B:3C:4D:5G", None),
])
def test_a_mac_is_accepted_in_the_usual_notations_and_stored_in_one(text, mac):
    assert normalise_mac(text) == mac


def test_units_may_be_pasted_from_a_spreadsheet_with_tabs_commas_or_blank_lines():
    units = parse_units("\nsn-1\t00:1a:2b:3c:4d:5e\r\n\nSN-2, 001A2B3C4D5F\n", 2, True, "Phone", "f")
    assert [(u.serial, u.mac) for u in units] == [("SN-1", "00:1A:2B:3C:4D:5E"), ("SN-2", "00:1A:2B:3C:4D:5F")]
