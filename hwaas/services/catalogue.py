"""The catalogue as a partner sees it: hardware offered for a term, at the partner's tier price."""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hwaas.models import Partner, PriceTier, Product, ProductPrice
from hwaas.models.catalogue import CATEGORIES
from hwaas.services.pricing import band_discount, tier_price

# Order HWaaS sells hardware; CLASSOUND is a PBX service, not a device (it has its own price list).
HARDWARE_CATEGORIES = tuple(c for c in CATEGORIES if c != "classound")


@dataclass(frozen=True)
class PricedProduct:
    product: Product
    list_price: Decimal  # OpEx list price for one full term
    price: Decimal  # the partner's price: list less the tier discount

    @property
    def back_order(self) -> bool:
        return self.product.stock <= 0


def partner_discount(session: Session, partner_id: int) -> Decimal:
    """The discount percent of the partner's price tier."""
    discount = session.scalar(
        select(PriceTier.discount_percent).join(Partner, Partner.tier_id == PriceTier.id)
        .where(Partner.id == partner_id)
    )
    return Decimal(discount if discount is not None else 0)


def offered_products(session: Session, term: str, ids: Iterable[int] | None = None) -> list[Product]:
    """Active hardware with an OpEx price for `term`, prices and bands loaded, in catalogue order."""
    order = {category: i for i, category in enumerate(CATEGORIES)}
    stmt = (
        select(Product)
        .join(ProductPrice, (ProductPrice.product_id == Product.id) & (ProductPrice.term == term))
        .where(Product.active.is_(True), Product.category.in_(HARDWARE_CATEGORIES))
        .options(selectinload(Product.prices), selectinload(Product.bands))
    )
    if ids is not None:
        stmt = stmt.where(Product.id.in_(list(ids)))
    products = list(session.scalars(stmt))
    return sorted(products, key=lambda p: (order[p.category], p.name.lower(), p.id))


def unit_price(product: Product, term: str, discount: Decimal, quantity: int = 1,
               with_bands: bool = False) -> Decimal | None:
    """One unit for one full term: list less tier discount, then less the quantity band reached
    (Save & Recalculate). None when the product has no price for the term."""
    list_price = product.opex_price(term)
    if list_price is None:
        return None
    price = tier_price(list_price, discount)
    if with_bands:
        band = band_discount(quantity, [(b.min_quantity, b.discount_percent) for b in product.bands])
        if band:
            price = tier_price(price, band)
    return price


def priced_products(session: Session, partner_id: int, term: str) -> list[PricedProduct]:
    discount = partner_discount(session, partner_id)
    return [
        PricedProduct(product=p, list_price=p.opex_price(term), price=unit_price(p, term, discount))
        for p in offered_products(session, term)
    ]
