"""Write hwaas/data/demo.json, the demo data set, deterministically (random.Random(2026)).

Run from the project root: `python scripts/make_demo_json.py`. Standard library only. Dates are
relative to the day the data is loaded (today-90d …), so the demo never ages. The format is
described in docs/import-format.md.
"""
import json
import random
import re
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "hwaas" / "data" / "demo.json"
PASSWORD = "hwaas-demo-password"
DEMO = "Demo Partner"
SECOND = "Second Partner"

TIERS = [("End user", "0"), ("Silver", "8"), ("Gold", "15"), ("Reseller", "22")]

# sku, name, category, capex price, monthly OpEx, description
PRODUCTS = [
    ("YEA-T54W", "Yealink T54W", "desk_phone", "189.00", "6.50", "Prime business phone, 4.3\" colour screen, Wi-Fi and Bluetooth"),
    ("YEA-T57W", "Yealink T57W", "desk_phone", "259.00", "8.90", "Prime business phone, 7\" adjustable touch screen"),
    ("YEA-T46U", "Yealink T46U", "desk_phone", "149.00", "5.20", "Business phone, 4.3\" colour screen, two USB ports"),
    ("YEA-T31G", "Yealink T31G", "desk_phone", "69.00", "2.60", "Entry-level phone, two lines, gigabit"),
    ("SNO-D785", "Snom D785", "desk_phone", "219.00", "7.40", "Desk phone, 4.3\" colour screen, 24 self-labelling keys"),
    ("SNO-D735", "Snom D735", "desk_phone", "169.00", "5.90", "Desk phone, 2.8\" colour screen, 32 function keys"),
    ("SNO-D717", "Snom D717", "desk_phone", "119.00", "4.30", "Desk phone, 2.8\" colour screen, gigabit"),
    ("GIG-N670", "Gigaset N670 IP PRO", "dect", "299.00", "9.90", "Single-cell DECT base, up to 20 handsets"),
    ("GIG-S700H", "Gigaset S700H PRO", "dect", "99.00", "3.50", "DECT handset, Bluetooth, 2.4\" colour screen"),
    ("YEA-W76P", "Yealink W76P", "dect", "159.00", "5.60", "DECT base and W56H handset bundle"),
    ("SNO-M900", "Snom M900", "dect", "899.00", "29.00", "Multicell DECT base station"),
    ("SNO-M85", "Snom M85", "dect", "179.00", "6.30", "Ruggedised DECT handset, IP65"),
    ("JAB-E2-65", "Jabra Evolve2 65", "headset", "229.00", "7.90", "Wireless stereo headset, USB-A link"),
    ("JAB-E2-40", "Jabra Evolve2 40", "headset", "119.00", "4.20", "Wired stereo headset, USB-C"),
    ("EPOS-SDW5065", "EPOS IMPACT SDW 5065", "headset", "329.00", "11.50", "DECT headset with base for desk phone and PC"),
    ("POLY-V4320", "Poly Voyager 4320 UC", "headset", "179.00", "6.20", "Bluetooth stereo headset with USB dongle"),
    ("YEA-CP965", "Yealink CP965", "conference", "699.00", "23.90", "Conference phone for medium and large rooms"),
    ("YEA-CP925", "Yealink CP925", "conference", "449.00", "15.50", "Conference phone for small and medium rooms"),
    ("SNO-C520", "Snom C520-WiMi", "conference", "349.00", "11.90", "Conference phone with wireless microphones"),
    ("POLY-TRIOC60", "Poly Trio C60", "conference", "899.00", "29.90", "Conference phone, Wi-Fi, Bluetooth"),
]
CLASSOUND = ("CLASSOUND", "CLASSOUND", "classound", None, "12.00", "CLASSOUND service for one PBX")
OUT_OF_STOCK = "YEA-T31G"
BANDS = {
    "YEA-T54W": [(10, "5"), (25, "10")],
    "JAB-E2-40": [(20, "7.5")],
}

