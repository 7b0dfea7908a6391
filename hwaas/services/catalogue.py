"""The catalogue as a partner sees it: hardware offered for a term, at the partner's tier price."""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
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


_DISCOUNT = (select(PriceTier.discount_percent).join(Partner, Partner.tier_id == PriceTier.id)
             .where(Partner.id == bindparam("partner_id")))


def partner_discount(session: Session, partner_id: int) -> Decimal:
    """The discount percent of the partner's price tier."""
    discount = session.scalar(_DISCOUNT, {"partner_id": partner_id})
    return Decimal(discount if discount is not None else 0)


_CATEGORY_ORDER = {category: i for i, category in enumerate(CATEGORIES)}


def _catalogue_order(product: Product) -> tuple:
    return _CATEGORY_ORDER[product.category], product.name.lower(), product.id


def _offered(*columns, term: str):
    """Active hardware with an OpEx price for `term`."""
    return (
        select(*columns)
        .join(ProductPrice, (ProductPrice.product_id == Product.id) & (ProductPrice.term == term))
        .where(Product.active.is_(True), Product.category.in_(HARDWARE_CATEGORIES))
    )


def offered_products(session: Session, term: str, ids: Iterable[int] | None = None) -> list[Product]:
    """Active hardware with an OpEx price for `term`, prices and bands loaded, in catalogue order."""
    stmt = _offered(Product, term=term).options(selectinload(Product.prices), selectinload(Product.bands))
    if ids is not None:
        stmt = stmt.where(Product.id.in_(list(ids)))
    return sorted(session.scalars(stmt), key=_catalogue_order)


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


# Built once (bound at execution): the Order HWaaS page runs it on every Duration swap.
_PRICED = _offered(Product, ProductPrice.opex_price, term=bindparam("term"))


def priced_products(session: Session, partner_id: int, term: str) -> list[PricedProduct]:
    """What Order HWaaS offers for `term`, at the partner's price: one query, the term's price
    read with the product (the other terms' prices and the bands are not needed to show it)."""
    discount = partner_discount(session, partner_id)
    rows = session.execute(_PRICED, {"term": term})
    priced = [PricedProduct(product=p, list_price=price, price=tier_price(price, discount)) for p, price in rows]
    return sorted(priced, key=lambda item: _catalogue_order(item.product))
