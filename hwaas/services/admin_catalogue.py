"""The administrators' catalogue desk: products, OpEx prices per term, stock, quantity bands and
price tiers. Every change records a new CatalogueVersion, which retires the cached price lists."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hwaas.messages import N_
from hwaas.models import CatalogueVersion, Partner, PriceTier, Product, ProductPrice, QuantityBand, User
from hwaas.models.catalogue import CATEGORIES
from hwaas.models.types import utcnow
from hwaas.services.errors import NotFound, ValidationFailed
from hwaas.services.pricing import SUBSCRIPTION_TERMS

MAX_PRICE = Decimal("9999999999.99")


@dataclass
class ProductInput:
    sku: str
    name: str
    category: str
    capex_price: Decimal
    stock: int
    active: bool = True
    description: str = ""
    opex: dict[str, Decimal | None] = field(default_factory=dict)  # term → price; None: not offered


def record_version(session: Session, note: str, now: dt.datetime | None = None) -> CatalogueVersion:
    version = CatalogueVersion(note=note[:200], changed_at=now or utcnow())
    session.add(version)
    session.flush()
    return version


def current_version(session: Session) -> CatalogueVersion | None:
    return session.scalar(select(CatalogueVersion).order_by(CatalogueVersion.id.desc()).limit(1))


# --- products --------------------------------------------------------------------------------


def products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).options(selectinload(Product.prices), selectinload(Product.bands))
                                .order_by(Product.category, Product.sku)))


def product(session: Session, product_id: int) -> Product:
    item = session.get(Product, product_id)
    if item is None:
        raise NotFound("No such product.")
    return item


# A price's refusals, whole sentences per price field: (not an amount, negative, too many decimals).
PRICE_REFUSALS = {
    "capex_price": (N_("Enter the CapEx price as an amount, like 12.50."),
                    N_("The CapEx price cannot be negative."),
                    N_("Enter the CapEx price with at most two decimals.")),
    "opex_monthly": (N_("Enter the One month price as an amount, like 12.50."),
                     N_("The One month price cannot be negative."),
                     N_("Enter the One month price with at most two decimals.")),
    "opex_yearly": (N_("Enter the One year price as an amount, like 12.50."),
                    N_("The One year price cannot be negative."),
                    N_("Enter the One year price with at most two decimals.")),
    "opex_five_years": (N_("Enter the Five years price as an amount, like 12.50."),
                        N_("The Five years price cannot be negative."),
                        N_("Enter the Five years price with at most two decimals.")),
}


def _money(value, field_name: str) -> Decimal:
    not_an_amount, negative, decimals = PRICE_REFUSALS[field_name]
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationFailed(not_an_amount, field=field_name)
    if value < 0:
        raise ValidationFailed(negative, field=field_name)
    if value > MAX_PRICE or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(decimals, field=field_name)
    return value


def _check_product(session: Session, data: ProductInput, product_id: int | None) -> None:
    data.sku = (data.sku or "").strip()
    data.name = " ".join((data.name or "").split())
    if not data.sku:
        raise ValidationFailed(N_("Enter the SKU."), field="sku")
    if not all(c.isalnum() or c in "-_." for c in data.sku) or len(data.sku) > 40:
        raise ValidationFailed(N_("The SKU can have letters, digits, - _ and . only, up to 40 characters."),
                               field="sku")
    clash = session.scalar(select(Product.id).where(func.upper(Product.sku) == data.sku.upper()))
    if clash is not None and clash != product_id:
        raise ValidationFailed(N_("Another product already has the SKU %(sku)s."), field="sku", sku=data.sku)
    if not data.name:
        raise ValidationFailed(N_("Enter the product name."), field="name")
    if data.category not in CATEGORIES:
        raise ValidationFailed(N_("Choose a category."), field="category")
    _money(data.capex_price, "capex_price")
    if isinstance(data.stock, bool) or not isinstance(data.stock, int) or abs(data.stock) > 1_000_000:
        raise ValidationFailed(N_("Enter the stock as a whole number."), field="stock")
    for term in SUBSCRIPTION_TERMS:
        price = data.opex.get(term)
        if price is not None:
            _money(price, f"opex_{term}")
    if data.category == "classound" and all(data.opex.get(t) is None for t in SUBSCRIPTION_TERMS):
        raise ValidationFailed(N_("A CLASSOUND service needs a price for at least one duration."),
                               field=f"opex_{SUBSCRIPTION_TERMS[0]}")


def _apply(item: Product, data: ProductInput) -> None:
    item.sku, item.name, item.category = data.sku, data.name, data.category
    item.description = (data.description or "").strip()[:500]
    item.capex_price, item.stock, item.active = data.capex_price, data.stock, data.active
    existing = {p.term: p for p in item.prices}
    for term in SUBSCRIPTION_TERMS:
        price = data.opex.get(term)
        if price is None:
            if term in existing:
                item.prices.remove(existing[term])
        elif term in existing:
            existing[term].opex_price = price
        else:
            item.prices.append(ProductPrice(term=term, opex_price=price))


def create_product(session: Session, data: ProductInput, by: User) -> Product:
    _check_product(session, data, None)
    item = Product(sku=data.sku, name=data.name, category=data.category, capex_price=data.capex_price)
    _apply(item, data)
    session.add(item)
    session.flush()
    record_version(session, f"Product {item.sku} added by {by.email}")
    return item


def update_product(session: Session, product_id: int, data: ProductInput, by: User) -> Product:
    item = product(session, product_id)
    _check_product(session, data, item.id)
    _apply(item, data)
    session.flush()
    record_version(session, f"Product {item.sku} changed by {by.email}")
    return item


def add_band(session: Session, product_id: int, min_quantity: int, discount_percent: Decimal, by: User) -> QuantityBand:
    item = product(session, product_id)
    if isinstance(min_quantity, bool) or not isinstance(min_quantity, int) or not 2 <= min_quantity <= 100_000:
        raise ValidationFailed(N_("Enter a quantity of 2 or more."), field="min_quantity")
    if not isinstance(discount_percent, Decimal) or not discount_percent.is_finite() \
            or not Decimal("0") < discount_percent < Decimal("100") \
            or discount_percent != discount_percent.quantize(Decimal("0.01")):
        raise ValidationFailed(N_("Enter a discount above 0 and below 100 percent, with at most two decimals."),
                               field="discount_percent")
    if any(band.min_quantity == min_quantity for band in item.bands):
        raise ValidationFailed(N_("%(sku)s already has a band from %(quantity)s units; change or remove it."),
                               field="min_quantity", sku=item.sku, quantity=min_quantity)
    band = QuantityBand(min_quantity=min_quantity, discount_percent=discount_percent)
    item.bands.append(band)
    session.flush()
    record_version(session, f"Quantity band {item.sku} {min_quantity}+ added by {by.email}")
    return band


def delete_band(session: Session, product_id: int, band_id: int, by: User) -> None:
    item = product(session, product_id)
    band = next((b for b in item.bands if b.id == band_id), None)
    if band is None:
        raise NotFound("No such quantity band.")
    item.bands.remove(band)
    session.flush()
    record_version(session, f"Quantity band {item.sku} {band.min_quantity}+ removed by {by.email}")


# --- price tiers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TierRow:
    tier: PriceTier
    partners: int


def tiers(session: Session) -> list[TierRow]:
    counts = dict(session.execute(select(Partner.tier_id, func.count()).group_by(Partner.tier_id)).all())
    return [TierRow(t, counts.get(t.id, 0))
            for t in session.scalars(select(PriceTier).order_by(PriceTier.discount_percent, PriceTier.name))]


def tier(session: Session, tier_id: int) -> PriceTier:
    item = session.get(PriceTier, tier_id)
    if item is None:
        raise NotFound("No such price tier.")
    return item


def _check_tier(session: Session, name: str, discount: Decimal, tier_id: int | None) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise ValidationFailed(N_("Enter the tier's name (up to 80 characters)."), field="name")
    clash = session.scalar(select(PriceTier.id).where(func.lower(PriceTier.name) == name.lower()))
    if clash is not None and clash != tier_id:
        raise ValidationFailed(N_("There is already a tier called %(name)s."), field="name", name=name)
    if not isinstance(discount, Decimal) or not discount.is_finite() or not Decimal("0") <= discount < Decimal("100") \
            or discount != discount.quantize(Decimal("0.01")):
        raise ValidationFailed(N_("Enter a discount from 0 to below 100 percent, with at most two decimals."),
                               field="discount_percent")
    return name


def create_tier(session: Session, name: str, discount_percent: Decimal, by: User) -> PriceTier:
    name = _check_tier(session, name, discount_percent, None)
    item = PriceTier(name=name, discount_percent=discount_percent)
    session.add(item)
    session.flush()
    record_version(session, f"Price tier {name} added by {by.email}")
    return item


def update_tier(session: Session, tier_id: int, name: str, discount_percent: Decimal, by: User) -> PriceTier:
    item = tier(session, tier_id)
    item.name = _check_tier(session, name, discount_percent, item.id)
    item.discount_percent = discount_percent
    session.flush()
    record_version(session, f"Price tier {item.name} changed by {by.email}")
    return item
