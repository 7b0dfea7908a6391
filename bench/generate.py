"""Bench data: a deterministic partner world of size S or L, loaded through the models with bulk
inserts into a fresh SQLite or PostgreSQL database whose schema comes from the migrations.

    .venv/bin/python -m bench.generate --size S --db sqlite
    .venv/bin/python -m bench.generate --size L --db postgresql

Every constraint of the schema holds: composite keys (a PBX carries its customer's partner, a
service its PBX's term, an order its PBX, customer and term), unique order numbers, rented
devices linked to their HWaaS service. The biggest partner (id 1, user big@bench.example) owns
10 % of customers, PBXs, devices and orders, has no overdue invoice and a signed agreement for
every customer, and a saved 20-line cart: it is the partner the benchmark signs in as.
"""
import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SEED = 20261125
TODAY = dt.date(2026, 11, 25)  # the pinned business date (HWAAS_TODAY) of every bench run
NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.timezone.utc)
BIG_EMAIL = "big@bench.example"
PASSWORD = "bench-password-2026"
BIG_SHARE = 0.10
CART_LINES = 20  # the saved cart the Cart page shows
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://hwaas:hwaas@127.0.0.1/hwaas")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "hwaas_bench")  # the databases made: <prefix>_s, <prefix>_l


@dataclass(frozen=True)
class Size:
    partners: int
    customers: int
    pbxs: int
    devices: int
    orders: int


SIZES = {
    "S": Size(partners=20, customers=500, pbxs=1_250, devices=12_500, orders=2_500),
    "L": Size(partners=500, customers=20_000, pbxs=50_000, devices=500_000, orders=100_000),
}

SURNAMES = ("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
            "De-Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani "
            "Rinaldi Caruso Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra "
            "Coppola De-Santis D'Angelo Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini "
            "Grasso Valentini Messina Sala De-Angelis Gatti Pellegrini Palumbo Sanna Farina Rizzi").split()
TRADES = ("Impianti Logistica Consulting Trasporti Edilizia Alimentari Meccanica Studio Farmacia Hotel "
          "Assicurazioni Ottica Arredamenti Elettronica Informatica Tessile Ceramiche Vini Auto Servizi").split()
FORMS = ("Srl", "SpA", "Snc", "Sas", "Srls")
CITIES = ("Milano Roma Torino Napoli Bologna Firenze Genova Venezia Verona Padova Trieste Bari Palermo "
          "Catania Brescia Bergamo Parma Modena Trento Bolzano Udine Perugia Ancona Pescara Cagliari "
          "Lecce Como Varese Monza Pisa Siena Lucca Rimini Ravenna Ferrara Piacenza Novara Vicenza Treviso").split()
TERM_WEIGHTS = (("monthly", 30), ("yearly", 45), ("five_years", 15), ("lifetime", 10))
ORDER_STATUS_PATHS = (
    (("awaiting_approval",), 10), (("awaiting_approval", "approved"), 10),
    (("awaiting_approval", "approved", "shipped"), 10),
    (("awaiting_approval", "approved", "shipped", "active"), 60),
    (("awaiting_approval", "cancelled"), 5), (("awaiting_approval", "rejected"), 5),
)
EXTRA_MODELS = {  # synthetic models beside the demo catalogue, so that 20-line carts are possible
    "desk_phone": ("Snom D7{}5", "Fanvil X{}U", "Grandstream GXP21{}0", "Poly Edge E{}20"),
    "dect": ("Gigaset N{}70", "Snom M{}5"),
    "headset": ("Jabra Evolve2 {}5", "EPOS Impact {}0"),
    "conference": ("Konftel {}00", "Yealink CP{}5"),
}


def database_url(db: str, size: str) -> str:
    if db == "sqlite":
        return f"sqlite:///{OUT / f'{DB_PREFIX}_{size.lower()}.sqlite'}"
    base = sa.make_url(PG_ADMIN_URL)
    return base.set(database=f"{DB_PREFIX}_{size.lower()}").render_as_string(hide_password=False)


def fresh_database(url: str) -> None:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = parsed.database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def make_app(url: str, **overrides):
    from hwaas import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-only-not-a-secret",
                      HWAAS_TODAY=TODAY.isoformat(), **overrides)


# --- the rows --------------------------------------------------------------------------------


