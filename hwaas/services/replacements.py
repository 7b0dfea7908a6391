"""Replacement requests (DESIGN §3.8): the partner asks, the area manager approves or rejects,
ships new devices (serials) and completes the request when the old ones are back. The new device
takes over the same service, term, price and expiry; nothing is charged."""
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from hwaas.models import (
    Customer, Device, Partner, Pbx, ReplacementItem, ReplacementRequest, ReplacementStatusChange, User,
)
from hwaas.messages import N_
from hwaas.models.replacements import MAX_REPLACED_DEVICES, REPLACEMENT_REASONS, REPLACEMENT_STATUSES
from hwaas.models.types import utcnow
from hwaas.services import device_mails, devices as device_rules, overdue, serials
from hwaas.services.checkout import NewAddress, delivery_address
from hwaas.services.errors import InvalidTransition, NotFound, ValidationFailed
from hwaas.services.phrasing import Phrase
from hwaas.services.tenancy import PartnerScope

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "requested": ("approved", "rejected"),
    "approved": ("shipped",),
    "shipped": ("completed",),
    "rejected": (),
    "completed": (),
}
# Form action → the status it moves to, and its button.
ACTIONS = {"approve": "approved", "reject": "rejected", "ship": "shipped", "complete": "completed"}
ACTION_LABELS = {"approve": N_("Approve"), "reject": N_("Reject"), "ship": N_("Ship"), "complete": N_("Complete")}
UNITS_FIELD = "serials"


# --- the partner's side ------------------------------------------------------------------------


def request_replacement(
    scope: PartnerScope, user: User, pbx_id: int, device_ids, reason: str, note: str, *,
    standing: overdue.Standing, now: dt.datetime, address_id: int | None = None,
    new_address: NewAddress | None = None, url: str | None = None,
) -> ReplacementRequest:
    """Ask for up to 5 devices of one model on one PBX to be replaced, with a reason and a
    delivery address; mailed to the area manager."""
    overdue.check_can_order_hardware(standing)  # a replacement ships hardware
    pbx = device_rules.get_pbx(scope, pbx_id)
    ids = device_rules.parse_ids(device_ids)
    if len(ids) > MAX_REPLACED_DEVICES:
        raise ValidationFailed(N_("Choose at most %(max)s devices for one replacement request (%(chosen)s chosen); "
                                  "make another request for the others."), field="devices",
                               max=MAX_REPLACED_DEVICES, chosen=len(ids))
    chosen = device_rules.chosen_devices(scope, pbx, ids, "replace")
    if len({d.product_id for d in chosen}) != 1:
        raise ValidationFailed(N_("Choose devices of one model: each model is replaced in its own request."),
                               field="devices")
    if reason not in REPLACEMENT_REASONS:
        raise ValidationFailed(N_("Choose the reason: Faulty, Damaged or Other."), field="reason")
    note = (note or "").strip()
    if reason == "other" and not note:
        raise ValidationFailed(N_("Say what is wrong with the devices."), field="note")
    if len(note) > 500:
        raise ValidationFailed(NOTE_TOO_LONG, field="note", max=500)
    address = delivery_address(scope, address_id, new_address, now)
    session = scope.session
    request = ReplacementRequest(
        partner_id=scope.partner_id, pbx_id=pbx.id, product_id=chosen[0].product_id, reason=reason, note=note,
        status="requested", delivery_recipient=address.recipient, delivery_street=address.street,
        delivery_postcode=address.postcode, delivery_city=address.city, delivery_country=address.country,
        requested_by_id=user.id, requested_at=now,
        items=[ReplacementItem(device_id=d.id, open=True) for d in chosen],
        history=[ReplacementStatusChange(from_status=None, to_status="requested", changed_by_id=user.id,
                                         changed_at=now, note=note)],
    )
    session.add(request)
    session.flush()  # the unique index on open items refuses a device put in two requests at once
    partner = session.get(Partner, scope.partner_id)
    device_mails.replacement_requested(session, request, partner, user, url, now)
    return request


def partner_request(scope: PartnerScope, request_id: int) -> ReplacementRequest:
    request = scope.session.scalar(scope.select(ReplacementRequest).where(ReplacementRequest.id == request_id)
                                   .options(*_detail_options()))
    if request is None:
        raise NotFound("No such replacement request.")
    return request


def _detail_options():
    return (joinedload(ReplacementRequest.pbx).joinedload(Pbx.customer).joinedload(Customer.partner),
            joinedload(ReplacementRequest.product), joinedload(ReplacementRequest.requested_by),
            selectinload(ReplacementRequest.items).joinedload(ReplacementItem.device),
            selectinload(ReplacementRequest.items).joinedload(ReplacementItem.new_device),
            selectinload(ReplacementRequest.history).joinedload(ReplacementStatusChange.changed_by))


# --- the area manager's side -------------------------------------------------------------------

