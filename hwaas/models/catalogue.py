"""The catalogue: products, their prices per term, quantity bands, price tiers."""
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hwaas.extensions import db
from hwaas.messages import N_
from hwaas.models.types import SUBSCRIPTION_TERMS, intpk, money, str80, str200, term_check, timestamp

CATEGORIES = {
    "desk_phone": N_("Desk phones"),
    "dect": N_("DECT"),
    "headset": N_("Headsets"),
    "conference": N_("Conference devices"),
    "classound": N_("CLASSOUND"),
}
# Models with a network port, hence a MAC address recorded with the serial number.
MAC_CATEGORIES = ("desk_phone", "conference")
# Services, not hardware: no stock, no shipping, no agreement (DESIGN §3.4.1).
SERVICE_CATEGORIES = ("classound",)


class PriceTier(db.Model):
    """A partner price tier: a discount on list prices (End user, Silver, Gold, Reseller)."""

    __tablename__ = "price_tiers"
    __table_args__ = (CheckConstraint("discount_percent >= 0 AND discount_percent < 100", name="discount_range"),)

    id: Mapped[intpk]
    name: Mapped[str80] = mapped_column(unique=True)
    discount_percent: Mapped[Decimal] = mapped_column(db.Numeric(5, 2), default=Decimal("0"))


class CatalogueVersion(db.Model):
    """One row per catalogue change; the highest id is the version in force (caches key on it)."""

    __tablename__ = "catalogue_versions"

    id: Mapped[intpk]
    changed_at: Mapped[timestamp]
    note: Mapped[str200] = mapped_column(default="")


class Product(db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(f"category IN ({', '.join(repr(c) for c in CATEGORIES)})", name="category_valid"),
        CheckConstraint("capex_price >= 0", name="capex_price_positive"),
    )

    id: Mapped[intpk]
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str200]
    category: Mapped[str] = mapped_column(String(20), index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    capex_price: Mapped[money]
    # Stock may go negative: a back-order, shown to the partner, never hidden (DESIGN §3.7).
    stock: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    prices: Mapped[list["ProductPrice"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductPrice.term"
    )
    bands: Mapped[list["QuantityBand"]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="QuantityBand.min_quantity"
    )

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    def opex_price(self, term: str) -> Decimal | None:
        for price in self.prices:
            if price.term == term:
                return price.opex_price
        return None


class ProductPrice(db.Model):
    """The OpEx (HWaaS) list price of a product for one subscription term."""

    __tablename__ = "product_prices"
    __table_args__ = (
        term_check("term", SUBSCRIPTION_TERMS),
        CheckConstraint("opex_price >= 0", name="opex_price_positive"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(12), primary_key=True)
    opex_price: Mapped[money]

    product: Mapped[Product] = relationship(back_populates="prices")


class QuantityBand(db.Model):
    """From `min_quantity` units up, Save & Recalculate applies `discount_percent` (DESIGN §3.7)."""

    __tablename__ = "quantity_bands"
    __table_args__ = (
        UniqueConstraint("product_id", "min_quantity"),
        CheckConstraint("min_quantity >= 2", name="min_quantity_range"),
        CheckConstraint("discount_percent > 0 AND discount_percent < 100", name="discount_range"),
    )

    id: Mapped[intpk]
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    min_quantity: Mapped[int]
    discount_percent: Mapped[Decimal] = mapped_column(db.Numeric(5, 2))

    product: Mapped[Product] = relationship(back_populates="bands")