class World:
    """Rows per model, built in memory from one seeded random generator."""

    def __init__(self, size: Size, seed: int = SEED):
        self.size = size
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.facts: dict = {}

    def build(self, password_hash: str) -> "World":
        self._catalogue()
        self._people(password_hash)
        self._customers()
        self._pbxs()
        self._devices_and_services()
        self._charges()
        self._orders()
        self._agreements()
        self._carts()
        return self

    # catalogue: the demo's tiers and products, and synthetic models beside them
    def _catalogue(self):
        demo = json.loads((ROOT / "hwaas" / "data" / "demo.json").read_text())
        self.tiers = []
        for i, tier in enumerate(demo["price_tiers"], start=1):
            self.tiers.append({"id": i, "name": tier["name"], "discount_percent": Decimal(tier["discount_percent"])})
        self.rows["PriceTier"] = self.tiers
        self.rows["CatalogueVersion"] = [{"id": 1, "changed_at": NOW, "note": "bench catalogue"}]
        products, prices, bands = [], [], []

        def add(sku, name, category, description, capex, stock, opex, product_bands):
            pid = len(products) + 1
            products.append({"id": pid, "sku": sku, "name": name, "category": category, "description": description,
                             "capex_price": capex, "stock": stock, "active": True})
            for term, price in opex.items():
                prices.append({"product_id": pid, "term": term, "opex_price": price})
            for band in product_bands:
                bands.append({"id": len(bands) + 1, "product_id": pid, **band})

        for p in demo["products"]:
            add(p["sku"], p["name"], p["category"], p.get("description", ""), Decimal(p.get("capex_price", "0")),
                p.get("stock", 0), {t: Decimal(v) for t, v in p.get("opex_prices", {}).items()},
                [{"min_quantity": b["min_quantity"], "discount_percent": Decimal(b["discount_percent"])}
                 for b in p.get("bands", [])])
        rng = self.rng
        for category, patterns in EXTRA_MODELS.items():
            for pattern in patterns:
                for digit in (2, 4, 6):
                    name = pattern.format(digit)
                    monthly = Decimal(rng.randrange(300, 1500)) / 100
                    opex = {"monthly": monthly, "yearly": monthly * 10, "five_years": monthly * 45}
                    capex = (monthly * 28).quantize(Decimal("1"))
                    add(f"BN-{len(products) + 1:04d}", name, category, f"{name}, bench model", capex,
                        rng.randrange(-5, 300), opex,
                        [{"min_quantity": 10, "discount_percent": Decimal("5")}] if rng.random() < 0.3 else [])
        self.rows["Product"], self.rows["ProductPrice"], self.rows["QuantityBand"] = products, prices, bands
        self.prices = {(r["product_id"], r["term"]): r["opex_price"] for r in prices}
        hardware = [p for p in products if p["category"] != "classound"]
        self.hardware_for = {t: [p["id"] for p in hardware if (p["id"], t) in self.prices]
                             for t in ("monthly", "yearly", "five_years")}
        self.hardware_ids = [p["id"] for p in hardware]
        self.classound_ids = [p["id"] for p in products if p["category"] == "classound"]

    def _people(self, password_hash):
        rng, n = self.rng, self.size.partners
        users = []

        def user(email, name, role, partner_id=None):
            users.append({"id": len(users) + 1, "email": email, "name": name, "password_hash": password_hash,
                          "role": role, "partner_id": partner_id, "active": True, "session_version": 1,
                          "team_role": "owner" if role == "partner" else None, "created_at": NOW})
            return users[-1]["id"]

        managers = [user(f"am{i}@bench.example", f"Area manager {i}", "area_manager") for i in range(1, 11)]
        user("admin@bench.example", "Bench admin", "admin")
        partners, addresses, invoices = [], [], []
        self.partner_users: dict[int, list[int]] = {}
        for pid in range(1, n + 1):
            name = "Bench Big Partner" if pid == 1 else f"Partner {pid:04d} {rng.choice(SURNAMES)} {rng.choice(TRADES)}"
            partners.append({"id": pid, "name": name, "tier_id": 3 if pid == 1 else rng.randrange(1, 5),
                             "area_manager_id": rng.choice(managers), "email": f"orders{pid}@bench.example",
                             "totp_required": False, "created_at": NOW})
            emails = [BIG_EMAIL] if pid == 1 else []
            emails += [f"user{pid}.{k}@bench.example" for k in range(1, 3)]
            self.partner_users[pid] = [user(e, f"User {e.split('@')[0]}", "partner", pid) for e in emails]
            for k in range(2):
                city = rng.choice(CITIES)
                addresses.append({"id": len(addresses) + 1, "partner_id": pid, "label": f"{city} warehouse {k + 1}",
                                  "recipient": "Receiving dept.", "street": f"Via {rng.choice(SURNAMES)} {rng.randrange(1, 200)}",
                                  "postcode": f"{rng.randrange(10000, 99999)}", "city": city, "country": "IT",
                                  "created_at": NOW})
            overdue = pid != 1 and rng.random() < 0.05
            for k in range(4):
                due = TODAY - dt.timedelta(days=30 * (4 - k))
                paid = None if (overdue and k == 3) else due - dt.timedelta(days=rng.randrange(0, 10))
                invoices.append({"id": len(invoices) + 1, "partner_id": pid, "number": f"INV-{pid:04d}-{k + 1}",
                                 "issued_on": due - dt.timedelta(days=30), "due_on": due,
                                 "amount": Decimal(rng.randrange(5000, 500000)) / 100, "paid_on": paid, "created_at": NOW})
            # The current month's invoice, open and not yet due.
            invoices.append({"id": len(invoices) + 1, "partner_id": pid, "number": f"INV-{pid:04d}-5",
                             "issued_on": TODAY - dt.timedelta(days=5), "due_on": TODAY + dt.timedelta(days=25),
                             "amount": Decimal(rng.randrange(5000, 500000)) / 100, "paid_on": None, "created_at": NOW})
        self.rows["User"], self.rows["Partner"] = users, partners
        self.rows["Address"], self.rows["Invoice"] = addresses, invoices
        self.managers = managers

    def _split(self, total: int) -> tuple[int, int]:
        big = round(total * BIG_SHARE)
        return big, total - big

    def _customers(self):
        rng, size = self.rng, self.size
        big, rest = self._split(size.customers)
        owners = [1] * big + [2 + i % (size.partners - 1) for i in range(min(rest, size.partners - 1))]
        owners += [rng.randrange(2, size.partners + 1) for _ in range(rest - (len(owners) - big))]
        rows = []
        for cid, pid in enumerate(owners, start=1):
            rows.append({"id": cid, "partner_id": pid,
                         "name": f"{rng.choice(SURNAMES)} {rng.choice(TRADES)} {rng.choice(FORMS)}",
                         "vat_number": f"IT{rng.randrange(10**10, 10**11):011d}", "city": rng.choice(CITIES),
                         "email": f"it@customer{cid}.example", "created_at": NOW})
        self.rows["Customer"] = rows
        self.customers_of_group = ([c["id"] for c in rows if c["partner_id"] == 1],
                                   [c["id"] for c in rows if c["partner_id"] != 1])
        self.customer_partner = {c["id"]: c["partner_id"] for c in rows}

    @staticmethod
    def _spread(rng, total: int, buckets: list[int]) -> list[int]:
        """`total` items over `buckets`: one each first (while they last), the rest at random."""
        first = buckets[:total]
        return first + [rng.choice(buckets) for _ in range(total - len(first))]

    def _pbxs(self):
        rng = self.rng
        terms, weights = zip(*TERM_WEIGHTS)
        rows = []
        for group, count in zip(self.customers_of_group, self._split(self.size.pbxs)):
            for cid in sorted(self._spread(rng, count, group)):
                term = rng.choices(terms, weights)[0]
                if term == "lifetime":
                    activated = None if rng.random() < 0.5 else TODAY - dt.timedelta(days=rng.randrange(100, 3000))
                else:
                    # A few PBXs are activated in the future: shown, not yet orderable.
                    days = -rng.randrange(1, 60) if rng.random() < 0.02 else rng.randrange(0, 1500)
                    activated = TODAY - dt.timedelta(days=days)
                pid = len(rows) + 1
                rows.append({"id": pid, "partner_id": self.customer_partner[cid], "customer_id": cid,
                             "name": f"pbx{pid:06d}.voip.example", "term": term, "activated_on": activated,
                             "created_at": NOW})
        self.rows["Pbx"] = rows
        self.pbx = {p["id"]: p for p in rows}
        self.pbxs_of_group = ([p["id"] for p in rows if p["partner_id"] == 1],
                              [p["id"] for p in rows if p["partner_id"] != 1])

    def _devices_and_services(self):
        rng = self.rng
        devices, services = [], []
        for group, count in zip(self.pbxs_of_group, self._split(self.size.devices)):
            per_pbx = defaultdict(int)
            for pbx_id in self._spread(rng, count, group):
                per_pbx[pbx_id] += 1
            for pbx_id in sorted(per_pbx):
                pbx = self.pbx[pbx_id]
                term, subscription = pbx["term"], pbx["term"] != "lifetime"
                by_service: dict[int, int] = {}
                for _ in range(per_pbx[pbx_id]):
                    rented = subscription and rng.random() < 0.7
                    candidates = self.hardware_for[term] if rented else self.hardware_ids
                    product = rng.choice(candidates)
                    service_id = None
                    if rented:
                        service_id = by_service.get(product)
                        if service_id is None:
                            service_id = by_service[product] = len(services) + 1
                            services.append({"id": service_id, "pbx_id": pbx_id, "term": term, "kind": "hwaas",
                                             "product_id": product, "quantity": 0,
                                             "unit_price": self.prices[(product, term)],
                                             "started_on": pbx["activated_on"], "status": "active"})
                        services[service_id - 1]["quantity"] += 1
                    did = len(devices) + 1
                    devices.append({"id": did, "pbx_id": pbx_id, "product_id": product,
                                    "ownership": "rented" if rented else "owned", "service_id": service_id,
                                    "serial": f"SN{did:010d}",
                                    "mac": "00:15:65:" + ":".join(f"{(did >> s) & 0xFF:02X}" for s in (16, 8, 0)),
                                    "created_at": NOW})
                if subscription and self.classound_ids and rng.random() < 0.2:
                    product = rng.choice(self.classound_ids)
                    if (product, term) in self.prices:
                        services.append({"id": len(services) + 1, "pbx_id": pbx_id, "term": term, "kind": "classound",
                                         "product_id": product, "quantity": 1,
                                         "unit_price": self.prices[(product, term)],
                                         "started_on": pbx["activated_on"], "status": "active"})
        self.rows["PbxService"], self.rows["Device"] = services, devices

    def _charges(self):
        """Each service's initial charge for its current period, as an import gives it (the
        renewal job's first run would), so the Charges page and MRR have their figures."""
        from hwaas.services.pricing import current_period

        rows = []
        for s in self.rows["PbxService"]:
            pbx = self.pbx[s["pbx_id"]]
            if s["started_on"] > TODAY:
                continue
            start, expires = current_period(pbx["activated_on"], s["term"], TODAY)
            rows.append({"id": len(rows) + 1, "partner_id": pbx["partner_id"], "customer_id": pbx["customer_id"],
                         "pbx_id": pbx["id"], "service_id": s["id"], "term": s["term"], "kind": "initial",
                         "period_start": start, "period_end": expires, "quantity": s["quantity"],
                         "unit_price": s["unit_price"],
                         "amount": s["unit_price"] * s["quantity"],  # started with its PBX: a full period
                         "note": "In service before it was charged in the portal", "created_at": NOW})
        self.rows["Charge"] = rows

    def _orders(self):
        from hwaas.services.pricing import quote_line

        rng = self.rng
        paths, weights = zip(*ORDER_STATUS_PATHS)
        orders, lines, history = [], [], []
        for group, count in zip(self.pbxs_of_group, self._split(self.size.orders)):
            orderable = [p for p in group if self.pbx[p]["term"] != "lifetime" and self.pbx[p]["activated_on"] <= TODAY]
            for pbx_id in sorted(self._spread(rng, count, orderable)):
                pbx = self.pbx[pbx_id]
                term, activated = pbx["term"], pbx["activated_on"]
                earliest = max(activated, TODAY - dt.timedelta(days=365))
                ordered_on = earliest + dt.timedelta(days=rng.randrange(0, (TODAY - earliest).days + 1))
                partner_id = pbx["partner_id"]
                placed_by = rng.choice(self.partner_users[partner_id])
                path = rng.choices(paths, weights)[0]
                oid = len(orders) + 1
                total = Decimal("0.00")
                for product in rng.sample(self.hardware_for[term], rng.randrange(1, 4)):
                    quote = quote_line(self.prices[(product, term)], rng.randrange(1, 6), activated, term, ordered_on)
                    total += quote.amount
                    lines.append({"id": len(lines) + 1, "order_id": oid, "product_id": product,
                                  "sku": f"sku-{product}", "name": f"product {product}", "quantity": quote.quantity,
                                  "unit_price": quote.unit_price, "period_start": quote.start,
                                  "period_end": quote.expires, "days": quote.days,
                                  "period_days": quote.period_days, "amount": quote.amount})
                at = dt.datetime.combine(ordered_on, dt.time(9, 0), dt.timezone.utc)
                city = rng.choice(CITIES)
                orders.append({
                    "id": oid, "number": f"HW-{ordered_on.year}-{oid:06d}", "partner_id": partner_id,
                    "customer_id": pbx["customer_id"], "pbx_id": pbx_id, "term": term, "cart_id": None,
                    "idempotency_key": None, "reference": f"PO-{oid}", "status": path[-1],
                    "ordered_on": ordered_on, "total": total, "delivery_recipient": "Receiving dept.",
                    "delivery_street": "Via Roma 1", "delivery_postcode": "20100", "delivery_city": city,
                    "delivery_country": "IT", "terms_accepted_at": at,
                    "shipment_date": ordered_on + dt.timedelta(days=3) if "shipped" in path else None,
                    "placed_by_id": placed_by, "created_at": at})
                previous = None
                for step, status in enumerate(path):
                    by = placed_by if status in ("awaiting_approval", "cancelled") else rng.choice(self.managers)
                    history.append({"id": len(history) + 1, "order_id": oid, "from_status": previous,
                                    "to_status": status, "changed_by_id": by,
                                    "changed_at": at + dt.timedelta(days=step), "note": ""})
                    previous = status
        # Order lines carry the product's real SKU and name (a price snapshot).
        products = {p["id"]: p for p in self.rows["Product"]}
        for line in lines:
            product = products[line["product_id"]]
            line["sku"], line["name"] = product["sku"], product["name"]
        self.rows["Order"], self.rows["OrderLine"], self.rows["OrderStatusChange"] = orders, lines, history

    def _agreements(self):
        rng = self.rng
        data = b"%PDF-1.4\n% bench: signed HWaaS agreement\n%%EOF\n"
        rows = []
        for c in self.rows["Customer"]:
            if c["partner_id"] == 1 or rng.random() < 0.3:
                rows.append({"id": len(rows) + 1, "partner_id": c["partner_id"], "customer_id": c["id"],
                             "filename": "signed.pdf", "content_type": "application/pdf", "size": len(data),
                             "data": data, "status": "approved" if rng.random() < 0.8 else "uploaded",
                             "uploaded_by_id": self.partner_users[c["partner_id"]][0], "uploaded_at": NOW,
                             "reviewed_by_id": None, "reviewed_at": None, "review_note": ""})
        self.rows["Agreement"] = rows

    def _carts(self):
        """The big partner's saved 20-line cart (the Cart page), and a saved cart for some others."""
        from hwaas.services.pricing import tier_price

        rng = self.rng
        carts, lines = [], []
        discount = {t["id"]: t["discount_percent"] for t in self.tiers}
        tier_of = {p["id"]: p["tier_id"] for p in self.rows["Partner"]}
        used = set()

        def cart(pbx, n_lines, priced_on):
            cid = len(carts) + 1
            carts.append({"id": cid, "partner_id": pbx["partner_id"], "customer_id": pbx["customer_id"],
                          "pbx_id": pbx["id"], "term": pbx["term"], "status": "saved", "priced_on": priced_on,
                          "bands_applied": False, "created_at": NOW, "updated_at": NOW, "saved_at": NOW})
            for product in sorted(rng.sample(self.hardware_for[pbx["term"]], n_lines)):
                lines.append({"id": len(lines) + 1, "cart_id": cid, "product_id": product,
                              "quantity": rng.randrange(1, 10),
                              "unit_price": tier_price(self.prices[(product, pbx["term"])],
                                                       discount[tier_of[pbx["partner_id"]]])})
            used.add(pbx["id"])
            return cid

        big = [self.pbx[p] for p in self.pbxs_of_group[0]
               if self.pbx[p]["term"] == "yearly" and self.pbx[p]["activated_on"] <= TODAY]
        self.facts["cart_id"] = cart(big[0], CART_LINES, TODAY)
        others = [self.pbx[p] for p in self.pbxs_of_group[1]
                  if self.pbx[p]["term"] != "lifetime" and self.pbx[p]["activated_on"] <= TODAY]
        for pbx in rng.sample(others, min(len(others), self.size.partners * 2)):
            if pbx["id"] not in used:
                cart(pbx, rng.randrange(1, 6), TODAY - dt.timedelta(days=rng.randrange(0, 30)))
        self.rows["Cart"], self.rows["CartLine"] = carts, lines