# name, city, country
COMPANIES = [
    ("Ferramenta Lombarda Srl", "Bergamo", "IT"),
    ("Studio Legale Marchetti & Associati", "Milano", "IT"),
    ("Trattoria Da Gino SAS", "Bologna", "IT"),
    ("Officine Meccaniche Berti SpA", "Brescia", "IT"),
    ("Farmacia San Marco Snc", "Venezia", "IT"),
    ("Hotel Bellavista Srl", "Como", "IT"),
    ("Caseificio Valtellina SpA", "Sondrio", "IT"),
    ("Logistica Adriatica Srl", "Ancona", "IT"),
    ("Clinica Veterinaria Aurora Srl", "Verona", "IT"),
    ("Tipografia Moderna Snc", "Padova", "IT"),
    ("Autofficina Rinaldi SAS", "Torino", "IT"),
    ("Cantina Colli Euganei Srl", "Padova", "IT"),
    ("Studio Dentistico Fabbri", "Modena", "IT"),
    ("Edilnord Costruzioni SpA", "Monza", "IT"),
    ("Immobiliare Laguna Srl", "Venezia", "IT"),
    ("Vetreria Muranese SAS", "Venezia", "IT"),
    ("Pasticceria Dolce Vita Srl", "Napoli", "IT"),
    ("Tessitura Biellese SpA", "Biella", "IT"),
    ("Agenzia Viaggi Orizzonti Srl", "Firenze", "IT"),
    ("Centro Medico Salus Srl", "Roma", "IT"),
    ("Elettroforniture Romagna Srl", "Rimini", "IT"),
    ("Oleificio Pugliese SpA", "Bari", "IT"),
    ("Scuola di Lingue Babele Srl", "Genova", "IT"),
    ("Arredamenti Brianza SAS", "Lissone", "IT"),
    ("Commercialisti Associati Conti", "Parma", "IT"),
    ("Brunner Haustechnik GmbH", "Bolzano", "IT"),
    ("Müller & Söhne Maschinenbau GmbH", "München", "DE"),
    ("Alpenblick Hotelbetriebs GmbH", "Innsbruck", "AT"),
    ("Dubois Conseil SAS", "Lyon", "FR"),
    ("Van der Berg Logistiek BV", "Rotterdam", "NL"),
    ("Bernasconi Trasporti SA", "Lugano", "CH"),
    ("Gruber Steuerberatung GmbH", "Salzburg", "AT"),
    ("Panificio Sapori Antichi Snc", "Trento", "IT"),
    ("Istituto Ottico Visconti Srl", "Pavia", "IT"),
    ("Consorzio Agrario del Garda", "Desenzano del Garda", "IT"),
    ("Galleria d'Arte Contemporanea Srl", "Torino", "IT"),
]
SITES = ["hq", "office", "branch", "warehouse", "shop", "lab", "plant", "store", "studio", "depot"]
TERM_WEIGHTS = [("monthly", 25), ("yearly", 40), ("five_years", 20), ("lifetime", 15)]


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    legal = {"srl", "spa", "sas", "snc", "gmbh", "bv", "sa", "associati", "associates"}
    return "-".join([w for w in words if w not in legal][:3])


def italian_vat(rng: random.Random) -> str:
    """IT + 11 digits with a valid partita IVA check digit."""
    digits = [rng.randint(0, 9) for _ in range(7)] + [rng.randint(0, 1), 0, rng.randint(1, 9)]
    total = 0
    for i, d in enumerate(digits):
        if i % 2:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return "IT" + "".join(map(str, digits)) + str((10 - total % 10) % 10)


def vat_number(rng: random.Random, country: str) -> str:
    n = lambda k: "".join(str(rng.randint(0, 9)) for _ in range(k))  # noqa: E731
    return {
        "IT": italian_vat(rng),
        "DE": "DE" + n(9),
        "AT": "ATU" + n(8),
        "FR": "FR" + n(11),
        "NL": "NL" + n(9) + "B01",
        "CH": f"CHE-{n(3)}.{n(3)}.{n(3)} MWST",
    }[country]


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def product_records(rng: random.Random) -> list[dict]:
    records = []
    for sku, name, category, capex, monthly, description in [*PRODUCTS, CLASSOUND]:
        m = Decimal(monthly)
        record = {"sku": sku, "name": name, "category": category, "description": description}
        if capex is not None:  # CLASSOUND is a service: no purchase price, no stock
            record["capex_price"] = capex
            record["stock"] = 0 if sku == OUT_OF_STOCK else rng.randint(6, 240)
        record["opex_prices"] = {"monthly": money(m), "yearly": money(m * 10), "five_years": money(m * 45)}
        if sku in BANDS:
            record["bands"] = [{"min_quantity": q, "discount_percent": d} for q, d in BANDS[sku]]
        records.append(record)
    return records


