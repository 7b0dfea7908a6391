"""The domain model (DESIGN §3), one module per aggregate."""
from hwaas.models.catalogue import CatalogueVersion, PriceTier, Product, ProductPrice, QuantityBand
from hwaas.models.partners import Address, Customer, Partner, User
from hwaas.models.pbx import Device, DeviceCancellation, Pbx, PbxService
from hwaas.models.carts import Cart, CartLine
from hwaas.models.orders import Order, OrderLine, OrderStatusChange, ShippedUnit
from hwaas.models.replacements import ReplacementItem, ReplacementRequest, ReplacementStatusChange
from hwaas.models.billing import Invoice
from hwaas.models.documents import Agreement, DocumentCache, OutboxAttachment, OutboxMail
from hwaas.models.auth import LoginFailure
from hwaas.models.security import EmbedTokenUse
from hwaas.models.charges import Charge, JobRun

__all__ = [
    "Address", "Agreement", "Cart", "CartLine", "CatalogueVersion", "Charge", "Customer", "Device",
    "DeviceCancellation", "DocumentCache", "EmbedTokenUse", "Invoice", "JobRun", "LoginFailure", "Order", "OrderLine",
    "OrderStatusChange", "OutboxAttachment",
    "OutboxMail",
    "Partner", "Pbx", "PbxService", "PriceTier", "Product", "ProductPrice", "QuantityBand", "ReplacementItem",
    "ReplacementRequest", "ReplacementStatusChange", "ShippedUnit", "User",
]
