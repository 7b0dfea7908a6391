"""Importing pending cancellations and open replacement requests with the devices of a PBX
(docs/import-format.md): validated with everything else, nothing changed on error."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select

from hwaas.models import Device, DeviceCancellation, ReplacementRequest
from hwaas.services.importer import load
from tests.unit.test_importer import TODAY, base_doc, demo, demo_data, problems_of  # noqa: F401 (fixtures)

D = Decimal


def doc_with(**line):
    doc = base_doc()
    doc["customers"][0]["pbxs"][0]["devices"][0].update(line)
    return doc


def test_a_line_may_carry_a_pending_cancellation_and_an_open_replacement(session):
    report = load(session, doc_with(cancelled=1, replacement={"quantity": 2, "reason": "faulty"}), TODAY)
    assert (report.created["cancellations"], report.created["replacement_requests"]) == (1, 1)
    [cancellation] = session.scalars(select(DeviceCancellation)).all()
    # yearly PBX activated today-30d (2026-03-01): expires 2027-03-01; 12 months run, no fee
    assert (cancellation.status, cancellation.quantity, cancellation.effective_on, cancellation.fee) == (
        "pending", 1, dt.date(2027, 3, 1), D("0.00"))
    [request] = session.scalars(select(ReplacementRequest)).all()
    assert (request.status, request.reason, len(request.items), request.delivery_city) == (
        "requested", "faulty", 2, "Milano")
    rented = session.scalars(select(Device).where(Device.ownership == "rented").order_by(Device.id)).all()
    assert [d.cancellation_id is not None for d in rented] == [False, False, True]
    assert [i.device_id for i in request.items] == [rented[0].id, rented[1].id]


def test_more_cancelled_and_replaced_than_the_line_holds_is_refused_and_nothing_changes(session):
    problems = problems_of(session, doc_with(cancelled=2, replacement={"quantity": 2, "reason": "damaged"}))
    assert any("exceed the line's quantity 3" in p for p in problems)
    assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_owned_devices_cannot_be_cancelled_or_replaced(session):
    doc = base_doc()
    doc["customers"][0]["pbxs"][0]["devices"][1]["cancelled"] = 1
    assert any("only rented devices" in p for p in problems_of(session, doc))


def test_a_replacement_names_a_known_reason_at_most_5_devices_and_other_needs_a_note(session):
    problems = problems_of(session, doc_with(quantity=9, replacement={"quantity": 6, "reason": "other"}))
    assert any("quantity 6 must be between 1 and 5" in p for p in problems)
    assert any('reason "other" needs a note' in p for p in problems)


def test_requests_need_a_user_of_the_partner(session):
    doc = doc_with(cancelled=1)
    doc["users"] = [u for u in doc["users"] if u["role"] != "partner"]
    assert any("need a user of partner" in p for p in problems_of(session, doc))


def test_the_demo_shows_off_serials_one_open_replacement_and_one_pending_cancellation(demo):
    session = demo
    serials = session.scalars(select(Device.serial).where(Device.ownership == "rented")).all()
    assert serials and all(serials) and len(set(serials)) == len(serials)
    assert [r.status for r in session.scalars(select(ReplacementRequest))] == ["requested"]
    [cancellation] = session.scalars(select(DeviceCancellation)).all()
    assert cancellation.status == "pending" and cancellation.fee > 0
