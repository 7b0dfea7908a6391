"""A PBX's services and devices as the partner sees them (DESIGN §3.8), and the rules shared by
Replace and Cancel: which devices may be chosen together."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from hwaas.models import (
    Customer, Device, DeviceCancellation, Pbx, PbxService, ReplacementItem, ReplacementRequest,
    ReplacementStatusChange,
)
from hwaas.messages import N_
from hwaas.models.replacements import OPEN_REPLACEMENT_STATUSES
from hwaas.services import pricing
from hwaas.services.errors import NotFound, ValidationFailed
from hwaas.services.phrasing import said
from hwaas.services.tenancy import PartnerScope

ZERO = Decimal("0.00")
MAX_ID = 2**31 - 1  # ids are INTEGER columns on every database
KIND_LABELS = {"hwaas": "HWaaS", "classound": "CLASSOUND"}
SERVICE_STATUS_LABELS = {"active": N_("Active"), "suspended": N_("Suspended"), "cancelled": N_("Cancelled")}
DEVICE_STATE_LABELS = {"active": N_("Active"), "replacement": N_("Replacement requested"), "returned": N_("Returned")}
CANCELLATION_PENDING = N_("Cancellation pending (ends on %(date)s)")


@dataclass(frozen=True)
class ServiceRow:
    service: PbxService
    expires: dt.date  # the PBX's expiration date: every service co-terminates with it
    mrr: Decimal

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.service.kind]

    @property
    def status_label(self) -> str:
        return SERVICE_STATUS_LABELS[self.service.status]


@dataclass(frozen=True)
class DeviceRow:
    device: Device
    state: str  # active, replacement, cancellation, returned
    ends_on: dt.date | None = None  # a pending cancellation's effective date

    @property
    def status_label(self) -> str:
        """In English; a page shows `status_template` (with the date for a pending cancellation) in its language."""
        return self.status_template % {"date": self.ends_on.isoformat()} if self.ends_on else self.status_template

    @property
    def status_template(self) -> str:
        return CANCELLATION_PENDING if self.state == "cancellation" else DEVICE_STATE_LABELS[self.state]

    @property
    def selectable(self) -> bool:
        """May be put in a new Replace or Cancel request."""
        return self.state == "active" and self.device.ownership == "rented"


@dataclass(frozen=True)
class PbxDevices:
    pbx: Pbx
    customer: Customer
    today: dt.date
    expires: dt.date | None  # None: a lifetime PBX has no expiration date
    services: list[ServiceRow]
    devices: list[DeviceRow]
    replacements: list[ReplacementRequest]
    cancellations: list[DeviceCancellation]

    @property
    def mrr(self) -> Decimal:
        return sum((row.mrr for row in self.services if row.service.status == "active"), ZERO)

    @property
    def has_classound(self) -> bool:
        return any(r.service.kind == "classound" and r.service.status != "cancelled" for r in self.services)

    @property
    def selectable(self) -> list[DeviceRow]:
        return [row for row in self.devices if row.selectable]


def get_pbx(scope: PartnerScope, pbx_id: int) -> Pbx:
    pbx = scope.session.scalar(scope.select(Pbx).where(Pbx.id == pbx_id).options(joinedload(Pbx.customer)))
    if pbx is None:
        raise NotFound("No such PBX.")
    return pbx


def pbx_expires(pbx: Pbx, today: dt.date) -> dt.date | None:
    """The PBX's expiration date today (that of its first period before it starts); None for a
    lifetime PBX, which does not expire."""
    if not pbx.is_subscription:
        return None
    return pricing.expiration_date(pbx.activated_on, pbx.term, max(today, pbx.activated_on))


def pbx_page(scope: PartnerScope, pbx_id: int, today: dt.date) -> PbxDevices:
    """Everything the PBX's page shows, in five queries however many devices and requests."""
    session = scope.session
    pbx = get_pbx(scope, pbx_id)
    expires = pbx_expires(pbx, today)
    services = session.scalars(select(PbxService).where(PbxService.pbx_id == pbx.id)
                               .options(joinedload(PbxService.product)).order_by(PbxService.id)).all()
    devices = session.scalars(select(Device).where(Device.pbx_id == pbx.id)
                              .options(joinedload(Device.product), joinedload(Device.cancellation))
                              .order_by(Device.id)).all()
    cancellations = session.scalars(
        scope.select(DeviceCancellation).where(DeviceCancellation.pbx_id == pbx.id)
        .options(joinedload(DeviceCancellation.service).joinedload(PbxService.product))
        .order_by(DeviceCancellation.id.desc())).all()
    replacements = session.scalars(
        scope.select(ReplacementRequest).where(ReplacementRequest.pbx_id == pbx.id)
        .options(joinedload(ReplacementRequest.product),
                 joinedload(ReplacementRequest.items).joinedload(ReplacementItem.device),
                 joinedload(ReplacementRequest.items).joinedload(ReplacementItem.new_device),
                 joinedload(ReplacementRequest.history).joinedload(ReplacementStatusChange.changed_by))
        .order_by(ReplacementRequest.id.desc())).unique().all()
    replacing = {item.device_id for r in replacements if r.status in OPEN_REPLACEMENT_STATUSES
                 for item in r.items if item.open}
    rows = []
    for device in devices:
        pending = device.cancellation is not None and device.cancellation.status == "pending"
        if device.status == "returned":
            rows.append(DeviceRow(device, "returned"))
        elif pending:
            rows.append(DeviceRow(device, "cancellation", device.cancellation.effective_on))
        elif device.id in replacing:
            rows.append(DeviceRow(device, "replacement"))
        else:
            rows.append(DeviceRow(device, "active"))
    service_rows = [ServiceRow(s, expires, pricing.monthly_recurring(s.unit_price, s.quantity, s.term)
                               if s.status == "active" else ZERO) for s in services]
    return PbxDevices(pbx=pbx, customer=pbx.customer, today=today, expires=expires, services=service_rows,
                      devices=rows, replacements=list(replacements), cancellations=list(cancellations))


