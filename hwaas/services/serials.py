"""Serial numbers and MAC addresses of shipped units: parsed from what the area manager pastes
or types, one unit a line ("SERIAL" or "SERIAL MAC"), checked for format and uniqueness."""
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hwaas.models import Device, ShippedUnit
from hwaas.models.catalogue import MAC_CATEGORIES
from hwaas.messages import N_
from hwaas.services.errors import ValidationFailed

SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")
_MAC_SEPARATORS = re.compile(r"[:.\-]")
_HEX12 = re.compile(r"^[0-9A-F]{12}$")
_SPLIT = re.compile(r"[\s,;]+")
SERIAL_RULE = "4 to 40 letters, digits or hyphens"


@dataclass(frozen=True)
class Unit:
    serial: str
    mac: str  # "AA:BB:CC:DD:EE:FF", or "" for a model without one


def normalise_mac(text: str) -> str | None:
    """'00-1a-2b-3c-4d-5e', '001A.2B3C.4D5E' or '001a2b3c4d5e' → '00:1A:2B:3C:4D:5E'; None if not a MAC."""
    digits = _MAC_SEPARATORS.sub("", text.strip().upper())
    if not _HEX12.match(digits):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def parse_units(text: str, quantity: int, has_mac: bool, what: str, field: str) -> list[Unit]:
    """The `quantity` units of one line, from text with one unit a line; ValidationFailed naming
    the line of the text that is wrong."""
    rows = [row.strip() for row in (text or "").splitlines() if row.strip()]
    if len(rows) != quantity:
        template = (N_("%(what)s: enter %(quantity)s serial number, one a line (%(entered)s entered).") if quantity == 1
                    else N_("%(what)s: enter %(quantity)s serial numbers, one a line (%(entered)s entered)."))
        raise ValidationFailed(template, field=field, what=what, quantity=quantity, entered=len(rows))
    units = []
    for number, row in enumerate(rows, 1):
        parts = _SPLIT.split(row)
        serial = parts[0].upper()
        if not SERIAL.match(serial):
            raise ValidationFailed(N_("%(what)s, line %(line)s: “%(value)s” is not a serial number "
                                      "(4 to 40 letters, digits or hyphens)."), field=field,
                                   what=what, line=number, value=parts[0][:40])
        mac = ""
        if has_mac:
            if len(parts) != 2:
                raise ValidationFailed(N_("%(what)s, line %(line)s: enter the serial number and the MAC address, "
                                          "like “SN0012345 00:1A:2B:3C:4D:5E”."),
                                       field=field, what=what, line=number)
            mac = normalise_mac(parts[1]) or ""
            if not mac:
                raise ValidationFailed(N_("%(what)s, line %(line)s: “%(value)s” is not a MAC address "
                                          "(12 hexadecimal digits)."), field=field, what=what, line=number,
                                       value=parts[1][:40])
        elif len(parts) != 1:
            raise ValidationFailed(N_("%(what)s, line %(line)s: this model has no MAC address; enter the serial "
                                      "number only."), field=field, what=what, line=number)
        units.append(Unit(serial, mac))
    return units


def model_has_mac(category: str) -> bool:
    return category in MAC_CATEGORIES


def require_unique(session: Session, units: Iterable[Unit], fields: Mapping[str, str] | None = None,
                   field: str | None = None) -> None:
    """Refuse a serial or MAC entered twice, or already on a device or a shipped unit.
    `fields` maps a serial to the form field it was entered in."""
    units = list(units)
    fields = fields or {}
    seen: dict[str, str] = {}
    for unit in units:
        for value in (unit.serial, unit.mac):
            if not value:
                continue
            if value in seen:
                raise ValidationFailed(N_("%(value)s is entered twice: every unit has its own."), value=value,
                                       field=fields.get(unit.serial, field))
            seen[value] = unit.serial
    serials = [u.serial for u in units]
    macs = [u.mac for u in units if u.mac]
    taken = set(session.scalars(select(Device.serial).where(Device.serial.in_(serials))))
    taken |= set(session.scalars(select(ShippedUnit.serial).where(ShippedUnit.serial.in_(serials))))
    if macs:
        taken |= set(session.scalars(select(Device.mac).where(Device.mac.in_(macs))))
        taken |= set(session.scalars(select(ShippedUnit.mac).where(ShippedUnit.mac.in_(macs))))
    for unit in units:
        for value in (unit.serial, unit.mac):
            if value and value in taken:
                raise ValidationFailed(N_("%(value)s is already recorded for another device: check the number."),
                                       value=value,
                                       field=fields.get(unit.serial, field))
