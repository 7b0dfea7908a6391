"""The JSON data import and the demo data set (hwaas/services/importer.py, hwaas/data/demo.json)."""
import copy
from collections import Counter
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from werkzeug.security import generate_password_hash

from hwaas.extensions import db
from hwaas.models import (
    Address,
    CatalogueVersion,
    Customer,
    Device,
    Invoice,
    Partner,
    Pbx,
    PbxService,
    PriceTier,
    Product,
    ProductPrice,
    QuantityBand,
    User,
)
from hwaas.services import accounts, importer
from hwaas.services.errors import ValidationFailed
from hwaas.services.importer import load, resolve_date
from hwaas.services.invoices import oldest_open_due_date
from hwaas.services.pricing import add_months, tier_price

D = Decimal
date = dt.date
TODAY = date(2026, 3, 31)  # a month end: today-1m is 28 February
DEMO_PATH = Path(importer.__file__).resolve().parent.parent / "data" / "demo.json"
DEMO_PASSWORD = "hwaas-demo-password"
# A cheap hash keeps the small documents fast; the demo file exercises real password hashing.
CHEAP_HASH = generate_password_hash("a-test-password", method="pbkdf2:sha256:1")
TABLES = (PriceTier, Product, ProductPrice, QuantityBand, CatalogueVersion, User, Partner, Address,
          Customer, Pbx, PbxService, Device, Invoice)


# `app` and `session` come from tests/conftest.py: the importer only flushes, the session fixture
# rolls back, and the conftest empties every table after each test (the CLI tests commit).