# --- choosing devices for a request -----------------------------------------------------------


def parse_ids(values) -> list[int]:
    """Device ids from a form's checkboxes; anything else is not a device of this PBX."""
    ids = []
    for value in values or ():
        text = str(value).strip()
        # ASCII digits naming an INTEGER id only: "²" or 400 digits are not a device (a 404), never a 500.
        if not (text.isascii() and text.isdecimal()) or len(text) > 10 or not 0 < int(text) <= MAX_ID:
            raise NotFound("No such device.")
        ids.append(int(text))
    return sorted(set(ids))


def chosen_devices(scope: PartnerScope, pbx: Pbx, device_ids, action: str) -> list[Device]:
    """The devices chosen on `pbx`, each rented, on the PBX and in no open request.

    A device that is not on this partner's PBX is not found (404), whoever's it is."""
    ids = parse_ids(device_ids)
    if not ids:
        raise ValidationFailed(CHOOSE_DEVICES[action], field="devices")
    session = scope.session
    devices = session.scalars(select(Device).where(Device.id.in_(ids), Device.pbx_id == pbx.id)
                              .options(joinedload(Device.product)).order_by(Device.id)).all()
    if len(devices) != len(ids):
        raise NotFound("No such device.")
    for device in devices:
        if device.ownership != "rented":
            raise ValidationFailed(NOT_RENTED[action], field="devices", device=_name(device))
        if device.status != "active":
            raise ValidationFailed(N_("%(device)s has been returned already."), field="devices", device=_name(device))
    busy = open_request_device_ids(scope, [d.id for d in devices])
    for device in devices:
        if device.id not in busy:
            continue
        if busy[device.id] is None:
            raise ValidationFailed(N_("%(device)s is already in an open request (Cancellation pending); "
                                      "a device can be in one request at a time."), field="devices",
                                   device=_name(device))
        raise ValidationFailed(N_("%(device)s is already in an open request (replacement %(number)s); "
                                  "a device can be in one request at a time."), field="devices",
                               device=_name(device), number=busy[device.id])
    return list(devices)


# What a refused choice says, for each action (one sentence each, so each translates whole).
CHOOSE_DEVICES = {"replace": N_("Choose the devices to replace."), "cancel": N_("Choose the devices to cancel.")}
NOT_RENTED = {
    "replace": N_("%(device)s is owned by the customer, not rented: only rented devices can be replaced here."),
    "cancel": N_("%(device)s is owned by the customer, not rented: only rented devices can be cancelled here."),
}


def open_request_device_ids(scope: PartnerScope, device_ids: list[int]) -> dict[int, str | None]:
    """device id → the open request it is in: None for a pending cancellation, the number of an
    open replacement (RR-000012)."""
    session = scope.session
    busy: dict[int, str | None] = {device_id: None for device_id in session.scalars(
        select(Device.id).join(DeviceCancellation, DeviceCancellation.id == Device.cancellation_id)
        .where(Device.id.in_(device_ids), DeviceCancellation.status == "pending"))}
    for device_id, request_id in session.execute(
            select(ReplacementItem.device_id, ReplacementItem.request_id)
            .where(ReplacementItem.device_id.in_(device_ids), ReplacementItem.open.is_(True))):
        busy[device_id] = f"RR-{request_id:06d}"
    return busy


def _name(device: Device) -> str:
    return f"{device.product.name} {device.serial}".strip()


# --- Order CLASSOUND: what each PBX of a customer is offered ----------------------------------


@dataclass(frozen=True)
class ClassoundOffer:
    pbx: Pbx
    reason: str | None  # why it cannot be ordered, in the reader's language; None when it can
    quote: pricing.LineQuote | None  # one CLASSOUND for that PBX, prorated for today

    @property
    def available(self) -> bool:
        return self.reason is None


def classound_offers(scope: PartnerScope, customer_id: int, today: dt.date) -> tuple[Customer, list[ClassoundOffer]]:
    """Each PBX of the customer with CLASSOUND's price for its term prorated to its expiry, or the
    reason it is not offered (lifetime, not yet active, already has or has ordered it)."""
    from hwaas.services import carts, catalogue
    from hwaas.services.errors import DomainError

    customer = scope.get(Customer, customer_id)
    pbxs = scope.session.scalars(scope.select(Pbx).where(Pbx.customer_id == customer.id).order_by(Pbx.name, Pbx.id))
    discount = catalogue.partner_discount(scope.session, scope.partner_id)
    offers = []
    for pbx in pbxs:
        try:
            carts.require_classound_orderable(scope, pbx, today)
        except DomainError as error:
            offers.append(ClassoundOffer(pbx, error.message, None))
            continue
        product = carts.classound_product(scope.session, pbx.term)
        if product is None:
            offers.append(ClassoundOffer(pbx, said(N_("CLASSOUND is not offered for %(term)s."),
                                                   term=pricing.term_label(pbx.term)), None))
            continue
        price = catalogue.unit_price(product, pbx.term, discount)
        offers.append(ClassoundOffer(pbx, None, pricing.quote_line(price, 1, pbx.activated_on, pbx.term, today)))
    return customer, offers


@dataclass(frozen=True)
class PbxHeader:
    """What a page's header names: the PBX and its customer (already loaded with it)."""

    pbx: Pbx

    @property
    def customer(self) -> Customer:
        return self.pbx.customer