DESK_PHONES = [p[0] for p in PRODUCTS if p[2] == "desk_phone"]
HEADSETS = [p[0] for p in PRODUCTS if p[2] == "headset"]
CONFERENCE = [p[0] for p in PRODUCTS if p[2] == "conference"]
DECT_KITS = [("GIG-N670", "GIG-S700H"), ("SNO-M900", "SNO-M85"), ("YEA-W76P", None)]


def random_devices(rng: random.Random, term: str) -> list[dict]:
    """A plausible site: desk phones, and sometimes headsets, a DECT base with handsets, a
    conference phone. Mostly rented; a lifetime PBX can only have owned devices."""
    lines = [(rng.choice(DESK_PHONES), rng.randint(2, 12))]
    if rng.random() < 0.4:
        lines.append((rng.choice(HEADSETS), rng.randint(1, 6)))
    if rng.random() < 0.3:
        base, handset = rng.choice(DECT_KITS)
        lines.append((base, 1 if handset else rng.randint(1, 4)))
        if handset:
            lines.append((handset, rng.randint(2, 8)))
    if rng.random() < 0.25:
        lines.append((rng.choice(CONFERENCE), 1))
    owned_line = rng.randrange(len(lines)) if rng.random() < 0.2 else None
    return [
        {"sku": sku, "ownership": "owned" if term == "lifetime" or i == owned_line else "rented", "quantity": q}
        for i, (sku, q) in enumerate(lines)
    ]


def customer_record(rng: random.Random, partner: str, name: str, city: str, country: str) -> dict:
    base = slug(name)
    pbxs = []
    for site in rng.sample(SITES, rng.randint(1, 3)):
        term = rng.choices([t for t, _ in TERM_WEIGHTS], weights=[w for _, w in TERM_WEIGHTS])[0]
        pbx = {"name": f"{base}-{site}.pbx.example", "term": term}
        if term != "lifetime":
            pbx["activated_on"] = f"today-{rng.randint(20, 4 * 365)}d"
            if rng.random() < 0.2:
                pbx["classound"] = True
        pbx["devices"] = random_devices(rng, term)
        pbxs.append(pbx)
    return {
        "partner": partner,
        "name": name,
        "vat_number": vat_number(rng, country),
        "city": city,
        "email": f"it@{base}.example",
        "pbxs": pbxs,
    }


ACME = {
    "partner": DEMO,
    "name": "Acme Srl",
    "vat_number": "IT01234567897",
    "city": "Milano",
    "email": "it@acme.example",
    "pbxs": [
        {
            "name": "acme-hq.pbx.example", "term": "yearly", "activated_on": "today-3m", "classound": True,
            "devices": [
                # One open replacement request (DESIGN §3.8), for the demo's area manager to handle.
                {"sku": "YEA-T54W", "ownership": "rented", "quantity": 8,
                 "replacement": {"quantity": 2, "reason": "faulty", "note": "No dial tone since the last firmware update"}},
                {"sku": "JAB-E2-65", "ownership": "rented", "quantity": 4},
                {"sku": "YEA-CP965", "ownership": "rented", "quantity": 1},
                {"sku": "SNO-D735", "ownership": "owned", "quantity": 2},
            ],
        },
        {
            "name": "acme-warehouse.pbx.example", "term": "monthly", "activated_on": "today-47d",
            "devices": [
                {"sku": "GIG-N670", "ownership": "rented", "quantity": 1},
                # One pending cancellation: effective on the PBX's next expiration date, with a fee.
                {"sku": "GIG-S700H", "ownership": "rented", "quantity": 6, "cancelled": 1},
            ],
        },
        {
            "name": "acme-rome.pbx.example", "term": "five_years", "activated_on": "today-400d",
            "devices": [
                {"sku": "YEA-T46U", "ownership": "rented", "quantity": 3},
                {"sku": "JAB-E2-40", "ownership": "owned", "quantity": 3},
            ],
        },
        {
            "name": "acme-legacy.pbx.example", "term": "lifetime",
            "devices": [{"sku": "YEA-T31G", "ownership": "owned", "quantity": 5}],
        },
    ],
}


