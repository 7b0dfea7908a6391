"""The partner's delivery address book: one way to check and tidy an address, an address typed
again reuses its entry (no duplicates), entries edited and deleted."""
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import update

from hwaas.models import Address, Order
from hwaas.messages import N_
from hwaas.services.errors import ValidationFailed
from hwaas.services.tenancy import PartnerScope

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_SPACES = re.compile(r"\s+")
FIELDS = ("recipient", "street", "postcode", "city", "country")


@dataclass(frozen=True)
class NewAddress:
    """An address as typed (at checkout, or editing a book entry)."""

    recipient: str
    street: str
    postcode: str
    city: str
    country: str
    label: str = ""


def book(scope: PartnerScope) -> list[Address]:
    return list(scope.session.scalars(scope.select(Address).order_by(Address.label, Address.id)))


def get(scope: PartnerScope, address_id: int) -> Address:
    return scope.get(Address, address_id)


def tidy(new: NewAddress, prefix: str = "") -> dict[str, str]:
    """The address's fields trimmed, inner whitespace collapsed, the country upper case; a missing
    field or a malformed country is refused on its form field (`prefix` + name)."""
    fields = {name: _SPACES.sub(" ", getattr(new, name)).strip() for name in FIELDS}
    fields["country"] = fields["country"].upper()
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise ValidationFailed(N_("Enter the address in full: recipient, street and number, postcode, city "
                                  "and country."), field=f"{prefix}{missing[0]}")
    if not _COUNTRY.match(fields["country"]):
        raise ValidationFailed(N_("Enter the country as a two-letter code, like IT."), field=f"{prefix}country")
    label = _SPACES.sub(" ", new.label).strip() or f"{fields['city']}, {fields['street']}"
    fields["label"] = label[:80]
    return fields


def same_place(address: Address | dict) -> tuple[str, ...]:
    """What makes two entries the same address: every field but the label, whatever the case or
    spacing ("Via  Roma 1" is "via roma 1")."""
    get = address.get if isinstance(address, dict) else lambda name: getattr(address, name)
    return tuple(_SPACES.sub(" ", get(name) or "").strip().casefold() for name in FIELDS)


def find_equal(scope: PartnerScope, fields: dict[str, str], other_than: int | None = None) -> Address | None:
    wanted = same_place(fields)
    return next((a for a in book(scope) if a.id != other_than and same_place(a) == wanted), None)


def add_or_reuse(scope: PartnerScope, new: NewAddress, now: dt.datetime, prefix: str = "") -> Address:
    """The book entry for an address typed at checkout: the existing one when the book already
    holds that address, else a new entry."""
    fields = tidy(new, prefix)
    existing = find_equal(scope, fields)
    if existing is not None:
        return existing
    address = Address(partner_id=scope.partner_id, created_at=now, **fields)
    scope.session.add(address)
    scope.session.flush()
    return address


def change(scope: PartnerScope, address_id: int, new: NewAddress) -> Address:
    """Edit an entry; orders placed to it keep the address they copied."""
    address = scope.get(Address, address_id)
    fields = tidy(new)
    twin = find_equal(scope, fields, other_than=address.id)
    if twin is not None:
        raise ValidationFailed(N_("This address is already in your address book as “%(label)s”. "
                                  "Change it, or delete one of the two entries."), field="street", label=twin.label)
    for name, value in fields.items():
        setattr(address, name, value)
    scope.session.flush()
    return address


def delete(scope: PartnerScope, address_id: int) -> Address:
    """Remove an entry from the book. Orders placed to it keep their copy of the address; they
    just stop naming the entry (SQLite does not enforce the foreign key's SET NULL: this does)."""
    address = scope.get(Address, address_id)
    scope.session.execute(
        update(Order).where(Order.partner_id == scope.partner_id, Order.delivery_address_id == address.id)
        .values(delivery_address_id=None).execution_options(synchronize_session=False))
    scope.session.delete(address)
    scope.session.flush()
    return address
