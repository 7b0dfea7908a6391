"""Cancellations coming into effect (DESIGN §3.8, contract 11/12 `end_effective`), without Flask."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from hwaas import models as m
from hwaas.services.cancellations import end_effective

D = Decimal
date = dt.date
EXPIRES = date(2027, 8, 25)  # the yearly PBX activated 2026-08-25 expires here


@pytest.fixture
def world(make):
    pbx = make.pbx(term="yearly", activated_on=date(2026, 8, 25))
    user = make.user(partner=make.session.get(m.Partner, pbx.partner_id))
    phone = make.product()
    service = m.PbxService(pbx_id=pbx.id, term="yearly", kind="hwaas", product_id=phone.id, quantity=3,
                           unit_price=D("36.60"), started_on=date(2027, 3, 1), status="active")
    make.session.add(service)
    make.session.flush()
    devices = [make._add(m.Device(pbx_id=pbx.id, product_id=phone.id, ownership="rented",
                                  service_id=service.id, serial=f"SN{i}")) for i in range(3)]
    return pbx, user, service, devices


def cancel(session, world, devices, effective_on=EXPIRES, fee=D("12.20")):
    pbx, user, service, _ = world
    cancellation = m.DeviceCancellation(partner_id=pbx.partner_id, pbx_id=pbx.id, service_id=service.id,
                                        effective_on=effective_on, quantity=len(devices), fee=fee,
                                        requested_by_id=user.id)
    session.add(cancellation)
    session.flush()
    for device in devices:
        device.cancellation_id = cancellation.id
    session.flush()
    return cancellation


def state(session, world):
    session.expire_all()
    pbx, user, service, devices = world
    service = session.get(m.PbxService, service.id)
    return (service.quantity, service.status,
            [session.scalar(select(m.Device.status).where(m.Device.id == d.id)) for d in devices])


def test_nothing_is_ended_before_the_effective_date(session, world):
    cancel(session, world, world[3][:1])
    assert end_effective(session, EXPIRES - dt.timedelta(days=1)) == []
    assert state(session, world) == (3, "active", ["active", "active", "active"])


def test_on_the_effective_date_the_devices_are_returned_and_the_service_shrinks(session, world):
    cancellation = cancel(session, world, world[3][:2])
    ended = end_effective(session, EXPIRES)
    assert [(e.id, e.service_id, e.effective_on, e.quantity, e.fee) for e in ended] == [
        (cancellation.id, world[2].id, EXPIRES, 2, D("12.20"))]
    assert state(session, world) == (1, "active", ["returned", "returned", "active"])
    assert session.get(m.DeviceCancellation, cancellation.id).status == "effective"


def test_cancelling_every_device_cancels_the_service_and_keeps_its_last_quantity(session, world):
    cancel(session, world, world[3])
    end_effective(session, EXPIRES)
    assert state(session, world) == (3, "cancelled", ["returned", "returned", "returned"])


def test_two_cancellations_of_one_service_end_together(session, world):
    cancel(session, world, world[3][:1])
    cancel(session, world, world[3][1:2])
    assert len(end_effective(session, EXPIRES)) == 2
    assert state(session, world) == (1, "active", ["returned", "returned", "active"])


def test_a_run_after_a_missed_day_ends_what_came_due_meanwhile(session, world):
    cancel(session, world, world[3][:1])
    assert len(end_effective(session, EXPIRES + dt.timedelta(days=3))) == 1


def test_a_second_run_ends_nothing_more(session, world):
    cancel(session, world, world[3][:2])
    end_effective(session, EXPIRES)
    assert end_effective(session, EXPIRES) == []
    assert state(session, world) == (1, "active", ["returned", "returned", "active"])


def test_a_withdrawn_cancellation_never_ends(session, world):
    from hwaas.models.types import utcnow

    cancellation = cancel(session, world, world[3][:1])
    cancellation.status, cancellation.withdrawn_at = "withdrawn", utcnow()
    for device in world[3][:1]:
        device.cancellation_id = None
    session.flush()
    assert end_effective(session, EXPIRES) == []
    assert state(session, world) == (3, "active", ["active", "active", "active"])


def test_the_schema_refuses_a_cancellation_of_no_devices_or_with_a_negative_fee(session, world):
    from sqlalchemy.exc import IntegrityError

    for bad in ({"quantity": 0}, {"fee": D("-0.01")}, {"status": "done"}):
        pbx, user, service, _ = world
        row = m.DeviceCancellation(**{"partner_id": pbx.partner_id, "pbx_id": pbx.id, "service_id": service.id,
                                      "effective_on": EXPIRES, "quantity": 1, "fee": D("0.00"),
                                      "requested_by_id": user.id, **bad})
        with session.begin_nested():
            session.add(row)
            with pytest.raises(IntegrityError):
                session.flush()