# --- loading ---------------------------------------------------------------------------------

# Parents before children; each name is a model of hwaas.models.
LOAD_ORDER = ("PriceTier", "CatalogueVersion", "Product", "ProductPrice", "QuantityBand", "Partner", "User",
              "Address", "Invoice", "Customer", "Pbx", "PbxService", "Charge", "Device", "Order", "OrderLine",
              "OrderStatusChange", "Agreement", "Cart", "CartLine")
CHUNK = 5_000
COPY_ABOVE = 20_000  # on PostgreSQL, tables with more rows than this go in by COPY


def _copy(session, model, rows) -> None:
    """COPY FROM STDIN through psycopg: the model's table and columns, values bound by its types."""
    table = model.__table__
    columns = list(rows[0])
    unknown = set(columns) - set(table.columns.keys())
    if unknown:
        raise ValueError(f"{table.name}: no such columns {unknown}")
    dialect = session.get_bind().dialect
    processors = [table.c[c].type.bind_processor(dialect) for c in columns]
    raw = session.connection().connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([p(row[c]) if p else row[c] for c, p in zip(columns, processors)])


def load(session, world: World, log=print) -> dict[str, int]:
    import hwaas.models as models

    postgres = session.get_bind().dialect.name == "postgresql"
    counts = {}
    # Partners and their area managers (users) refer to each other: partners go in without
    # their area manager, who is set once the users exist.
    managers = {p["id"]: p["area_manager_id"] for p in world.rows["Partner"]}
    for name in LOAD_ORDER:
        rows = world.rows.get(name, [])
        if not rows:
            continue
        model = getattr(models, name)
        started = time.perf_counter()
        if name == "Partner":
            rows = [{**p, "area_manager_id": None} for p in rows]
        if postgres and len(rows) > COPY_ABOVE:
            _copy(session, model, rows)
        else:
            for i in range(0, len(rows), CHUNK):
                session.execute(insert(model), rows[i:i + CHUNK])
        if name == "User":
            partners = models.Partner.__table__
            session.execute(
                partners.update().where(partners.c.id == sa.bindparam("pid"))
                .values(area_manager_id=sa.bindparam("am")),
                [{"pid": pid, "am": am} for pid, am in managers.items()])
        counts[model.__tablename__] = len(rows)
        log(f"  {model.__tablename__:<22} {len(rows):>9,} rows  {time.perf_counter() - started:6.2f} s")
    if postgres:
        for table in _tables():
            _reset_sequence(session, table)
    return counts