@pytest.fixture(scope="module")
def demo_data():
    return json.loads(DEMO_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def demo(session, demo_data):
    """The demo data set loaded as of TODAY."""
    load(session, copy.deepcopy(demo_data), TODAY)
    return session


def counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def base_doc() -> dict:
    """A small, valid document: one partner with one customer, one PBX, one invoice."""
    prices = {"monthly": "6.50", "yearly": "65.00", "five_years": "292.50"}
    return {
        "version": 1,
        "price_tiers": [{"name": "Gold", "discount_percent": "15"}],
        "products": [
            {"sku": "YEA-T54W", "name": "Yealink T54W", "category": "desk_phone", "capex_price": "189.00",
             "stock": 5, "opex_prices": dict(prices)},
            {"sku": "CLASSOUND", "name": "CLASSOUND", "category": "classound",
             "opex_prices": {"monthly": "12.00", "yearly": "120.00", "five_years": "540.00"}},
        ],
        "users": [
            {"email": "AM@Example.com", "name": "Anna Manager", "role": "area_manager", "password_hash": CHEAP_HASH},
            {"email": "p@example.com", "name": "Piero Partner", "role": "partner", "partner": "P1",
             "password_hash": CHEAP_HASH},
        ],
        "partners": [{"name": "P1", "tier": "Gold", "area_manager": "am@example.com",
                      "addresses": [{"label": "Office", "recipient": "P1 Srl", "street": "Via Roma 1",
                                     "postcode": "20100", "city": "Milano"}]}],
        "customers": [{
            "partner": "P1", "name": "C1",
            "pbxs": [
                {"name": "c1-hq", "term": "yearly", "activated_on": "today-30d", "classound": True,
                 "devices": [{"sku": "YEA-T54W", "ownership": "rented", "quantity": 3},
                             {"sku": "YEA-T54W", "ownership": "owned", "quantity": 1}]},
                {"name": "c1-old", "term": "lifetime", "devices": [{"sku": "YEA-T54W", "ownership": "owned"}]},
            ],
        }],
        "invoices": [{"partner": "P1", "number": "INV-1", "issued_on": "today-40d", "due_on": "today-10d",
                      "amount": "100.00"}],
    }


def problems_of(session, doc, today=TODAY) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        load(session, doc, today)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


# --- the demo data set -------------------------------------------------------------------------


def test_demo_file_loads_with_the_promised_content(session, demo_data):
    report = load(session, copy.deepcopy(demo_data), TODAY)
    assert report.created["customers"] >= 30 and report.catalogue_version_id is not None

    demo_partner = session.scalar(select(Partner).where(Partner.name == "Demo Partner"))
    second = session.scalar(select(Partner).where(Partner.name == "Second Partner"))
    assert (demo_partner.tier.name, demo_partner.tier.discount_percent) == ("Gold", D("15"))
    assert (second.tier.name, second.tier.discount_percent) == ("Silver", D("8"))
    tiers = {t.name: t.discount_percent for t in session.scalars(select(PriceTier))}
    assert tiers == {"End user": D("0"), "Silver": D("8"), "Gold": D("15"), "Reseller": D("22")}

    # The logins, with the documented password.
    paola = accounts.authenticate(session, "partner@example.com", DEMO_PASSWORD)
    assert (paola.name, paola.role, paola.partner_id) == ("Paola Rossi", "partner", demo_partner.id)
    assert accounts.authenticate(session, "partner2@example.com", DEMO_PASSWORD).partner_id == second.id
    manager = accounts.authenticate(session, "manager@example.com", DEMO_PASSWORD)
    assert (manager.name, manager.role, manager.partner_id) == ("Marco Bianchi", "area_manager", None)
    assert demo_partner.area_manager_id == second.area_manager_id == manager.id
    assert accounts.authenticate(session, "admin@example.com", DEMO_PASSWORD).role == "admin"

    # Acme Srl: exactly one PBX of each term; the yearly one activated three months ago.
    acme = session.scalar(select(Customer).where(Customer.partner_id == demo_partner.id, Customer.name == "Acme Srl"))
    assert sorted(p.term for p in acme.pbxs) == sorted(["monthly", "yearly", "five_years", "lifetime"])
    by_term = {p.term: p for p in acme.pbxs}
    assert by_term["yearly"].activated_on == add_months(TODAY, -3) == date(2025, 12, 31)
    assert by_term["lifetime"].activated_on is None and by_term["lifetime"].services == []
    acme_devices = [d for p in acme.pbxs for d in p.devices]
    assert {d.ownership for d in acme_devices} == {"rented", "owned"}
    assert [p.term for p in acme.pbxs if any(s.kind == "classound" for s in p.services)] == ["yearly"]

    # Customers: Acme plus many more for Demo Partner, five for Second Partner, all with PBXs.
    demo_customers = session.scalars(select(Customer).where(Customer.partner_id == demo_partner.id)).all()
    assert len(demo_customers) - 1 >= 25
    second_customers = session.scalars(select(Customer).where(Customer.partner_id == second.id)).all()
    assert len(second_customers) == 5
    assert all(1 <= len(c.pbxs) for c in demo_customers + second_customers)
    assert all(c.vat_number and c.city for c in demo_customers if c.name != "Acme Srl")
    assert len(session.scalars(select(Address).where(Address.partner_id == demo_partner.id)).all()) in (2, 3)

    # Invoices: Second Partner's oldest open invoice is 10 days overdue; Demo Partner owes nothing overdue.
    assert (TODAY - oldest_open_due_date(session, second.id)).days == 10
    demo_invoices = session.scalars(select(Invoice).where(Invoice.partner_id == demo_partner.id)).all()
    assert demo_invoices and all(i.days_overdue(TODAY) == 0 for i in demo_invoices)
    assert any(i.paid_on is None for i in demo_invoices) and any(i.paid_on for i in demo_invoices)
    second_invoices = session.scalars(select(Invoice).where(Invoice.partner_id == second.id)).all()
    assert sum(1 for i in second_invoices if i.days_overdue(TODAY)) == 1
    assert sum(1 for i in second_invoices if i.paid_on) >= 2

    # The catalogue.
    products = session.scalars(select(Product)).all()
    hardware = [p for p in products if p.category != "classound"]
    assert len(hardware) >= 12
    assert {p.category for p in hardware} == {"desk_phone", "dect", "headset", "conference"}
    assert [p.category for p in products].count("classound") == 1
    assert len([p for p in hardware if p.stock == 0]) == 1
    assert any(p.bands for p in products)
    for product in products:
        monthly = product.opex_price("monthly")
        assert product.opex_price("yearly") == monthly * 10 and product.opex_price("five_years") == monthly * 45
        assert all(2 <= b.min_quantity and 0 < b.discount_percent < 100 for b in product.bands)

    # Rented devices hang off an HWaaS service priced at the partner's tier; owned ones off nothing.
    services = session.scalars(select(PbxService).where(PbxService.kind == "hwaas")).all()
    assert services
    for service in services:
        assert service.term == service.pbx.term != "lifetime" and service.started_on == service.pbx.activated_on
        partner_discount = service.pbx.customer.partner.tier.discount_percent
        assert service.unit_price == tier_price(service.product.opex_price(service.term), partner_discount)
    rented = session.scalars(select(Device).where(Device.ownership == "rented")).all()
    assert len(rented) == sum(s.quantity for s in services)
    assert all(d.service.product_id == d.product_id and d.service.pbx_id == d.pbx_id for d in rented)
    assert session.scalar(select(func.count()).select_from(Device).where(Device.service_id.is_not(None),
                                                                         Device.ownership == "owned")) == 0
    serials = session.scalars(select(Device.serial)).all()
    assert all(s.startswith("SN") and s[2:].isdigit() for s in serials) and len(set(serials)) == len(serials)
    # No subscription PBX is activated in the future, and none of them before four years ago.
    activations = session.scalars(select(Pbx.activated_on).where(Pbx.activated_on.is_not(None))).all()
    assert all(add_months(TODAY, -49) <= a <= TODAY for a in activations)


def test_demo_dates_move_with_today(session, demo_data):
    later = date(2031, 7, 15)
    load(session, copy.deepcopy(demo_data), later)
    second = session.scalar(select(Partner).where(Partner.name == "Second Partner"))
    assert (later - oldest_open_due_date(session, second.id)).days == 10
    hq = session.scalar(select(Pbx).where(Pbx.name == "acme-hq.pbx.example"))
    assert hq.activated_on == date(2031, 4, 15)


def test_loading_the_demo_twice_creates_no_duplicates(demo, demo_data):
    before = counts(demo)
    report = load(demo, copy.deepcopy(demo_data), TODAY)
    assert counts(demo) == before
    assert not report.changed
    assert report.catalogue_version_id is None  # nothing in the catalogue changed


def test_demo_file_is_what_the_generator_writes(tmp_path):
    import runpy

    script = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_json.py"
    generator = runpy.run_path(str(script))
    assert generator["build"]() == json.loads(DEMO_PATH.read_text(encoding="utf-8"))


# --- all or nothing ----------------------------------------------------------------------------


def test_one_bad_record_changes_nothing_and_is_named(session, demo_data):
    doc = copy.deepcopy(demo_data)
    index = next(i for i, c in enumerate(doc["customers"]) if i > 1 and len(c["pbxs"]) > 1)
    customer = doc["customers"][index]
    customer["pbxs"][1]["term"] = "weekly"
    problems = problems_of(session, doc)
    assert problems == [
        f'customers[{index}] "{customer["name"]}": pbxs[1] "{customer["pbxs"][1]["name"]}": '
        'term "weekly" is not one of monthly, yearly, five_years, lifetime'
    ]
    assert set(counts(session).values()) == {0}


def test_a_bad_file_leaves_existing_data_untouched(demo):
    before = counts(demo)
    doc = {
        # Would mark the overdue invoice paid and add a customer, but one record is wrong.
        "invoices": [{"partner": "Second Partner", "number": "SP-0011", "issued_on": "today-40d",
                      "due_on": "today-10d", "amount": "737.48", "paid_on": "today"}],
        "customers": [{"partner": "Demo Partner", "name": "New Customer Srl"},
                      {"partner": "No Such Partner", "name": "Orphan Srl"}],
    }
    problems = problems_of(demo, doc)
    assert problems == ['customers[1] "Orphan Srl": partner "No Such Partner" is neither in the file nor in the portal']
    assert counts(demo) == before
    assert demo.scalar(select(Invoice.paid_on).where(Invoice.number == "SP-0011")) is None


def test_every_problem_is_reported_at_once_in_document_order(session):
    doc = base_doc()
    doc["products"][0]["capex_price"] = 189.0
    doc["customers"][0]["pbxs"][0]["term"] = "weekly"
    doc["invoices"][0]["due_on"] = "today-50d"
    problems = problems_of(session, doc)
    assert problems == [
        'products[0] "YEA-T54W": capex_price 189.0 is a JSON number: write money as a string such as "189.00" '
        "so that no precision is lost",
        'customers[0] "C1": pbxs[0] "c1-hq": term "weekly" is not one of monthly, yearly, five_years, lifetime',
        'invoices[0] "INV-1": due_on 2026-02-09 is before issued_on 2026-02-19',
    ]


# --- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [12.5, 12, 0.1])
def test_money_as_a_json_number_is_refused(session, value):
    doc = base_doc()
    doc["invoices"][0]["amount"] = value
    [problem] = problems_of(session, doc)
    assert problem.startswith(f'invoices[0] "INV-1": amount {value} is a JSON number')
    assert "as a string" in problem and "precision" in problem


@pytest.mark.parametrize("value, message", [
    ("12.505", 'amount "12.505" is not an amount with at most two decimals, such as "12.50"'),
    ("1e3", 'amount "1e3" is not an amount with at most two decimals, such as "12.50"'),
    ("-5.00", 'amount "-5.00" must not be negative'),
    ("", 'amount "" is not an amount with at most two decimals, such as "12.50"'),
])
def test_money_must_be_a_plain_amount(session, value, message):
    doc = base_doc()
    doc["invoices"][0]["amount"] = value
    assert problems_of(session, doc) == [f'invoices[0] "INV-1": {message}']


def test_money_is_stored_as_exact_decimals(session):
    doc = base_doc()
    doc["invoices"][0]["amount"] = "1234567.8"
    load(session, doc, TODAY)
    assert session.scalar(select(Invoice.amount)) == D("1234567.80")
    service = session.scalar(select(PbxService).where(PbxService.kind == "hwaas"))
    assert service.unit_price == D("55.25")  # 65.00 less the Gold tier's 15 %
    classound = session.scalar(select(PbxService).where(PbxService.kind == "classound"))
    assert (classound.unit_price, classound.quantity, classound.term) == (D("102.00"), 1, "yearly")


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("token, today, expected", [
    ("today", date(2026, 3, 31), date(2026, 3, 31)),
    ("today-90d", date(2026, 3, 31), date(2025, 12, 31)),
    ("today+5d", date(2026, 12, 29), date(2027, 1, 3)),
    ("today-3m", date(2026, 3, 31), date(2025, 12, 31)),
    ("today-1m", date(2026, 3, 31), date(2026, 2, 28)),  # clamped to the month's end
    ("today-1m", date(2024, 3, 31), date(2024, 2, 29)),
    ("today+1m", date(2024, 1, 31), date(2024, 2, 29)),
    ("today-3m", date(2024, 5, 31), date(2024, 2, 29)),
    ("today+1y", date(2024, 2, 29), date(2025, 2, 28)),
    ("2024-02-29", date(2026, 3, 31), date(2024, 2, 29)),
])
def test_relative_dates_resolve_against_today(token, today, expected):
    assert resolve_date(token, today) == expected


@pytest.mark.parametrize("token", ["yesterday", "today-3w", "today - 3d", "Today", "2024-02-30",
                                   "31/01/2024", "20240131", "", "today+99999999d"])
def test_what_is_not_a_date(token):
    with pytest.raises(ValueError):
        resolve_date(token, TODAY)


def test_relative_dates_are_resolved_on_import(session):
    doc = base_doc()
    doc["customers"][0]["pbxs"][0]["activated_on"] = "today-1m"
    doc["invoices"][0].update(issued_on="today-2m", due_on="today-1m", paid_on="today")
    load(session, doc, date(2024, 3, 31))
    assert session.scalar(select(Pbx.activated_on).where(Pbx.name == "c1-hq")) == date(2024, 2, 29)
    invoice = session.scalar(select(Invoice))
    assert (invoice.issued_on, invoice.due_on, invoice.paid_on) == (date(2024, 1, 31), date(2024, 2, 29),
                                                                   date(2024, 3, 31))
    service = session.scalar(select(PbxService).where(PbxService.kind == "hwaas"))
    assert service.started_on == date(2024, 2, 29)


# --- updates by natural key --------------------------------------------------------------------


def test_an_import_marks_an_invoice_paid(demo):
    second = demo.scalar(select(Partner).where(Partner.name == "Second Partner"))
    report = load(demo, {"invoices": [{"partner": "Second Partner", "number": "SP-0011", "issued_on": "today-40d",
                                       "due_on": "today-10d", "amount": "737.48", "paid_on": "today"}]}, TODAY)
    assert report.updated["invoices"] == 1 and report.created["invoices"] == 0
    assert demo.scalar(select(Invoice.paid_on).where(Invoice.number == "SP-0011")) == TODAY
    assert oldest_open_due_date(demo, second.id) > TODAY  # only the not-yet-due invoice is open


def test_a_product_import_replaces_prices_and_bands_and_records_a_catalogue_version(session):
    load(session, base_doc(), TODAY)
    versions = session.scalar(select(func.count()).select_from(CatalogueVersion))
    product = {"sku": "YEA-T54W", "name": "Yealink T54W", "category": "desk_phone", "capex_price": "179.00",
               "opex_prices": {"monthly": "6.00", "yearly": "60.00", "five_years": "270.00"},
               "bands": [{"min_quantity": 10, "discount_percent": "5"}]}
    report = load(session, {"products": [product]}, TODAY)
    assert report.updated["products"] == 1 and report.catalogue_version_id is not None
    t54w = session.scalar(select(Product).where(Product.sku == "YEA-T54W"))
    session.refresh(t54w)
    assert t54w.capex_price == D("179.00") and t54w.stock == 5  # stock left out: kept
    assert {p.term: p.opex_price for p in t54w.prices} == {
        "monthly": D("6.00"), "yearly": D("60.00"), "five_years": D("270.00")}
    assert [(b.min_quantity, b.discount_percent) for b in t54w.bands] == [(10, D("5"))]
    latest = session.scalar(select(CatalogueVersion).order_by(CatalogueVersion.id.desc()))
    assert latest.note == "import" and session.scalar(select(func.count()).select_from(CatalogueVersion)) == versions + 1

    product["bands"] = [{"min_quantity": 25, "discount_percent": "10"}]
    load(session, {"products": [product]}, TODAY)
    session.refresh(t54w)
    assert [(b.min_quantity, b.discount_percent) for b in t54w.bands] == [(25, D("10"))]
    # Services already sold keep the price they were sold at.
    assert session.scalar(select(PbxService.unit_price).where(PbxService.kind == "hwaas")) == D("55.25")


def test_natural_keys_match_existing_records(session):
    load(session, base_doc(), TODAY)
    before = counts(session)
    doc = base_doc()
    doc["users"][1]["email"] = "P@EXAMPLE.COM"  # e-mails match whatever their case
    doc["users"][1]["name"] = "Piero Rinaldi"
    doc["customers"][0]["city"] = "Bergamo"
    doc["partners"][0]["addresses"][0]["street"] = "Via Roma 2"
    report = load(session, doc, TODAY)
    assert counts(session) == before
    assert (report.updated["users"], report.updated["customers"], report.updated["addresses"]) == (1, 1, 1)
    assert session.scalar(select(User.name).where(User.email == "p@example.com")) == "Piero Rinaldi"
    assert report.notes  # the PBXs' equipment was already there and is not doubled


def test_a_new_password_is_hashed_and_ends_old_sessions(session):
    load(session, base_doc(), TODAY)
    user = session.scalar(select(User).where(User.email == "p@example.com"))
    version = user.session_version
    load(session, {"users": [{"email": "p@example.com", "name": "Piero Partner", "role": "partner",
                              "partner": "P1", "password": "a-brand-new-password"}]}, TODAY)
    assert accounts.authenticate(session, "p@example.com", "a-brand-new-password") is user
    assert user.session_version == version + 1 and "a-brand-new-password" not in user.password_hash


# --- validation rules --------------------------------------------------------------------------


def _set(path, value):
    def mutate(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        target[last] = value
    return mutate


def _delete(path):
    def mutate(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        del target[last]
    return mutate


def _append(path, value):
    def mutate(doc):
        target = doc
        for key in path:
            target = target[key]
        target.append(value)
    return mutate


PBX = ("customers", 0, "pbxs", 0)
C1_HQ = 'customers[0] "C1": pbxs[0] "c1-hq"'
C1_OLD = 'customers[0] "C1": pbxs[1] "c1-old"'


@pytest.mark.parametrize("mutate, expected", [
    (_set(("users", 0, "role"), "boss"), 'users[0] "AM@Example.com": role "boss" is not one of partner, area_manager, admin'),
    (_delete(("users", 1, "partner")), 'users[1] "p@example.com": partner is required for a user with role partner'),
    (_set(("users", 1, "partner"), "P2"),
     'users[1] "p@example.com": partner "P2" is neither in the file nor in the portal'),
    (_set(("users", 0, "partner"), "P1"),
     'users[0] "AM@Example.com": a user with role area_manager belongs to no partner: leave partner out'),
    (_set(("users", 1, "email"), "not-an-email"), 'users[1] "not-an-email": email "not-an-email" is not an e-mail address'),
    (_delete(("users", 1, "password_hash")), 'users[1] "p@example.com": a new user needs a password (or a password_hash)'),
    (_set(("users", 0, "role"), "admin"),
     'partners[0] "P1": area_manager "am@example.com" is a user with role admin, not area_manager'),
    (_set(("partners", 0, "area_manager"), "who@example.com"),
     'partners[0] "P1": area_manager "who@example.com" is not a known user'),
    (_set(("partners", 0, "tier"), "Platinum"),
     'partners[0] "P1": tier "Platinum" is neither in the file nor in the portal (known: Gold)'),
    (_set(PBX + ("term",), "weekly"), f'{C1_HQ}: term "weekly" is not one of monthly, yearly, five_years, lifetime'),
    (_set(PBX + ("name",), "c1\u0000hq"), 'customers[0] "C1": pbxs[0] "c1\u0000hq": name "c1\\u0000hq" contains control '
     'characters (such as NUL or a line break)'),
    (_delete(PBX + ("activated_on",)), f"{C1_HQ}: activated_on is required for a yearly PBX"),
    (_set(PBX + ("activated_on",), "today+1d"), f"{C1_HQ}: activated_on 2026-04-01 is in the future (today is 2026-03-31)"),
    (_set(("customers", 0, "pbxs", 1, "activated_on"), "today-3d"),
     f"{C1_OLD}: a lifetime PBX is not a subscription and has no activated_on"),
    (_set(("customers", 0, "pbxs", 1, "classound"), True),
     f"{C1_OLD}: CLASSOUND needs a subscription PBX (monthly, yearly or five_years), not a lifetime one"),
    (_set(("customers", 0, "pbxs", 1, "devices", 0, "ownership"), "rented"),
     f'{C1_OLD}: devices[0] "YEA-T54W": rented devices (HWaaS) need a subscription PBX: a lifetime PBX can only '
     "have owned devices"),
    (_set(PBX + ("devices", 0, "sku"), "SNO-D785"),
     f'{C1_HQ}: devices[0] "SNO-D785": sku "SNO-D785" is neither in the file nor in the portal'),
    (_set(PBX + ("devices", 0, "ownership"), "leased"),
     f'{C1_HQ}: devices[0] "YEA-T54W": ownership "leased" is not one of rented, owned'),
    (_set(PBX + ("devices", 0, "quantity"), 0), f'{C1_HQ}: devices[0] "YEA-T54W": quantity 0 must be between 1 and 10000'),
    (_set(PBX + ("devices", 0, "sku"), "CLASSOUND"),
     f'{C1_HQ}: devices[0] "CLASSOUND": CLASSOUND is the CLASSOUND service, not a device: use "classound": true '
     "on the PBX"),
    (_delete(("products", 0, "opex_prices", "five_years")), 'products[0] "YEA-T54W": opex_prices: five_years is required'),
    (_delete(("products", 0, "opex_prices")),
     'products[0] "YEA-T54W": opex_prices is required (an object with monthly, yearly, five_years)'),
    (_set(("products", 0, "category"), "fax"),
     'products[0] "YEA-T54W": category "fax" is not one of desk_phone, dect, headset, conference, classound'),
    (_set(("products", 0, "bands"), [{"min_quantity": 1, "discount_percent": "5"}]),
     'products[0] "YEA-T54W": bands[0]: min_quantity 1 must be at least 2'),
    (_set(("products", 0, "bands"), [{"min_quantity": 10, "discount_percent": "100"}]),
     'products[0] "YEA-T54W": bands[0]: discount_percent 100 must be above 0 and below 100'),
    (_set(("products", 0, "bands"), [{"min_quantity": 10, "discount_percent": "0"}]),
     'products[0] "YEA-T54W": bands[0]: discount_percent 0 must be above 0 and below 100'),
    (_set(("price_tiers", 0, "discount_percent"), "100"),
     'price_tiers[0] "Gold": discount_percent 100 must be at least 0 and below 100'),
    (_set(("invoices", 0, "due_on"), "today-41d"), 'invoices[0] "INV-1": due_on 2026-02-18 is before issued_on 2026-02-19'),
    (_set(("invoices", 0, "paid_on"), "today+1d"), 'invoices[0] "INV-1": paid_on 2026-04-01 is in the future (today is 2026-03-31)'),
    (_set(("customers", 0, "pbxs", 0, "activated"), "today"),
     f'{C1_HQ}: unknown key "activated" (known keys: name, term, activated_on, classound, devices)'),
    (_set(("customers", 0, "name"), 42), 'customers[0]: name must be a string, not a number'),
    (_set(("customers",), {"name": "C1"}), "customers must be a list, not an object"),
    (_set(("version",), 2), "version 2 is not supported (this portal reads version 1)"),
    (_set(("partners", 0, "addresses", 0, "country"), "Italy"),
     'partners[0] "P1": addresses[0] "Office": country "Italy" is not a two-letter country code such as "IT"'),
])
def test_validation_rules(session, mutate, expected):
    doc = base_doc()
    mutate(doc)
    assert problems_of(session, doc) == [expected]
    assert set(counts(session).values()) == {0}


@pytest.mark.parametrize("kind, record, expected", [
    ("price_tiers", {"name": "Gold", "discount_percent": "10"}, 'price_tiers[1] "Gold": duplicate price tier name'),
    ("users", {"email": "am@EXAMPLE.com", "name": "X", "role": "admin", "password_hash": CHEAP_HASH},
     'users[2] "am@EXAMPLE.com": duplicate user e-mail'),
    ("partners", {"name": "P1", "tier": "Gold"}, 'partners[1] "P1": duplicate partner name'),
    ("customers", {"partner": "P1", "name": "C1"}, 'customers[1] "C1": duplicate customer for this partner'),
    ("invoices", {"partner": "P1", "number": "INV-1", "issued_on": "today", "due_on": "today", "amount": "1.00"},
     'invoices[1] "INV-1": duplicate invoice number'),
])
def test_duplicate_keys_inside_the_file(session, kind, record, expected):
    doc = base_doc()
    doc[kind].append(record)
    [problem] = problems_of(session, doc)
    assert problem.startswith(expected + ": already given by ")


def test_duplicate_pbx_in_one_customer(session):
    doc = base_doc()
    doc["customers"][0]["pbxs"].append({"name": "c1-hq", "term": "monthly", "activated_on": "today"})
    assert problems_of(session, doc) == [
        'customers[0] "C1": pbxs[2] "c1-hq": duplicate PBX name for this customer: '
        'already given by customers[0] "C1": pbxs[0] "c1-hq"'
    ]


def test_references_may_point_at_records_already_in_the_portal(session):
    load(session, base_doc(), TODAY)
    doc = {"customers": [{"partner": "P1", "name": "C2", "pbxs": [
        {"name": "c2", "term": "monthly", "activated_on": "today", "classound": True,
         "devices": [{"sku": "YEA-T54W", "ownership": "rented", "quantity": 2}]}]}],
        "users": [{"email": "p2@example.com", "name": "P Two", "role": "partner", "partner": "P1",
                   "password_hash": CHEAP_HASH}],
        "partners": [{"name": "P2", "tier": "Gold", "area_manager": "am@example.com"}]}
    report = load(session, doc, TODAY)
    assert (report.created["customers"], report.created["services"], report.created["devices"]) == (1, 2, 2)


def test_the_term_of_a_pbx_with_services_cannot_change(session):
    load(session, base_doc(), TODAY)
    doc = {"customers": [{"partner": "P1", "name": "C1", "pbxs": [{"name": "c1-hq", "term": "monthly",
                                                                     "activated_on": "today-30d"}]}]}
    assert problems_of(session, doc) == [
        f"{C1_HQ}: term cannot change from yearly to monthly: the PBX already has services, carts or orders, which share its term"
    ]


def test_the_document_must_be_an_object(session):
    assert problems_of(session, []) == ["the document must be a JSON object, not a list"]


# --- bulk --------------------------------------------------------------------------------------


def _many_customers(n: int) -> dict:
    doc = base_doc()
    doc["customers"] = [
        {"partner": "P1", "name": f"Customer {i}", "pbxs": [
            {"name": f"pbx-{i}-{j}", "term": "yearly", "activated_on": f"today-{i + j}d", "classound": j == 0,
             "devices": [{"sku": "YEA-T54W", "ownership": "rented", "quantity": 4},
                         {"sku": "YEA-T54W", "ownership": "owned", "quantity": 2}]}
            for j in range(2)
        ]}
        for i in range(n)
    ]
    return doc


def _count_statements(session, doc) -> Counter:
    statements = Counter()

    def count(conn, cursor, statement, parameters, context, executemany):
        statements[statement.split(None, 1)[0].upper()] += 1

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        load(session, doc, TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


def test_bulk_import_does_not_query_per_row(session):
    small = _count_statements(session, _many_customers(3))
    session.rollback()
    big = _count_statements(session, _many_customers(300))  # 600 PBXs, 3600 devices
    assert big["SELECT"] == small["SELECT"]
    assert session.scalar(select(func.count()).select_from(Device)) == 3600


# --- the flask commands ------------------------------------------------------------------------


@pytest.fixture
def cli(app, monkeypatch):
    """Run a `flask` command (business date pinned to TODAY); db.session then sees what it committed."""
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    runner = app.test_cli_runner()
    with app.app_context():
        yield lambda *args: runner.invoke(args=list(args))
        db.session.remove()


def test_flask_demo_loads_the_demo_data_once(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Demo data loaded\n")
    second = db.session.scalar(select(Partner).where(Partner.name == "Second Partner"))
    assert (TODAY - oldest_open_due_date(db.session, second.id)).days == 10  # HWAAS_TODAY is the business date
    again = cli("demo")
    assert again.exit_code == 0 and again.stdout == "Database not empty; demo data not loaded\n"


def test_the_demo_can_check_out_for_acme_at_once(cli):
    """Acme Srl's signed agreement is uploaded by the demo, awaiting the area manager's review,
    and its mail to the area manager waits in the outbox with the file attached."""
    from hwaas.models import Agreement, Customer, OutboxMail
    from hwaas.services.agreements import has_signed

    result = cli("demo")
    assert "signed agreement uploaded for Acme Srl" in result.stdout
    acme = db.session.scalar(select(Customer).where(Customer.name == "Acme Srl"))
    assert has_signed(db.session, acme.id)
    assert db.session.scalar(select(Agreement.status).where(Agreement.customer_id == acme.id)) == "uploaded"
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to == "manager@example.com"))
    assert "Acme Srl" in mail.subject and mail.attachments[0].content_type == "application/pdf"


def test_flask_demo_logins_prints_the_logins_and_password(cli):
    result = cli("demo-logins")
    assert result.exit_code == 0
    assert "hwaas-demo-password" in result.stdout
    for email in ("partner@example.com", "partner2@example.com", "manager@example.com", "admin@example.com"):
        assert email in result.stdout


def test_flask_import_data_imports_and_reports(cli, tmp_path):
    path = tmp_path / "data.json"
    doc = base_doc()
    path.write_text(json.dumps(doc))
    result = cli("import-data", str(path))
    assert result.exit_code == 0, result.output
    assert "customers" in result.stdout and db.session.scalar(select(func.count()).select_from(Customer)) == 1

    dry = tmp_path / "dry.json"
    dry.write_text(json.dumps({"customers": [{"partner": "P1", "name": "C9"}]}))
    assert cli("import-data", "--dry-run", str(dry)).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 1


def test_flask_import_data_prints_every_problem_and_changes_nothing(cli, tmp_path):
    doc = base_doc()
    doc["customers"][0]["pbxs"][0]["term"] = "weekly"
    doc["invoices"][0]["amount"] = 100.0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = cli("import-data", str(path))
    assert result.exit_code == 1
    assert "2 problem(s) found; nothing was imported." in result.stderr
    assert f'{C1_HQ}: term "weekly" is not one of' in result.stderr
    assert 'invoices[0] "INV-1": amount 100.0 is a JSON number' in result.stderr
    assert set(counts(db.session).values()) == {0}


@pytest.mark.parametrize("text, message", [
    ('{"users": [], "users": []}', 'A key appears twice inside one object ("users")'),
    ('{"users": [', "not valid JSON: Expecting value at line 1, column 12"),
])
def test_flask_import_data_refuses_broken_json(cli, tmp_path, text, message):
    path = tmp_path / "broken.json"
    path.write_text(text)
    result = cli("import-data", str(path))
    assert result.exit_code == 1 and message in result.stderr


def test_the_documented_examples_load(session):
    doc_path = Path(__file__).resolve().parents[2] / "docs" / "import-format.md"
    example, pay = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", doc_path.read_text(), re.S)]
    report = load(session, example, TODAY)
    assert report.created["pbxs"] == 2 and report.created["devices"] == 10
    report = load(session, pay, TODAY)
    assert report.updated["invoices"] == 1
    assert session.scalar(select(Invoice.paid_on).where(Invoice.number == "DP-0002")) == TODAY