FILTERS = {"requested": N_("Requested"), "approved": N_("Approved"), "shipped": N_("Shipped"),
           "completed": N_("Completed"), "rejected": N_("Rejected"), "all": N_("All")}
NOTE_TOO_LONG = N_("The note can be at most %(max)s characters.")


def manager_list(mscope, status: str = "requested") -> list[ReplacementRequest]:
    """The requests of the manager's partners with one status, oldest first while they wait."""
    query = mscope.select(ReplacementRequest).options(
        joinedload(ReplacementRequest.pbx).joinedload(Pbx.customer).joinedload(Customer.partner),
        joinedload(ReplacementRequest.product), selectinload(ReplacementRequest.items))
    if status in REPLACEMENT_STATUSES:
        query = query.where(ReplacementRequest.status == status)
    return list(mscope.session.scalars(query.order_by(ReplacementRequest.id)))


@dataclass(frozen=True)
class ManagerDetail:
    request: ReplacementRequest
    actions: list[tuple[str, str]]  # (form action, button label)
    has_mac: bool


def manager_detail(mscope, request_id: int) -> ManagerDetail:
    request = mscope.session.scalar(mscope.select(ReplacementRequest).where(ReplacementRequest.id == request_id)
                                    .options(*_detail_options()))
    if request is None:
        raise NotFound("No such replacement request.")
    allowed = TRANSITIONS[request.status]
    return ManagerDetail(request, [(a, ACTION_LABELS[a]) for a, to in ACTIONS.items() if to in allowed],
                         serials.model_has_mac(request.product.category))


def change_status(
    mscope, request_id: int, action: str, note: str = "", *, today: dt.date, now: dt.datetime | None = None,
    shipment_date: dt.date | None = None, units: str = "", url: str | None = None,
) -> ReplacementStatusChange:
    """Move the request on the manager's behalf, and mail the partner."""
    now = now or utcnow()
    session = mscope.session
    request = manager_detail(mscope, request_id).request
    to_status = ACTIONS.get(action)
    if to_status is None:
        raise ValidationFailed(N_("Choose what to do with the request."), field="action")
    if to_status not in TRANSITIONS[request.status]:
        raise InvalidTransition(N_("A request that is %(status)s cannot become %(to)s."), field="action",
                                status=Phrase(request.status_label), to=Phrase(REPLACEMENT_STATUSES[to_status]))
    note = (note or "").strip()
    if to_status == "rejected" and not note:
        raise ValidationFailed(N_("Enter the reason for rejecting the request; the partner will see it."),
                               field="note")
    if len(note) > 500:
        raise ValidationFailed(NOTE_TOO_LONG, field="note", max=500)
    if to_status == "shipped":
        _ship(session, request, shipment_date, units, today)
    elif to_status == "completed":
        _complete(session, request)
    elif to_status == "rejected":
        for item in request.items:
            item.open = False
    # The guarded UPDATE: two managers (or two tabs) moving one request make one change.
    moved = session.execute(update(ReplacementRequest)
                            .where(ReplacementRequest.id == request.id, ReplacementRequest.status == request.status)
                            .values(status=to_status).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise InvalidTransition(N_("The request changed meanwhile; reload the page."), field="action")
    change = ReplacementStatusChange(from_status=request.status, to_status=to_status,
                                     changed_by_id=mscope.user.id, changed_at=now, note=note)
    request.history.append(change)
    session.flush()
    session.expire(request, ["status"])
    device_mails.replacement_changed(session, request, request.pbx.customer.partner, change, url, now)
    return change


def _ship(session, request: ReplacementRequest, shipment_date: dt.date | None, units: str, today: dt.date) -> None:
    """New devices, with their serials, take over the old ones' service (same term, price, expiry)."""
    if shipment_date is None:
        raise ValidationFailed(N_("Enter the shipment date."), field="shipment_date")
    if shipment_date > today:
        raise ValidationFailed(N_("The shipment date cannot be in the future."), field="shipment_date")
    parsed = serials.parse_units(units, len(request.items), serials.model_has_mac(request.product.category),
                                 request.product.name, UNITS_FIELD)
    serials.require_unique(session, parsed, field=UNITS_FIELD)
    for item, unit in zip(request.items, parsed):
        old = item.device
        item.new_device = Device(pbx_id=old.pbx_id, product_id=old.product_id, ownership="rented",
                                 service_id=old.service_id, serial=unit.serial, mac=unit.mac)
    request.shipment_date = shipment_date


def _complete(session, request: ReplacementRequest) -> None:
    """The old devices are back: they are returned, and free for no other request."""
    ids = [item.device_id for item in request.items]
    session.execute(update(Device).where(Device.id.in_(ids)).values(status="returned")
                    .execution_options(synchronize_session=False))
    for item in request.items:
        item.open = False
        session.expire(item.device, ["status"])
