"""Data import: validate a whole JSON document, then write it in one go (docs/import-format.md).

All or nothing: every problem in the file is collected and reported together before anything is
written; the caller commits (or rolls back). Records are matched by natural key, so importing the
same file twice changes nothing the second time.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.security import check_password_hash

from hwaas.messages import N_
from hwaas.models import (
    Address,
    Cart,
    CatalogueVersion,
    Customer,
    Device,
    DeviceCancellation,
    Invoice,
    Order,
    Partner,
    Pbx,
    PbxService,
    PriceTier,
    Product,
    ProductPrice,
    QuantityBand,
    ReplacementItem,
    ReplacementRequest,
    ReplacementStatusChange,
    User,
)
from hwaas.models.catalogue import CATEGORIES, MAC_CATEGORIES
from hwaas.models.partners import ROLES, TEAM_ROLES
from hwaas.models.replacements import MAX_REPLACED_DEVICES, REPLACEMENT_REASONS
from hwaas.models.types import utcnow
from hwaas.services import charges, pricing
from hwaas.services.accounts import hash_password, revoke_sessions
from hwaas.services import errors
from hwaas.services.errors import ValidationFailed
from hwaas.services.passwords import password_problems

FORMAT_VERSION = 1
TERMS = pricing.TERMS
SUBSCRIPTION_TERMS = pricing.SUBSCRIPTION_TERMS
OWNERSHIPS = ("rented", "owned")
KINDS = (
    "price_tiers", "products", "users", "partners", "addresses",
    "customers", "pbxs", "services", "devices", "cancellations", "replacement_requests", "invoices",
)
KIND_LABELS = {
    "price_tiers": N_("price tiers"), "products": N_("products"), "users": N_("users"), "partners": N_("partners"),
    "addresses": N_("addresses"), "customers": N_("customers"), "pbxs": N_("PBXs"), "services": N_("services"),
    "devices": N_("devices"), "cancellations": N_("cancellations"),
    "replacement_requests": N_("replacement requests"), "invoices": N_("invoices"),
}
TOP_LEVEL_KEYS = ("version", "price_tiers", "products", "users", "partners", "customers", "invoices")
MAX_QUANTITY = 10_000
CENT = Decimal("0.01")
_CHUNK = 500  # rows per IN (...) list: well under every database's parameter limit

_MONEY_RE = re.compile(r"-?\d{1,10}(?:\.\d{1,2})?")
_PERCENT_RE = re.compile(r"\d{1,3}(?:\.\d{1,2})?")
_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RELATIVE_DATE_RE = re.compile(r"today(?:([+-])(\d{1,6})([dmy]))?")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")


class Phrase(str):
    """A phrase inside an import problem (a JSON type's name, how to write a date), N_-marked:
    the English as a str, `message` in the reader's language."""

    @property
    def message(self) -> str:
        return errors.render(self, {})


class Sentences(str):
    """Sentences inside an import problem (a password's problems): the English as a str,
    `message` in the reader's language."""

    def __new__(cls, parts, separator: str = " "):
        sentences = super().__new__(cls, separator.join(parts))
        sentences.parts, sentences.separator = list(parts), separator
        return sentences

    @property
    def message(self) -> str:
        return self.separator.join(getattr(part, "message", part) for part in self.parts)


class ImportProblem(str):
    """One problem of an import file: where it is in the document and what is wrong, as an N_-marked
    English template and its params. The str is the English line (the CLI prints it); `message` is
    the line in the reader's language (the admin's upload shows it)."""

    def __new__(cls, where: tuple[str, ...], template: str, params: dict):
        problem = super().__new__(cls, ": ".join((*where, errors.fill(template, params, "en"))))
        problem.where, problem.template, problem.params = where, template, params
        return problem

    @property
    def message(self) -> str:
        shown = {name: getattr(value, "message", value) for name, value in self.params.items()}
        return ": ".join((*self.where, errors.render(self.template, shown)))


DATE_HELP = Phrase(N_("use YYYY-MM-DD or today, today-90d, today+5d, today-3m"))


class _Sentinel:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING: Any = _Sentinel("MISSING")  # the key is absent: keep the current value (or the default)
BAD: Any = _Sentinel("BAD")  # the value was invalid; a problem has been recorded


# --- the report ------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, per kind of record."""

    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    notes: list[str] = field(default_factory=list)
    catalogue_version_id: int | None = None

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def lines(self) -> list[str]:
        width = max(len(label) for label in KIND_LABELS.values())
        lines = [
            f"{KIND_LABELS[kind]:<{width}}  {self.created[kind]:>6} created  {self.updated[kind]:>6} updated"
            for kind in KINDS
        ]
        if self.catalogue_version_id is not None:
            lines.append(f"catalogue version {self.catalogue_version_id} recorded")
        return lines + self.notes

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def summary(self) -> str:
        """One sentence: what changed, per kind of record (English as a str, `.message` in the
        reader's language)."""
        parts = [ImportProblem((), N_("%(kind)s: %(created)s created, %(updated)s updated"),
                               {"kind": Phrase(KIND_LABELS[kind]), "created": self.created[kind],
                                "updated": self.updated[kind]})
                 for kind in KINDS if self.created[kind] or self.updated[kind]]
        return Sentences(parts, "; ") if parts else Phrase(N_("nothing changed"))


# --- the document ----------------------------------------------------------------------------


def parse_document(raw: bytes, max_bytes: int | None = None) -> Any:
    """An import file's bytes as JSON, the same for the CLI and the admin's upload: UTF-8, valid
    JSON, and no key repeated inside one object (JSON would silently keep the last). Raises
    ValidationFailed (field "file") saying what is wrong; nothing is imported then."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise ValidationFailed(N_("The file is larger than %(megabytes)s MB."), field="file",
                               megabytes=max_bytes // (1024 * 1024))
    repeated: list[str] = []

    def no_repeated_keys(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        return dict(pairs)

    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=no_repeated_keys)
    except UnicodeDecodeError as error:
        raise ValidationFailed(N_("The file is not UTF-8 text (%(reason)s). Nothing was imported."),
                               field="file", reason=error.reason) from None
    except json.JSONDecodeError as error:
        raise ValidationFailed(N_("The file is not valid JSON: %(error)s at line %(line)s, column %(column)s. "
                                  "Nothing was imported."), field="file", error=error.msg, line=error.lineno,
                               column=error.colno) from None
    if repeated:
        keys = ", ".join(f'"{key}"' for key in dict.fromkeys(repeated))
        raise ValidationFailed(N_("A key appears twice inside one object (%(keys)s); JSON would keep only the "
                                  "last. Nothing was imported."), field="file", keys=keys)
    return data


def load_upload(session: Session, raw: bytes, max_bytes: int, today: dt.date) -> ImportReport:
    """An uploaded import file, parsed and loaded like `flask import-data` does it. A value the
    database refuses (a NUL character on PostgreSQL, perhaps) is a refusal, never a 500."""
    data = parse_document(raw, max_bytes)
    try:
        report = load(session, data, today)
        session.flush()
    except SQLAlchemyError:
        raise ValidationFailed(N_("The database refused the file's data (a control character in a text, "
                                  "perhaps), so nothing was imported."), field="file") from None
    return report


# --- dates -----------------------------------------------------------------------------------


def resolve_date(value: str, today: dt.date) -> dt.date:
    """An ISO date, or a date relative to `today`: today, today-90d, today+5d, today-3m, today+1y.

    Months (and years) move with `pricing.add_months`, so today-1m from 31 March is the last day
    of February. Raises ValueError for anything else.
    """
    match = _RELATIVE_DATE_RE.fullmatch(value)
    try:
        if match:
            sign, amount, unit = match.groups()
            if sign is None:
                return today
            n = int(amount) * (-1 if sign == "-" else 1)
            if unit == "d":
                return today + dt.timedelta(days=n)
            return pricing.add_months(today, n * (12 if unit == "y" else 1))
        if _ISO_DATE_RE.fullmatch(value):
            return dt.date.fromisoformat(value)
    except (OverflowError, ValueError):
        pass
    raise ValueError(f"not a date: {value!r}")


# --- parsed records --------------------------------------------------------------------------


@dataclass
class _TierIn:
    where: tuple[str, ...]
    name: Any
    discount: Any


@dataclass
class _BandIn:
    where: tuple[str, ...]
    min_quantity: Any
    discount: Any


@dataclass
class _ProductIn:
    where: tuple[str, ...]
    sku: Any
    name: Any
    category: Any
    description: Any
    capex: Any
    stock: Any
    active: Any
    prices: Any  # {term: Decimal} or BAD
    bands: Any  # list[_BandIn], MISSING or BAD


@dataclass
class _UserIn:
    where: tuple[str, ...]
    email: Any
    name: Any
    role: Any
    partner: Any
    password: Any
    password_hash: Any
    active: Any
    team_role: Any = MISSING


@dataclass
class _AddressIn:
    where: tuple[str, ...]
    label: Any
    recipient: Any
    street: Any
    postcode: Any
    city: Any
    country: Any


@dataclass
class _PartnerIn:
    where: tuple[str, ...]
    name: Any
    tier: Any
    area_manager: Any
    email: Any
    addresses: list[_AddressIn]


@dataclass
class _ReplacementIn:
    where: tuple[str, ...]
    quantity: Any
    reason: Any
    note: Any


@dataclass
class _DeviceIn:
    where: tuple[str, ...]
    sku: Any
    ownership: Any
    quantity: Any
    cancelled: Any = 0  # devices of the line with a pending cancellation
    replacement: _ReplacementIn | None = None  # an open replacement request for some of them


@dataclass
class _PbxIn:
    where: tuple[str, ...]
    name: Any
    term: Any
    activated_on: Any
    classound: Any
    devices: list[_DeviceIn]
    existing: Pbx | None = None
    import_equipment: bool = True


@dataclass
class _CustomerIn:
    where: tuple[str, ...]
    partner: Any
    name: Any
    vat_number: Any
    city: Any
    email: Any
    pbxs: list[_PbxIn]


@dataclass
class _InvoiceIn:
    where: tuple[str, ...]
    partner: Any
    number: Any
    issued_on: Any
    due_on: Any
    amount: Any
    paid_on: Any


def _ok(*values: Any) -> bool:
    return all(v is not BAD and v is not MISSING for v in values)


def _type_name(value: Any) -> str:
    if value is None:
        return Phrase("null")
    if isinstance(value, bool):
        return Phrase("true/false")
    if isinstance(value, (int, float, Decimal)):
        return Phrase(N_("a number"))
    if isinstance(value, str):
        return Phrase(N_("a string"))
    if isinstance(value, list):
        return Phrase(N_("a list"))
    if isinstance(value, dict):
        return Phrase(N_("an object"))
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, (float, Decimal)):
        return str(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class _Problems:
    """The problems found so far, listed in document order whichever check found them."""

    def __init__(self):
        self._items: list[ImportProblem] = []
        self._order: dict[tuple[str, ...], int] = {}

    def register(self, where: tuple[str, ...]) -> None:
        self._order.setdefault(where, len(self._order))

    def add(self, where: tuple[str, ...], template: str, **params) -> None:
        self.register(where)
        self._items.append(ImportProblem(where, template, params))

    def __bool__(self) -> bool:
        return bool(self._items)

    def messages(self) -> list[ImportProblem]:
        items = sorted(enumerate(self._items), key=lambda item: (self._order[item[1].where], item[0]))
        return [problem for _, problem in items]


class _Fields:
    """Reads the fields of one JSON object, recording a problem for each bad one."""

    def __init__(self, problems: _Problems, where: tuple[str, ...], record: dict, allowed: Iterable[str]):
        self.problems = problems
        self.where = where
        problems.register(where)
        self.record = record
        allowed = tuple(allowed)
        for key in record:
            if key not in allowed and not key.startswith("_"):
                self.error(N_('unknown key "%(key)s" (known keys: %(known)s)'), key=key, known=", ".join(allowed))

    def error(self, template: str, **params) -> None:
        self.problems.add(self.where, template, **params)

    def _get(self, key: str, required: bool, nullable: bool) -> Any:
        value = self.record.get(key, MISSING)
        if value is MISSING:
            if required:
                self.error(N_("%(key)s is required"), key=key)
                return BAD
            return MISSING
        if value is None:
            if nullable:
                return None
            if required:
                self.error(N_("%(key)s must not be null"), key=key)
            else:
                self.error(N_("%(key)s must not be null (leave the key out instead)"), key=key)
            return BAD
        return value

    def text(self, key: str, max_len: int, *, required: bool = True, nullable: bool = False,
             allow_empty: bool = False) -> Any:
        value = self._get(key, required, nullable)
        if value is MISSING or value is BAD or value is None:
            return value
        if not isinstance(value, str):
            self.error(N_("%(key)s must be a string, not %(type)s"), key=key, type=_type_name(value))
            return BAD
        value = value.strip()
        if not value and not allow_empty:
            self.error(N_("%(key)s must not be empty"), key=key)
            return BAD
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            self.error(N_("%(key)s %(value)s contains control characters (such as NUL or a line break)"), key=key,
                       value=_show(value))
            return BAD
        if len(value) > max_len:
            self.error(N_("%(key)s %(value)s is longer than %(max)s characters"), key=key, value=_show(value),
                       max=max_len)
            return BAD
        return value

    def choice(self, key: str, choices: Iterable[str], *, required: bool = True) -> Any:
        value = self._get(key, required, False)
        if value is MISSING or value is BAD:
            return value
        choices = tuple(choices)
        if not isinstance(value, str) or value not in choices:
            self.error(N_("%(key)s %(value)s is not one of %(choices)s"), key=key, value=_show(value),
                       choices=", ".join(choices))
            return BAD
        return value

    def email(self, key: str, *, required: bool = True, nullable: bool = False, lower: bool = False) -> Any:
        value = self.text(key, 254, required=required, nullable=nullable)
        if not _ok(value) or value is None:
            return value
        if not _EMAIL_RE.fullmatch(value):
            self.error(N_("%(key)s %(value)s is not an e-mail address"), key=key, value=_show(value))
            return BAD
        return value.lower() if lower else value

    def money(self, key: str, *, required: bool = True) -> Any:
        value = self._get(key, required, False)
        if value is MISSING or value is BAD:
            return value
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            self.error(N_('%(key)s %(value)s is a JSON number: write money as a string such as "%(example)s" so '
                          'that no precision is lost'), key=key, value=_show(value),
                       example=str(Decimal(str(value)).quantize(CENT)))
            return BAD
        if not isinstance(value, str):
            self.error(N_('%(key)s must be a string such as "12.50", not %(type)s'), key=key, type=_type_name(value))
            return BAD
        if not _MONEY_RE.fullmatch(value.strip()):
            self.error(N_('%(key)s %(value)s is not an amount with at most two decimals, such as "12.50"'), key=key,
                       value=_show(value))
            return BAD
        amount = Decimal(value.strip()).quantize(CENT)
        if amount < 0:
            self.error(N_("%(key)s %(value)s must not be negative"), key=key, value=_show(value))
            return BAD
        return amount

    def percent(self, key: str, *, required: bool = True) -> Any:
        value = self._get(key, required, False)
        if value is MISSING or value is BAD:
            return value
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            self.error(N_('%(key)s %(value)s is a JSON number: write percentages as a string such as "15"'), key=key,
                       value=_show(value))
            return BAD
        if not isinstance(value, str) or not _PERCENT_RE.fullmatch(value.strip()):
            self.error(N_('%(key)s %(value)s is not a percentage such as "15" or "7.5"'), key=key, value=_show(value))
            return BAD
        return Decimal(value.strip())

    def integer(self, key: str, *, required: bool = True, minimum: int | None = None,
                maximum: int | None = None) -> Any:
        value = self._get(key, required, False)
        if value is MISSING or value is BAD:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(N_("%(key)s %(value)s must be a whole number"), key=key, value=_show(value))
            return BAD
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            if maximum is None:
                self.error(N_("%(key)s %(value)s must be at least %(minimum)s"), key=key, value=value, minimum=minimum)
            else:
                self.error(N_("%(key)s %(value)s must be between %(minimum)s and %(maximum)s"), key=key, value=value,
                           minimum=minimum, maximum=maximum)
            return BAD
        return value

    def boolean(self, key: str, *, required: bool = False) -> Any:
        value = self._get(key, required, False)
        if value is MISSING or value is BAD:
            return value
        if not isinstance(value, bool):
            self.error(N_("%(key)s %(value)s must be true or false"), key=key, value=_show(value))
            return BAD
        return value

    def date(self, key: str, today: dt.date, *, required: bool = True, nullable: bool = False) -> Any:
        value = self._get(key, required, nullable)
        if value is MISSING or value is BAD or value is None:
            return value
        if not isinstance(value, str):
            self.error(N_("%(key)s must be a string (%(help)s), not %(type)s %(value)s"), key=key, help=DATE_HELP,
                       type=_type_name(value), value=_show(value))
            return BAD
        try:
            return resolve_date(value.strip(), today)
        except ValueError:
            self.error(N_("%(key)s %(value)s is not a date: %(help)s"), key=key, value=_show(value), help=DATE_HELP)
            return BAD

    def records(self, key: str, *, required: bool = False) -> list[dict] | None:
        """A list of objects; None (with a problem recorded) when it is not one."""
        value = self._get(key, required, False)
        if value is MISSING:
            return []
        if value is BAD:
            return None
        if not isinstance(value, list):
            self.error(N_("%(key)s must be a list, not %(type)s"), key=key, type=_type_name(value))
            return None
        return value


def _label(kind: str, index: int, record: Any, key: str) -> str:
    name = record.get(key) if isinstance(record, dict) else None
    if isinstance(name, str) and name.strip():
        return f'{kind}[{index}] "{name.strip()}"'
    return f"{kind}[{index}]"


def _objects(fields: _Fields, key: str, name_key: str) -> Iterator[tuple[tuple[str, ...], dict]]:
    """The objects of the list `key`, each with the path that names it in messages."""
    for index, record in enumerate(fields.records(key) or ()):
        where = (*fields.where, _label(key, index, record, name_key))
        fields.problems.register(where)
        if not isinstance(record, dict):
            fields.problems.add(where, N_("must be an object, not %(type)s"), type=_type_name(record))
            continue
        yield where, record


def _single_object(fields: _Fields, key: str) -> Iterator[tuple[tuple[str, ...], dict]]:
    """The object under `key`, if present, with the path that names it in messages."""
    value = fields.record.get(key, MISSING)
    if value is MISSING:
        return
    where = (*fields.where, key)
    fields.problems.register(where)
    if not isinstance(value, dict):
        fields.problems.add(where, N_("must be an object, not %(type)s"), type=_type_name(value))
        return
    yield where, value


def _chunks(values: Iterable, size: int = _CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _assign(obj: Any, **values: Any) -> bool:
    """Set the attributes that differ (MISSING ones are left alone); True when anything changed."""
    changed = False
    for name, value in values.items():
        if value is MISSING:
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _replace_children(children: list, key: str, field: str, wanted: dict, make: type) -> bool:
    """Make a one-to-many collection hold exactly `wanted` ({key value: field value}): rows are
    updated in place, removed or added, never deleted and re-inserted (that would collide on the
    keys). True when anything changed."""
    changed = False
    current = {getattr(child, key): child for child in children}
    for value, child in current.items():
        if value not in wanted:
            children.remove(child)
            changed = True
    for value, field_value in wanted.items():
        if value in current:
            changed |= _assign(current[value], **{field: field_value})
        else:
            children.append(make(**{key: value, field: field_value}))
            changed = True
    return changed


def _default(value: Any, default: Any) -> Any:
    return default if value is MISSING else value


# --- the import ------------------------------------------------------------------------------


def load(session: Session, data: Any, today: dt.date) -> ImportReport:
    """Validate `data` (a parsed import document) completely, then write it with `session`.

    Raises ValidationFailed, with every problem in `.problems`, before touching the database.
    Flushes but does not commit: the caller commits, or rolls back on error.
    """
    if not isinstance(today, dt.date) or isinstance(today, dt.datetime):
        raise TypeError("today must be a datetime.date")
    job = _Import(session, today)
    job.parse(data)
    job.preload()
    job.check()
    if job.problems:
        problems = job.problems.messages()
        error = ValidationFailed("\n".join(problems))
        error.problems = problems
        raise error
    return job.write()


class _Import:
    def __init__(self, session: Session, today: dt.date):
        self.session = session
        self.today = today
        self.problems = _Problems()
        self.tiers: list[_TierIn] = []
        self.products: list[_ProductIn] = []
        self.users: list[_UserIn] = []
        self.partners: list[_PartnerIn] = []
        self.customers: list[_CustomerIn] = []
        self.invoices: list[_InvoiceIn] = []
        self.report = ImportReport()

    # -- 1. shape and field values, without the database --------------------------------------

    def parse(self, data: Any) -> None:
        if not isinstance(data, dict):
            self.problems.add((), N_("the document must be a JSON object, not %(type)s"), type=_type_name(data))
            return
        top = _Fields(self.problems, (), data, TOP_LEVEL_KEYS)
        version = top.integer("version", required=False)
        if _ok(version) and version != FORMAT_VERSION:
            top.error(N_("version %(version)s is not supported (this portal reads version %(supported)s)"),
                      version=version, supported=FORMAT_VERSION)
        for where, rec in _objects(top, "price_tiers", "name"):
            self._parse_tier(where, rec)
        for where, rec in _objects(top, "products", "sku"):
            self._parse_product(where, rec)
        for where, rec in _objects(top, "users", "email"):
            self._parse_user(where, rec)
        for where, rec in _objects(top, "partners", "name"):
            self._parse_partner(where, rec)
        for where, rec in _objects(top, "customers", "name"):
            self._parse_customer(where, rec)
        for where, rec in _objects(top, "invoices", "number"):
            self._parse_invoice(where, rec)

    def _parse_tier(self, where, rec) -> None:
        f = _Fields(self.problems, where, rec, ("name", "discount_percent"))
        tier = _TierIn(where, f.text("name", 80), f.percent("discount_percent"))
        if _ok(tier.discount) and not tier.discount < 100:
            f.error(N_("discount_percent %(value)s must be at least 0 and below 100"), value=str(tier.discount))
            tier.discount = BAD
        self.tiers.append(tier)

    def _parse_product(self, where, rec) -> None:
        f = _Fields(self.problems, where, rec, (
            "sku", "name", "category", "description", "capex_price", "opex_prices", "stock", "active", "bands",
        ))
        category = f.choice("category", CATEGORIES)
        product = _ProductIn(
            where,
            sku=f.text("sku", 40),
            name=f.text("name", 200),
            category=category,
            description=f.text("description", 500, required=False, allow_empty=True),
            # CLASSOUND is a service, not hardware: it has no purchase price.
            capex=f.money("capex_price", required=category != "classound"),
            stock=f.integer("stock", required=False),
            active=f.boolean("active"),
            prices=BAD,
            bands=MISSING,
        )
        opex = rec.get("opex_prices", MISSING)
        if opex is MISSING:
            f.error(N_("opex_prices is required (an object with %(terms)s)"), terms=", ".join(SUBSCRIPTION_TERMS))
        elif not isinstance(opex, dict):
            f.error(N_("opex_prices must be an object with %(terms)s, not %(type)s"),
                    terms=", ".join(SUBSCRIPTION_TERMS), type=_type_name(opex))
        else:
            pf = _Fields(self.problems, (*where, "opex_prices"), opex, SUBSCRIPTION_TERMS)
            prices = {term: pf.money(term) for term in SUBSCRIPTION_TERMS}
            if all(_ok(p) for p in prices.values()):
                product.prices = prices
        if "bands" in rec:
            bands = []
            for bwhere, brec in _objects(f, "bands", "min_quantity"):
                bf = _Fields(self.problems, bwhere, brec, ("min_quantity", "discount_percent"))
                band = _BandIn(bwhere, bf.integer("min_quantity", minimum=2), bf.percent("discount_percent"))
                if _ok(band.discount) and not 0 < band.discount < 100:
                    bf.error(N_("discount_percent %(value)s must be above 0 and below 100"), value=str(band.discount))
                    band.discount = BAD
                bands.append(band)
            product.bands = bands if isinstance(rec["bands"], list) else BAD
        self.products.append(product)

    def _parse_user(self, where, rec) -> None:
        f = _Fields(self.problems, where, rec,
                    ("email", "name", "role", "partner", "password", "password_hash", "active", "team_role"))
        user = _UserIn(
            where,
            email=f.email("email", lower=True),
            name=f.text("name", 200),
            role=f.choice("role", ROLES),
            partner=f.text("partner", 200, required=False, nullable=True),
            password=f.text("password", 200, required=False),
            password_hash=f.text("password_hash", 255, required=False),
            active=f.boolean("active"),
            team_role=f.choice("team_role", TEAM_ROLES, required=False),
        )
        if _ok(user.team_role) and user.role != "partner":
            f.error(N_("team_role is for partner users; a user with role %(role)s has none: leave it out"),
                    role=user.role)
        if _ok(user.password) and _ok(user.password_hash):
            f.error(N_("give either password or password_hash, not both"))
        if _ok(user.password) and (problems := password_problems(user.password, user.email or "")):
            f.error(N_("password: %(problems)s"), problems=Sentences(problems))
            user.password = BAD
        if _ok(user.password_hash) and user.password_hash.count("$") != 2:
            f.error(N_("password_hash is not a werkzeug password hash (method$salt$hash)"))
            user.password_hash = BAD
        self.users.append(user)

    def _parse_partner(self, where, rec) -> None:
        f = _Fields(self.problems, where, rec, ("name", "tier", "area_manager", "email", "addresses"))
        partner = _PartnerIn(
            where,
            name=f.text("name", 200),
            tier=f.text("tier", 80),
            area_manager=f.email("area_manager", required=False, nullable=True, lower=True),
            email=f.email("email", required=False),
            addresses=[],
        )
        for awhere, arec in _objects(f, "addresses", "label"):
            af = _Fields(self.problems, awhere, arec,
                         ("label", "recipient", "street", "postcode", "city", "country"))
            address = _AddressIn(
                awhere,
                label=af.text("label", 80),
                recipient=af.text("recipient", 200),
                street=af.text("street", 200),
                postcode=af.text("postcode", 20),
                city=af.text("city", 80),
                country=af.text("country", 80, required=False),
            )
            if _ok(address.country) and not _COUNTRY_RE.fullmatch(address.country):
                af.error(N_('country %(value)s is not a two-letter country code such as "IT"'),
                         value=_show(address.country))
                address.country = BAD
            partner.addresses.append(address)
        self.partners.append(partner)

    def _parse_customer(self, where, rec) -> None:
        f = _Fields(self.problems, where, rec, ("partner", "name", "vat_number", "city", "email", "pbxs"))
        customer = _CustomerIn(
            where,
            partner=f.text("partner", 200),
            name=f.text("name", 200),
            vat_number=f.text("vat_number", 40, required=False, allow_empty=True),
            city=f.text("city", 80, required=False, allow_empty=True),
            email=f.email("email", required=False),
            pbxs=[],
        )
        for pwhere, prec in _objects(f, "pbxs", "name"):
            customer.pbxs.append(self._parse_pbx(pwhere, prec))
        self.customers.append(customer)

    def _parse_pbx(self, where, rec) -> _PbxIn:
        f = _Fields(self.problems, where, rec, ("name", "term", "activated_on", "classound", "devices"))
        pbx = _PbxIn(
            where,
            name=f.text("name", 200),
            term=f.choice("term", TERMS),
            activated_on=f.date("activated_on", self.today, required=False, nullable=True),
            classound=_default(f.boolean("classound"), False),
            devices=[],
        )
        if pbx.term == "lifetime":
            if _ok(pbx.activated_on) and pbx.activated_on is not None:
                f.error(N_("a lifetime PBX is not a subscription and has no activated_on"))
            if pbx.classound is True:
                f.error(N_("CLASSOUND needs a subscription PBX (monthly, yearly or five_years), not a lifetime one"))
        elif _ok(pbx.term):
            if pbx.activated_on is MISSING or pbx.activated_on is None:
                f.error(N_("activated_on is required for a %(term)s PBX"), term=pbx.term)
            elif _ok(pbx.activated_on) and pbx.activated_on > self.today:
                f.error(N_("activated_on %(date)s is in the future (today is %(today)s)"),
                        date=pbx.activated_on.isoformat(), today=self.today.isoformat())
        for dwhere, drec in _objects(f, "devices", "sku"):
            df = _Fields(self.problems, dwhere, drec, ("sku", "ownership", "quantity", "cancelled", "replacement"))
            device = _DeviceIn(
                dwhere,
                sku=df.text("sku", 40),
                ownership=df.choice("ownership", OWNERSHIPS),
                quantity=_default(df.integer("quantity", required=False, minimum=1, maximum=MAX_QUANTITY), 1),
                cancelled=_default(df.integer("cancelled", required=False, minimum=0, maximum=MAX_QUANTITY), 0),
            )
            for rwhere, rrec in _single_object(df, "replacement"):
                rf = _Fields(self.problems, rwhere, rrec, ("quantity", "reason", "note"))
                device.replacement = _ReplacementIn(
                    rwhere,
                    quantity=rf.integer("quantity", minimum=1, maximum=MAX_REPLACED_DEVICES),
                    reason=rf.choice("reason", REPLACEMENT_REASONS),
                    note=_default(rf.text("note", 500, required=False, allow_empty=True), ""),
                )
                if device.replacement.reason == "other" and _ok(device.replacement.note) \
                        and not device.replacement.note:
                    rf.error(N_('a replacement with reason "other" needs a note'))
            if device.ownership == "rented" and pbx.term == "lifetime":
                df.error(N_("rented devices (HWaaS) need a subscription PBX: a lifetime PBX can only have owned "
                            "devices"))
            asked = (device.cancelled if _ok(device.cancelled) else 0) + (
                device.replacement.quantity if device.replacement and _ok(device.replacement.quantity) else 0)
            if asked and device.ownership == "owned":
                df.error(N_("only rented devices can be cancelled or replaced: this line is owned"))
            elif asked and _ok(device.quantity) and asked > device.quantity:
                df.error(N_("cancelled and replacement quantity (%(asked)s) exceed the line's quantity %(quantity)s"),
                         asked=asked, quantity=device.quantity)
            pbx.devices.append(device)
        return pbx

    def _parse_invoice(self, where, rec) -> None:
        f = _Fields(self.problems, where, rec, ("partner", "number", "issued_on", "due_on", "amount", "paid_on"))
        invoice = _InvoiceIn(
            where,
            partner=f.text("partner", 200),
            number=f.text("number", 30),
            issued_on=f.date("issued_on", self.today),
            due_on=f.date("due_on", self.today),
            amount=f.money("amount"),
            paid_on=f.date("paid_on", self.today, required=False, nullable=True),
        )
        if _ok(invoice.issued_on, invoice.due_on) and invoice.due_on < invoice.issued_on:
            f.error(N_("due_on %(due_on)s is before issued_on %(issued_on)s"), due_on=str(invoice.due_on),
                    issued_on=str(invoice.issued_on))
        if _ok(invoice.paid_on) and invoice.paid_on is not None:
            if _ok(invoice.issued_on) and invoice.paid_on < invoice.issued_on:
                f.error(N_("paid_on %(paid_on)s is before issued_on %(issued_on)s"), paid_on=str(invoice.paid_on),
                        issued_on=str(invoice.issued_on))
            if invoice.paid_on > self.today:
                f.error(N_("paid_on %(paid_on)s is in the future (today is %(today)s)"), paid_on=str(invoice.paid_on),
                        today=str(self.today))
        self.invoices.append(invoice)

    # -- 2. what the database already holds (reads only, one query per kind) ------------------

    def preload(self) -> None:
        s = self.session
        self.db_tiers = {t.name: t for t in s.scalars(select(PriceTier))}
        # The catalogue is small: load it whole, with prices and bands.
        products = select(Product).options(selectinload(Product.prices), selectinload(Product.bands))
        self.db_products = {p.sku: p for p in s.scalars(products)}

        emails = {u.email for u in self.users if _ok(u.email)}
        emails |= {p.area_manager for p in self.partners if _ok(p.area_manager) and p.area_manager}
        self.db_users: dict[str, User] = {}
        for chunk in _chunks(emails):
            for user in s.scalars(select(User).where(func.lower(User.email).in_(chunk)).order_by(User.id)):
                self.db_users.setdefault(user.email.lower(), user)

        names = {p.name for p in self.partners} | {u.partner for u in self.users}
        names |= {c.partner for c in self.customers} | {i.partner for i in self.invoices}
        names = {n for n in names if _ok(n) and n}
        self.db_partners: dict[str, Partner] = {}
        for chunk in _chunks(names):
            self.db_partners.update((p.name, p) for p in s.scalars(select(Partner).where(Partner.name.in_(chunk))))
        partner_ids = [p.id for p in self.db_partners.values()]

        # Partners with a user in the portal: imported requests are made in a user's name.
        self.partners_with_users: set[int] = set()
        for chunk in _chunks(partner_ids):
            self.partners_with_users |= set(s.scalars(
                select(User.partner_id).where(User.partner_id.in_(chunk)).distinct()))
        self.db_addresses: dict[tuple[int, str], Address] = {}
        for chunk in _chunks(partner_ids):
            for a in s.scalars(select(Address).where(Address.partner_id.in_(chunk)).order_by(Address.id)):
                self.db_addresses.setdefault((a.partner_id, a.label), a)

        customer_names = {c.name for c in self.customers if _ok(c.name)}
        self.db_customers: dict[tuple[int, str], Customer] = {}
        if partner_ids:
            for chunk in _chunks(customer_names):
                stmt = select(Customer).where(Customer.partner_id.in_(partner_ids), Customer.name.in_(chunk))
                for c in s.scalars(stmt.order_by(Customer.id)):
                    self.db_customers.setdefault((c.partner_id, c.name), c)

        self.db_pbxs: dict[tuple[int, str], Pbx] = {}
        for chunk in _chunks(c.id for c in self.db_customers.values()):
            for pbx in s.scalars(select(Pbx).where(Pbx.customer_id.in_(chunk)).order_by(Pbx.id)):
                self.db_pbxs.setdefault((pbx.customer_id, pbx.name), pbx)
        # PBXs with equipment (not imported onto again) and PBXs whose term other rows repeat
        # through composite foreign keys (services, carts, orders: the term cannot change).
        self.pbxs_with_equipment: set[int] = set()
        self.pbxs_term_bound: set[int] = set()
        for chunk in _chunks(p.id for p in self.db_pbxs.values()):
            for model, bucket in ((PbxService, "both"), (Device, "equipment"), (Cart, "term"), (Order, "term")):
                ids = set(s.scalars(select(model.pbx_id).where(model.pbx_id.in_(chunk)).distinct()))
                if bucket in ("both", "equipment"):
                    self.pbxs_with_equipment |= ids
                if bucket in ("both", "term"):
                    self.pbxs_term_bound |= ids

        self.db_invoices: dict[str, Invoice] = {}
        for chunk in _chunks({i.number for i in self.invoices if _ok(i.number)}):
            stmt = select(Invoice).options(joinedload(Invoice.partner)).where(Invoice.number.in_(chunk))
            self.db_invoices.update((i.number, i) for i in s.scalars(stmt))

    # -- 3. references, duplicates and rules that need the whole picture ----------------------

    def _error(self, where: tuple[str, ...], template: str, **params) -> None:
        self.problems.add(where, template, **params)

    def _duplicates(self, records: Iterable, key, template: str) -> None:
        """`template`: the problem of a duplicate, with %(first)s, where the first one is."""
        first: dict = {}
        for record in records:
            k = key(record)
            if k is None:
                continue
            if k in first:
                self._error(record.where, template, first=": ".join(first[k].where))
            else:
                first[k] = record

    def check(self) -> None:
        self._duplicates(self.tiers, lambda t: t.name if _ok(t.name) else None,
                         N_("duplicate price tier name: already given by %(first)s"))
        self._duplicates(self.products, lambda p: p.sku if _ok(p.sku) else None,
                         N_("duplicate SKU: already given by %(first)s"))
        self._duplicates(self.users, lambda u: u.email if _ok(u.email) else None,
                         N_("duplicate user e-mail: already given by %(first)s"))
        self._duplicates(self.partners, lambda p: p.name if _ok(p.name) else None,
                         N_("duplicate partner name: already given by %(first)s"))
        self._duplicates(self.customers, lambda c: (c.partner, c.name) if _ok(c.partner, c.name) else None,
                         N_("duplicate customer for this partner: already given by %(first)s"))
        self._duplicates(self.invoices, lambda i: i.number if _ok(i.number) else None,
                         N_("duplicate invoice number: already given by %(first)s"))

        tier_names = set(self.db_tiers) | {t.name for t in self.tiers if _ok(t.name)}
        partner_names = set(self.db_partners) | {p.name for p in self.partners if _ok(p.name)}
        roles = {email: user.role for email, user in self.db_users.items()}
        file_roles: dict[str, Any] = {}
        for u in self.users:  # a duplicate is reported below; the first one counts
            if _ok(u.email):
                file_roles.setdefault(u.email, u.role)  # BAD when the role was bad: already reported
        roles.update(file_roles)

        # The catalogue as it will be after the import: {sku: (category, {term: price})}.
        catalogue = {
            sku: (p.category, {price.term: price.opex_price for price in p.prices})
            for sku, p in self.db_products.items()
        }
        for product in self.products:
            if not _ok(product.sku):
                continue
            self._duplicates(product.bands if isinstance(product.bands, list) else (),
                             lambda b: b.min_quantity if _ok(b.min_quantity) else None,
                             N_("duplicate band min_quantity: already given by %(first)s"))
            # BAD for a value already reported, so that no second problem follows from it.
            catalogue[product.sku] = (product.category, product.prices)
        classound = sorted(sku for sku, (category, _) in catalogue.items() if category == "classound")

        for user in self.users:
            if user.role == "partner":
                if user.partner is MISSING or user.partner is None:
                    self._error(user.where, N_("partner is required for a user with role partner"))
                elif _ok(user.partner) and user.partner not in partner_names:
                    self._error(user.where, N_("partner %(value)s is neither in the file nor in the portal"),
                                value=_show(user.partner))
            elif _ok(user.role) and user.partner not in (MISSING, None):
                self._error(user.where, N_("a user with role %(role)s belongs to no partner: leave partner out"),
                            role=user.role)
            if _ok(user.email) and user.email not in self.db_users and user.password is MISSING \
                    and user.password_hash is MISSING:
                self._error(user.where, N_("a new user needs a password (or a password_hash)"))

        for partner in self.partners:
            if _ok(partner.tier) and partner.tier not in tier_names:
                if tier_names:
                    self._error(partner.where, N_("tier %(value)s is neither in the file nor in the portal (known: "
                                                  "%(known)s)"), value=_show(partner.tier),
                                known=", ".join(sorted(tier_names)))
                else:
                    self._error(partner.where, N_("tier %(value)s is neither in the file nor in the portal (known: "
                                                  "none)"), value=_show(partner.tier))
            if _ok(partner.area_manager) and partner.area_manager is not None:
                role = roles.get(partner.area_manager)
                if role is BAD:
                    pass
                elif role is None:
                    self._error(partner.where, N_("area_manager %(value)s is not a known user"),
                                value=_show(partner.area_manager))
                elif role != "area_manager":
                    self._error(partner.where, N_("area_manager %(value)s is a user with role %(role)s, not "
                                                  "area_manager"), value=_show(partner.area_manager), role=role)
            self._duplicates(partner.addresses, lambda a: a.label if _ok(a.label) else None,
                             N_("duplicate address label: already given by %(first)s"))

        for customer in self.customers:
            if _ok(customer.partner) and customer.partner not in partner_names:
                self._error(customer.where, N_("partner %(value)s is neither in the file nor in the portal"),
                            value=_show(customer.partner))
            self._duplicates(customer.pbxs, lambda p: p.name if _ok(p.name) else None,
                             N_("duplicate PBX name for this customer: already given by %(first)s"))
            db_partner = self.db_partners.get(customer.partner) if _ok(customer.partner) else None
            db_customer = self.db_customers.get((db_partner.id, customer.name)) if db_partner else None
            for pbx in customer.pbxs:
                self._check_pbx(pbx, db_customer, catalogue, classound)
                if _ok(customer.partner) and any(d.cancelled or d.replacement for d in pbx.devices):
                    self._check_requester(pbx, customer.partner)

        for invoice in self.invoices:
            if _ok(invoice.partner) and invoice.partner not in partner_names:
                self._error(invoice.where, N_("partner %(value)s is neither in the file nor in the portal"),
                            value=_show(invoice.partner))
            existing = self.db_invoices.get(invoice.number) if _ok(invoice.number) else None
            if existing is not None and _ok(invoice.partner) and existing.partner.name != invoice.partner:
                self._error(invoice.where, N_("invoice %(number)s already exists for partner %(existing)s, not "
                                              "%(partner)s"), number=invoice.number,
                            existing=_show(existing.partner.name), partner=_show(invoice.partner))

    def _check_requester(self, pbx: _PbxIn, partner_name: str) -> None:
        """Imported cancellations and replacements are requested by the partner's first user and
        a replacement is delivered to its first address: both must exist, in the file or portal."""
        db_partner = self.db_partners.get(partner_name)
        if not (any(u.partner == partner_name for u in self.users)
                or (db_partner is not None and db_partner.id in self.partners_with_users)):
            self._error(pbx.where, N_("cancelled or replaced devices need a user of partner %(partner)s (in the "
                                      "file or the portal), in whose name they are requested"),
                        partner=_show(partner_name))
        if any(d.replacement for d in pbx.devices) and not (
                any(p.name == partner_name and p.addresses for p in self.partners)
                or (db_partner is not None and any(pid == db_partner.id for pid, _ in self.db_addresses))):
            self._error(pbx.where, N_("a replacement needs an address of partner %(partner)s (in the file or the "
                                      "portal) to deliver to"), partner=_show(partner_name))

    def _check_pbx(self, pbx: _PbxIn, db_customer: Customer | None, catalogue: dict, classound: list[str]) -> None:
        existing = self.db_pbxs.get((db_customer.id, pbx.name)) if db_customer and _ok(pbx.name) else None
        pbx.existing = existing
        if existing is not None:
            # Its equipment is the portal's business after the first import: never doubled.
            pbx.import_equipment = existing.id not in self.pbxs_with_equipment
            if existing.id in self.pbxs_term_bound and _ok(pbx.term) and pbx.term != existing.term:
                self._error(pbx.where, N_("term cannot change from %(old)s to %(new)s: the PBX already has "
                                          "services, carts or orders, which share its term"),
                            old=existing.term, new=pbx.term)
        if pbx.classound is True and _ok(pbx.term) and pbx.term != "lifetime":
            if not classound:
                self._error(pbx.where, N_('classound is true but there is no product of category "classound"'))
            elif len(classound) > 1:
                self._error(pbx.where, N_('classound is true but several products have category "classound" '
                                          '(%(skus)s): keep one'), skus=", ".join(classound))
            elif _ok(catalogue[classound[0]][1]) and pbx.term not in catalogue[classound[0]][1]:
                self._error(pbx.where, N_("CLASSOUND product %(sku)s has no %(term)s price"), sku=classound[0],
                            term=pbx.term)
        for device in pbx.devices:
            if not _ok(device.sku):
                continue
            if device.sku not in catalogue:
                self._error(device.where, N_("sku %(value)s is neither in the file nor in the portal"),
                            value=_show(device.sku))
                continue
            category, prices = catalogue[device.sku]
            if category == "classound":
                self._error(device.where, N_('%(sku)s is the CLASSOUND service, not a device: use "classound": true '
                                             'on the PBX'), sku=device.sku)
            elif device.ownership == "rented" and _ok(pbx.term, prices) and pbx.term != "lifetime" \
                    and pbx.term not in prices:
                self._error(device.where, N_("%(sku)s has no %(term)s OpEx price, so it cannot be rented on a "
                                             "%(term)s PBX"), sku=device.sku, term=pbx.term)

    # -- 4. writing ---------------------------------------------------------------------------

    def _count(self, kind: str, created: bool, updated: bool = False) -> None:
        if created:
            self.report.created[kind] += 1
        elif updated:
            self.report.updated[kind] += 1

    def write(self) -> ImportReport:
        s = self.session
        catalogue_changed = self._write_tiers() | self._write_products()
        s.flush()
        if catalogue_changed:
            version = CatalogueVersion(note="import")
            s.add(version)
            s.flush()
            self.report.catalogue_version_id = version.id

        # Staff first (partners name their area manager), then partners, then partner users.
        self.users_by_email = dict(self.db_users)
        self._write_users(u for u in self.users if u.role != "partner")
        s.flush()
        self._write_partners()
        s.flush()
        self._write_users(u for u in self.users if u.role == "partner")
        self._write_addresses()
        self._write_customers()
        s.flush()
        self._write_pbxs()
        s.flush()
        self._write_equipment()
        s.flush()
        self._write_requests()
        self._write_invoices()
        s.flush()
        return self.report

    def _write_tiers(self) -> bool:
        changed = False
        for t in self.tiers:
            tier = self.db_tiers.get(t.name)
            if tier is None:
                tier = self.db_tiers[t.name] = PriceTier(name=t.name, discount_percent=t.discount)
                self.session.add(tier)
                self._count("price_tiers", True)
                changed = True
            elif _assign(tier, discount_percent=t.discount):
                self._count("price_tiers", False, True)
                changed = True
        return changed

    def _write_products(self) -> bool:
        changed = False
        for p in self.products:
            product = self.db_products.get(p.sku)
            if product is None:
                product = self.db_products[p.sku] = Product(
                    sku=p.sku, name=p.name, category=p.category, description=_default(p.description, ""),
                    capex_price=_default(p.capex, Decimal("0.00")), stock=_default(p.stock, 0),
                    active=_default(p.active, True),
                    prices=[ProductPrice(term=term, opex_price=price) for term, price in p.prices.items()],
                    bands=[QuantityBand(min_quantity=b.min_quantity, discount_percent=b.discount)
                           for b in _default(p.bands, [])],
                )
                self.session.add(product)
                self._count("products", True)
                changed = True
                continue
            dirty = _assign(product, name=p.name, category=p.category, description=p.description,
                            capex_price=p.capex, stock=p.stock, active=p.active)
            dirty |= self._replace_prices(product, p.prices)
            if p.bands is not MISSING:
                dirty |= self._replace_bands(product, p.bands)
            self._count("products", False, dirty)
            changed |= dirty
        return changed

    @staticmethod
    def _replace_prices(product: Product, prices: dict[str, Decimal]) -> bool:
        return _replace_children(product.prices, "term", "opex_price", prices, ProductPrice)

    @staticmethod
    def _replace_bands(product: Product, bands: list[_BandIn]) -> bool:
        return _replace_children(product.bands, "min_quantity", "discount_percent",
                                 {b.min_quantity: b.discount for b in bands}, QuantityBand)

    def _write_users(self, users: Iterable[_UserIn]) -> None:
        for u in users:
            partner_id = self.partners_by_name[u.partner].id if u.role == "partner" else None
            user = self.users_by_email.get(u.email)
            if user is None:
                user = self.users_by_email[u.email] = User(
                    email=u.email, name=u.name, role=u.role, partner_id=partner_id,
                    password_hash=u.password_hash if _ok(u.password_hash) else hash_password(u.password),
                    active=_default(u.active, True),
                    team_role=_default(u.team_role, "owner") if u.role == "partner" else None,
                )
                self.session.add(user)
                self._count("users", True)
                continue
            team_role = (_default(u.team_role, user.team_role or "owner") if u.role == "partner" else None)
            dirty = _assign(user, email=u.email, name=u.name, role=u.role, partner_id=partner_id, active=u.active,
                            team_role=team_role)
            new_hash = None
            if _ok(u.password_hash) and u.password_hash != user.password_hash:
                new_hash = u.password_hash
            elif _ok(u.password) and not check_password_hash(user.password_hash, u.password):
                new_hash = hash_password(u.password)
            if new_hash is not None:
                user.password_hash = new_hash
                revoke_sessions(user)  # a new password ends the sessions opened with the old one
                dirty = True
            self._count("users", False, dirty)

    def _write_partners(self) -> None:
        self.partners_by_name = dict(self.db_partners)
        for p in self.partners:
            tier_id = self.db_tiers[p.tier].id
            manager_id = MISSING if p.area_manager is MISSING else (
                None if p.area_manager is None else self.users_by_email[p.area_manager].id
            )
            partner = self.partners_by_name.get(p.name)
            if partner is None:
                partner = self.partners_by_name[p.name] = Partner(
                    name=p.name, tier_id=tier_id, area_manager_id=_default(manager_id, None),
                    email=_default(p.email, ""),
                )
                self.session.add(partner)
                self._count("partners", True)
            else:
                self._count("partners", False,
                            _assign(partner, tier_id=tier_id, area_manager_id=manager_id, email=p.email))

    def _write_addresses(self) -> None:
        for p in self.partners:
            partner = self.partners_by_name[p.name]
            for a in p.addresses:
                values = dict(recipient=a.recipient, street=a.street, postcode=a.postcode, city=a.city,
                              country=a.country)
                address = self.db_addresses.get((partner.id, a.label))
                if address is None:
                    values["country"] = _default(a.country, "IT")
                    self.session.add(Address(partner_id=partner.id, label=a.label, **values))
                    self._count("addresses", True)
                else:
                    self._count("addresses", False, _assign(address, **values))

    def _write_customers(self) -> None:
        self.customer_objs: list[Customer] = []
        for c in self.customers:
            partner = self.partners_by_name[c.partner]
            customer = self.db_customers.get((partner.id, c.name))
            values = dict(vat_number=c.vat_number, city=c.city, email=c.email)
            if customer is None:
                customer = Customer(partner_id=partner.id, name=c.name,
                                    **{k: _default(v, "") for k, v in values.items()})
                self.session.add(customer)
                self._count("customers", True)
            else:
                self._count("customers", False, _assign(customer, **values))
            self.customer_objs.append(customer)

    def _write_pbxs(self) -> None:
        self.pbx_objs: list[Pbx] = []
        for c, customer in zip(self.customers, self.customer_objs):
            for p in c.pbxs:
                activated_on = None if p.term == "lifetime" else p.activated_on
                if p.existing is None:
                    pbx = Pbx(partner_id=customer.partner_id, customer_id=customer.id, name=p.name,
                              term=p.term, activated_on=activated_on)
                    self.session.add(pbx)
                    self._count("pbxs", True)
                else:
                    pbx = p.existing
                    self._count("pbxs", False, _assign(pbx, term=p.term, activated_on=activated_on))
                self.pbx_objs.append(pbx)

    def _write_equipment(self) -> None:
        """Services and devices of the PBXs that have none yet, added in two bulk flushes."""
        classound = next((p for p in self.db_products.values() if p.category == "classound"), None)
        pbx_objs = iter(self.pbx_objs)
        self.requested_lines: list[tuple[str, Pbx, PbxService, _DeviceIn, list[Device]]] = []
        pending_devices: list[tuple[Device, PbxService | None]] = []
        kept = 0
        for c, customer in zip(self.customers, self.customer_objs):
            discount = self._tier_discount(c.partner)
            for p in c.pbxs:
                pbx = next(pbx_objs)
                if not p.import_equipment:
                    kept += bool(p.devices or p.classound)
                    continue
                for index, d in enumerate(p.devices):
                    product = self.db_products[d.sku]
                    service = None
                    if d.ownership == "rented":
                        service = PbxService(
                            pbx_id=pbx.id, term=pbx.term, kind="hwaas", product_id=product.id,
                            quantity=d.quantity, started_on=pbx.activated_on,
                            unit_price=pricing.tier_price(product.opex_price(pbx.term), discount),
                        )
                        self.session.add(service)
                        self._count("services", True)
                    line_devices = []
                    for n in range(d.quantity):
                        serial, mac = _identity(c.partner, c.name, p.name, index, d.sku, n)
                        device = Device(pbx_id=pbx.id, product_id=product.id, ownership=d.ownership, serial=serial,
                                        mac=mac if product.category in MAC_CATEGORIES else "")
                        pending_devices.append((device, service))
                        line_devices.append(device)
                    if d.cancelled or d.replacement:
                        self.requested_lines.append((c.partner, pbx, service, d, line_devices))
                if p.classound and pbx.term != "lifetime":
                    self.session.add(PbxService(
                        pbx_id=pbx.id, term=pbx.term, kind="classound", product_id=classound.id, quantity=1,
                        started_on=pbx.activated_on,
                        unit_price=pricing.tier_price(classound.opex_price(pbx.term), discount),
                    ))
                    self._count("services", True)
        self.session.flush()  # the services get their ids
        for device, service in pending_devices:
            device.service_id = service.id if service is not None else None
        self.session.add_all(device for device, _ in pending_devices)
        # Services in place before the portal charged them: each is charged its current period.
        charges.charge_uncharged(self.session, self.today)
        self.report.created["devices"] += len(pending_devices)
        if kept:
            self.report.notes.append(
                f"{kept} PBX(s) already had devices or services in the portal: their devices and "
                "CLASSOUND in the file were not imported again."
            )

    def _write_requests(self) -> None:
        """Pending cancellations (the line's last devices) and open replacement requests (its
        first ones) of freshly imported devices, in the name of the partner's first user."""
        for partner_name, pbx, service, d, devices in self.requested_lines:
            partner = self.partners_by_name[partner_name]
            user = self.session.scalar(select(User).where(User.partner_id == partner.id).order_by(User.id).limit(1))
            now = utcnow()
            if d.cancelled:
                effective_on = pricing.expiration_date(pbx.activated_on, pbx.term, max(self.today, pbx.activated_on))
                fee = pricing.cancellation_fee(service.unit_price, pbx.term, service.started_on, effective_on,
                                               d.cancelled)
                cancellation = DeviceCancellation(
                    partner_id=partner.id, pbx_id=pbx.id, service_id=service.id, effective_on=effective_on,
                    quantity=d.cancelled, fee=fee.amount, status="pending", requested_by_id=user.id,
                    requested_at=now)
                self.session.add(cancellation)
                self.session.flush()
                for device in devices[-d.cancelled:]:
                    device.cancellation_id = cancellation.id
                self.report.created["cancellations"] += 1
            if d.replacement:
                address = self.session.scalar(select(Address).where(Address.partner_id == partner.id)
                                              .order_by(Address.id).limit(1))
                r = d.replacement
                self.session.add(ReplacementRequest(
                    partner_id=partner.id, pbx_id=pbx.id, product_id=devices[0].product_id, reason=r.reason,
                    note=r.note, status="requested", delivery_recipient=address.recipient,
                    delivery_street=address.street, delivery_postcode=address.postcode,
                    delivery_city=address.city, delivery_country=address.country, requested_by_id=user.id,
                    requested_at=now, items=[ReplacementItem(device_id=dev.id, open=True)
                                             for dev in devices[:r.quantity]],
                    history=[ReplacementStatusChange(from_status=None, to_status="requested", changed_by_id=user.id,
                                                     changed_at=now, note=r.note)]))
                self.report.created["replacement_requests"] += 1

    def _tier_discount(self, partner_name: str) -> Decimal:
        tier_id = self.partners_by_name[partner_name].tier_id
        return next(t.discount_percent for t in self.db_tiers.values() if t.id == tier_id)

    def _write_invoices(self) -> None:
        for i in self.invoices:
            partner = self.partners_by_name[i.partner]
            invoice = self.db_invoices.get(i.number)
            if invoice is None:
                self.session.add(Invoice(partner_id=partner.id, number=i.number, issued_on=i.issued_on,
                                         due_on=i.due_on, amount=i.amount, paid_on=_default(i.paid_on, None)))
                self._count("invoices", True)
            else:
                self._count("invoices", False, _assign(invoice, issued_on=i.issued_on, due_on=i.due_on,
                                                       amount=i.amount, paid_on=i.paid_on))


def _identity(*parts: Any) -> tuple[str, str]:
    """A deterministic serial number and MAC for an imported device, the same on every import."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    serial = "SN" + str(int.from_bytes(digest[:8], "big") % 10**10).zfill(10)
    mac = ":".join(f"{b:02X}" for b in (0x02, *digest[8:13]))  # locally administered: not a vendor's
    return serial, mac