def _tables():
    from hwaas.extensions import db

    return db.metadata.sorted_tables


def _reset_sequence(session, table) -> None:
    if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
        return
    session.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
        f"COALESCE((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))


def generate(size_name: str, db: str, seed: int = SEED, log=print) -> dict:
    """Make the database of `size_name` on `db` from nothing; returns what was made and how long it took."""
    from flask_migrate import upgrade

    from hwaas.extensions import db as flask_db
    from hwaas.services.accounts import hash_password

    url = database_url(db, size_name)
    started = time.perf_counter()
    fresh_database(url)
    app = make_app(url)
    with app.app_context():
        upgrade()
        migrated = time.perf_counter()
        world = World(SIZES[size_name], seed).build(hash_password(PASSWORD))
        built = time.perf_counter()
        session = flask_db.session
        if db == "sqlite":
            session.execute(text("PRAGMA synchronous = OFF"))
            session.execute(text("PRAGMA foreign_keys = ON"))
        counts = load(session, world, log)
        session.commit()
        loaded = time.perf_counter()
        with flask_db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if db == "postgresql" else "ANALYZE"))
        flask_db.engine.dispose()
    finished = time.perf_counter()
    timings = {"migrate": migrated - started, "build": built - migrated, "load": loaded - built,
               "analyze": finished - loaded, "total": finished - started}
    log(f"  {size_name} on {db}: migrate {timings['migrate']:.1f} s, build {timings['build']:.1f} s, "
        f"load {timings['load']:.1f} s, analyze {timings['analyze']:.1f} s, total {timings['total']:.1f} s")
    return {"url": url, "counts": counts, "timings": timings, "facts": world.facts}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    result = generate(args.size, args.db, args.seed)
    print(f"{result['url']}: {sum(result['counts'].values()):,} rows in {result['timings']['total']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