def invoices(rng: random.Random, partner: str, prefix: str, overdue_days: int | None) -> list[dict]:
    """Twelve monthly invoices, oldest first: paid, except the newest (not yet due) and, when
    `overdue_days` is given, one left unpaid `overdue_days` past its due date."""
    records = []
    for k in range(11, -1, -1):
        issued = 30 * k + 5
        due = issued - 30  # 30 days to pay
        record = {
            "partner": partner,
            "number": f"{prefix}-{12 - k:04d}",
            "issued_on": f"today-{issued}d",
            "due_on": f"today-{due}d" if due > 0 else f"today+{-due}d",
            "amount": money(Decimal(rng.randint(40_000, 260_000)) / 100),
        }
        if due > 0:
            record["paid_on"] = f"today-{due + rng.randint(0, 6)}d"
        records.append(record)
    if overdue_days is not None:
        # Replace the paid invoice whose due date is nearest with an open, overdue one.
        records[-2] = {
            "partner": partner,
            "number": records[-2]["number"],
            "issued_on": f"today-{overdue_days + 30}d",
            "due_on": f"today-{overdue_days}d",
            "amount": money(Decimal(rng.randint(40_000, 260_000)) / 100),
        }
    return records


def build() -> dict:
    rng = random.Random(2026)
    companies = COMPANIES[:]
    rng.shuffle(companies)
    demo_companies, second_companies = companies[:31], companies[31:]
    customers = [ACME]
    customers += [customer_record(rng, DEMO, *c) for c in demo_companies]
    customers += [customer_record(rng, SECOND, *c) for c in second_companies]
    return {
        "_comment": "Demo data set, generated by scripts/make_demo_json.py; format in docs/import-format.md. "
                    "Dates are relative to the day it is loaded.",
        "version": 1,
        "price_tiers": [{"name": n, "discount_percent": d} for n, d in TIERS],
        "products": product_records(rng),
        "users": [
            {"email": "admin@example.com", "name": "Giulia Ferri", "role": "admin", "password": PASSWORD},
            {"email": "manager@example.com", "name": "Marco Bianchi", "role": "area_manager", "password": PASSWORD},
            {"email": "partner@example.com", "name": "Paola Rossi", "role": "partner", "partner": DEMO,
             "team_role": "owner", "password": PASSWORD},
            {"email": "orderer@example.com", "name": "Stefano Conti", "role": "partner", "partner": DEMO,
             "team_role": "orderer", "password": PASSWORD},
            {"email": "viewer@example.com", "name": "Chiara Galli", "role": "partner", "partner": DEMO,
             "team_role": "viewer", "password": PASSWORD},
            {"email": "partner2@example.com", "name": "Luca Moretti", "role": "partner", "partner": SECOND,
             "password": PASSWORD},
        ],
        "partners": [
            {
                "name": DEMO, "tier": "Gold", "area_manager": "manager@example.com",
                "email": "orders@demo-partner.example",
                "addresses": [
                    {"label": "Head office", "recipient": "Demo Partner Srl", "street": "Via Torino 12",
                     "postcode": "20123", "city": "Milano", "country": "IT"},
                    {"label": "Warehouse", "recipient": "Demo Partner Srl – Magazzino",
                     "street": "Via dell'Industria 8", "postcode": "20054", "city": "Segrate", "country": "IT"},
                    {"label": "Rome branch", "recipient": "Demo Partner Srl – Filiale di Roma",
                     "street": "Via Nazionale 45", "postcode": "00184", "city": "Roma", "country": "IT"},
                ],
            },
            {
                "name": SECOND, "tier": "Silver", "area_manager": "manager@example.com",
                "email": "admin@second-partner.example",
                "addresses": [
                    {"label": "Office", "recipient": "Second Partner SpA", "street": "Corso Vittorio Emanuele II 101",
                     "postcode": "10128", "city": "Torino", "country": "IT"},
                ],
            },
        ],
        "customers": customers,
        "invoices": invoices(rng, DEMO, "DP", None) + invoices(rng, SECOND, "SP", 10),
    }


def dumps(value, indent: int = 0, width: int = 110) -> str:
    """JSON with one record per line where it fits: readable, and diffs stay small."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 2, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps(build()) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
