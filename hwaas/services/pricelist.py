"""Price lists (OpEx, CapEx, CLASSOUND × EXCEL, PDF) for a partner's tier, cached per catalogue version.

OpEx and CLASSOUND prices come from `catalogue.unit_price`, the function the cart prices its lines
with, and CapEx from the same `pricing.tier_price` under it, so an exported price is what checkout
charges for a full term (before quantity bands, which Save & Recalculate applies and the list
states per product).
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, undefer

from hwaas.models import CatalogueVersion, DocumentCache, Partner, PriceTier, Product
from hwaas.models.catalogue import CATEGORIES
from hwaas.services import catalogue, documents, spreadsheets
from hwaas.messages import N_
from hwaas.services.errors import ValidationFailed
from hwaas.services.phrasing import Phrase
from hwaas.services.pricing import SUBSCRIPTION_TERMS, TERM_LABELS, tier_price

KINDS = {"opex": "OpEx", "capex": "CapEx", "classound": "CLASSOUND"}
FORMATS = {"xlsx": "EXCEL", "pdf": "PDF"}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
KIND_DESCRIPTIONS = {
    "opex": N_("HWaaS: devices rented per term. One price per unit for each duration."),
    "capex": N_("Devices bought outright: one purchase price per unit."),
    "classound": N_("CLASSOUND services, per PBX, for each duration."),
}
TITLE = N_("Price list %(kind)s")


# --- the prices ------------------------------------------------------------------------------


def opex_unit_price(product: Product, term: str, tier: PriceTier) -> Decimal | None:
    """What one unit costs the tier for one full `term` of HWaaS/CLASSOUND; None if not offered.

    The very function the cart prices a line with (before Save & Recalculate's bands)."""
    return catalogue.unit_price(product, term, tier.discount_percent)


def capex_unit_price(product: Product, tier: PriceTier) -> Decimal:
    """What one unit costs the tier to buy."""
    return tier_price(product.capex_price, tier.discount_percent)


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass(frozen=True)
class Row:
    sku: str
    name: str
    category: str
    prices: dict[str, Decimal | None]  # column key → unit price at the tier
    bands: str  # the quantity discounts, in words ("" when none), in English
    list_prices: dict[str, Decimal | None] = field(default_factory=dict)  # column key → list price
    stock: int = 0  # negative: back-ordered (on the page only: files are cached, stock moves)
    band_list: tuple[tuple[int, Decimal], ...] = ()  # (from quantity, discount %): `bands_text` in a language


@dataclass(frozen=True)
class PriceList:
    kind: str
    tier_name: str
    discount_percent: Decimal
    catalogue_version: int
    catalogue_date: dt.date | None
    columns: list[Column]
    rows: list[Row]
    category: str | None = None  # the filters the rows were chosen by (the page's; None: all)
    search: str = ""

    @property
    def title(self) -> str:
        return TITLE % {"kind": KINDS[self.kind]}

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def shows_bands(self) -> bool:
        return self.kind != "capex"

    @property
    def shows_stock(self) -> bool:
        return self.kind != "classound"  # a service: no stock (DESIGN §3.4.1)

    @property
    def is_filtered(self) -> bool:
        return bool(self.category or self.search)


def catalogue_version(session: Session) -> int:
    """The catalogue version in force: the highest CatalogueVersion id (0 before any)."""
    return session.scalar(select(func.max(CatalogueVersion.id))) or 0


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed(N_("Choose OpEx, CapEx or CLASSOUND."), field="kind")


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationFailed(N_("Choose EXCEL or PDF."), field="format")


def categories(kind: str) -> dict[str, str]:
    """The categories a list can be narrowed to: category key → label."""
    check_kind(kind)
    return {key: label for key, label in CATEGORIES.items() if (key == "classound") == (kind == "classound")}


SEARCH_MAX = 100


def bands_text(bands, lang: str = documents.DEFAULT_LANG) -> str:
    """A product's quantity discounts in words, in `lang`: "from 10 units: 5 % off; …"."""
    _ = documents.gettext(lang)
    return "; ".join(_("from %(quantity)s units: %(discount)s off") % {
        "quantity": quantity, "discount": documents.format_percent(discount)} for quantity, discount in bands)


def _bands(product: Product) -> tuple[tuple[int, Decimal], ...]:
    return tuple((band.min_quantity, band.discount_percent) for band in product.bands)


def build(session: Session, kind: str, tier: PriceTier, category: str | None = None,
          search: str = "") -> PriceList:
    """The rows of one price list for one tier, from the active catalogue, by category then SKU.

    The one function behind the downloads (the whole list) and the Price list page (narrowed to
    a `category` and to SKUs or names containing `search`, case-insensitive)."""
    check_kind(kind)
    search = " ".join((search or "").split())
    if category and category not in categories(kind):
        if category in CATEGORIES:
            raise ValidationFailed(N_("%(category)s is not in the %(kind)s list: choose one of its categories, "
                                      "or All categories."), field="category",
                                   category=Phrase(CATEGORIES[category]), kind=KINDS[kind])
        raise ValidationFailed(N_("That category is not in the %(kind)s list: choose one of its categories, "
                                  "or All categories."), field="category", kind=KINDS[kind])
    if len(search) > SEARCH_MAX:
        raise ValidationFailed(N_("Search for at most %(count)s characters."), field="q", count=SEARCH_MAX)
    query = (select(Product).where(Product.active.is_(True))
             .options(selectinload(Product.prices), selectinload(Product.bands))
             .order_by(Product.category, Product.sku))
    if kind == "classound":
        query = query.where(Product.category == "classound")
    else:
        query = query.where(Product.category != "classound")
    if category:
        query = query.where(Product.category == category)
    if search:
        needle = search.lower()
        query = query.where(or_(func.lower(Product.sku).contains(needle, autoescape=True),
                                func.lower(Product.name).contains(needle, autoescape=True)))
    products = session.scalars(query).all()

    if kind == "capex":
        columns = [Column("capex", N_("Price"))]
    else:
        columns = [Column(term, TERM_LABELS[term]) for term in SUBSCRIPTION_TERMS]
    rows = []
    for product in products:
        if kind == "capex":
            prices = {"capex": capex_unit_price(product, tier)}
            list_prices = {"capex": product.capex_price}
        else:
            prices = {term: opex_unit_price(product, term, tier) for term in SUBSCRIPTION_TERMS}
            if all(price is None for price in prices.values()):
                continue  # not offered as a service at all
            list_prices = {term: product.opex_price(term) for term in SUBSCRIPTION_TERMS}
        bands = _bands(product) if kind != "capex" else ()
        rows.append(Row(product.sku, product.name, product.category_label, prices, bands_text(bands), list_prices,
                        product.stock, bands))
    version = session.scalar(select(CatalogueVersion).order_by(CatalogueVersion.id.desc()).limit(1))
    return PriceList(
        kind=kind, tier_name=tier.name, discount_percent=tier.discount_percent,
        catalogue_version=version.id if version else 0,
        catalogue_date=version.changed_at.date() if version else None,
        columns=columns, rows=rows, category=category or None, search=search,
    )


# --- EXCEL -----------------------------------------------------------------------------------


def to_xlsx(price_list: PriceList, currency: str, today: dt.date, lang: str = documents.DEFAULT_LANG) -> bytes:
    """The list as an accessible workbook (services/spreadsheets.py): one sheet named after the
    list holding it as a table, then the About sheet; its text in `lang`."""
    _ = documents.gettext(lang)
    money = spreadsheets.money_format(currency)
    columns = [spreadsheets.Column(_("SKU"), 16, text=True), spreadsheets.Column(_("Product"), 34, text=True),
               spreadsheets.Column(_("Category"), 20, text=True)]
    columns += [spreadsheets.Column(_("%(label)s (%(currency)s)") % {"label": _(c.label), "currency": currency}, 16,
                                    number_format=money) for c in price_list.columns]
    if price_list.shows_bands:
        columns.append(spreadsheets.Column(_("Quantity discounts"), 40, text=True))

    def rows():
        for row in price_list.rows:
            values = [row.sku, row.name, _(row.category)] + [row.prices[c.key] for c in price_list.columns]
            if price_list.shows_bands:
                values.append(bands_text(row.band_list, lang) or None)
            yield values

    return spreadsheets.workbook_bytes(
        title=_(TITLE) % {"kind": price_list.kind_label}, lang=lang,
        subject=_("%(tier)s tier, catalogue version %(version)s") % {
            "tier": price_list.tier_name, "version": price_list.catalogue_version},
        sheets=[spreadsheets.DataSheet(KINDS[price_list.kind], columns, rows())],
        about=[
            (N_("Price list"), KINDS[price_list.kind]),
            (N_("Price tier"), _("%(tier)s (%(discount)s discount)") % {
                "tier": price_list.tier_name, "discount": documents.format_percent(price_list.discount_percent)}),
            (N_("Catalogue version"), price_list.catalogue_version),
            (N_("Generated on"), today),
            (N_("Currency"), currency),
            (N_("Notes"), _("Unit prices for one full term, tier discount applied, excluding VAT. "
                            "Services ordered mid-period are prorated to the PBX's expiration date. "
                            "Quantity discounts apply on Save & Recalculate.")),
        ])


# --- PDF -------------------------------------------------------------------------------------


def to_pdf(price_list: PriceList, partner_name: str, currency: str, today: dt.date,
           lang: str = documents.DEFAULT_LANG) -> bytes:
    _ = documents.gettext(lang)
    return documents.render_pdf(
        "pricelist.html", lang=lang, price_list=price_list, partner_name=partner_name, currency=currency,
        today=today, description=_(KIND_DESCRIPTIONS[price_list.kind]),
    )


# --- the cached document ---------------------------------------------------------------------


CACHE_PREFIX = f"pricelist:{documents.DOCUMENT_REVISION}:"


def cache_key(kind: str, fmt: str, version: int, tier_id: int, currency: str, partner_id: int | None,
              lang: str = documents.DEFAULT_LANG) -> str:
    """The file's key: the document revision (a file made the old way, e.g. an untagged PDF, has
    another key and is never served again), then what the file's content depends on, its
    language included (English, the first language, keeps the key it always had)."""
    key = f"{CACHE_PREFIX}{kind}:{fmt}:v{version}:t{tier_id}:{currency}"
    key += f":p{partner_id}" if partner_id is not None else ""
    return key + (f":{lang}" if lang != documents.DEFAULT_LANG else "")


def filename(kind: str, fmt: str, version: int) -> str:
    return f"hwaas-price-list-{kind}-v{version}.{fmt}"


def document(session: Session, partner: Partner, kind: str, fmt: str, currency: str,
             today: dt.date, lang: str = documents.DEFAULT_LANG) -> documents.Document:
    """The price list file for the partner's tier, from the cache or made now and cached.

    EXCEL files depend only on the catalogue version and tier, so partners of a tier share them;
    a PDF names its partner on every page, so it is cached per partner too. A new catalogue
    version makes new keys, and the older versions' files are deleted when the first new one
    is stored. Each language has its own files (`lang`: the reader's).
    """
    check_kind(kind)
    check_format(fmt)
    version = catalogue_version(session)
    key = cache_key(kind, fmt, version, partner.tier_id, currency, partner.id if fmt == "pdf" else None, lang)
    cached = session.scalar(select(DocumentCache).where(DocumentCache.key == key)
                            .options(undefer(DocumentCache.data)))
    if cached is not None:
        return documents.Document(cached.filename, cached.content_type, cached.data)

    price_list = build(session, kind, partner.tier)
    if fmt == "xlsx":
        data = to_xlsx(price_list, currency, today, lang)
    else:
        data = to_pdf(price_list, partner.name, currency, today, lang)
    doc = documents.Document(filename(kind, fmt, version), CONTENT_TYPES[fmt], data)
    _store(session, key, version, doc)
    return doc


def _store(session: Session, key: str, version: int, doc: documents.Document) -> None:
    try:
        with session.begin_nested():
            # Retire the files of older catalogue versions and those made by an older revision.
            session.execute(delete(DocumentCache).where(or_(
                DocumentCache.catalogue_version < version,
                and_(DocumentCache.key.like("pricelist:%"), DocumentCache.key.not_like(f"{CACHE_PREFIX}%")))))
            session.add(DocumentCache(key=key, catalogue_version=version, filename=doc.filename,
                                      content_type=doc.content_type, size=len(doc.data), data=doc.data))
    except IntegrityError:
        pass  # another worker stored the same document first: theirs is as good as ours
