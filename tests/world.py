"""Two partners with one of everything each, their area managers and an admin: the data that
the generic route matrices (IDOR, CSRF, GET safety, fuzzing, accessibility) run against."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from hwaas import models as m
from tests.factories import Factories


@dataclass
class Side:
    """One partner's records."""

    partner: m.Partner
    user: m.User
    manager: m.User
    customer: m.Customer
    pbx: m.Pbx
    cart: m.Cart
    line: m.CartLine
    order: m.Order
    agreement: m.Agreement
    invoice: m.Invoice
    address: m.Address
    orderer: m.User  # `user` is the partner's owner; these two are its other team roles
    viewer: m.User

    @property
    def member(self) -> m.User:
        """The team member the team pages' routes name."""
        return self.orderer


@dataclass
class World:
    a: Side
    b: Side
    admin: m.User
    product: m.Product
    band: m.QuantityBand
    tier: m.PriceTier
    ids: dict = field(default_factory=dict)


def _side(make: Factories, session, name: str, product: m.Product, tier: m.PriceTier) -> Side:
    manager = make.staff(role="area_manager", name=f"Manager of {name}")
    partner = make.partner(name=name, tier=tier, area_manager_id=manager.id)
    user = make.user(partner=partner)
    orderer = make.user(partner=partner, team_role="orderer", name=f"Orderer of {name}")
    viewer = make.user(partner=partner, team_role="viewer", name=f"Viewer of {name}")
    customer = make.customer(partner=partner, name=f"{name} Customer Srl")
    pbx = make.pbx(customer=customer, term="yearly", activated_on=dt.date(2026, 8, 25))
    cart = m.Cart(partner_id=partner.id, customer_id=customer.id, pbx_id=pbx.id, term="yearly",
                  status="open", priced_on=dt.date.today())
    line = m.CartLine(product_id=product.id, quantity=2, unit_price=product.opex_price("yearly"))
    cart.lines.append(line)
    session.add(cart)
    order = make.order(pbx=pbx, lines=[(product, 1)], placed_by=user)
    agreement = make.agreement(customer, uploaded_by=user)
    invoice = make.invoice(partner, due_on=dt.date.today() + dt.timedelta(days=20))
    address = make.address(partner)
    session.flush()
    return Side(partner, user, manager, customer, pbx, cart, line, order, agreement, invoice, address, orderer, viewer)


def build_world(make: Factories, session) -> World:
    tier = make.tier(name="Gold", discount_percent=Decimal("15"))
    product = make.product(name="Yealink T54W")
    band = m.QuantityBand(product_id=product.id, min_quantity=10, discount_percent=Decimal("5"))
    session.add(band)
    make.catalogue_version()
    a = _side(make, session, "Alpha Partner", product, tier)
    b = _side(make, session, "Bravo Partner", product, tier)
    admin = make.staff(role="admin", name="Admin")
    session.commit()
    return World(a=a, b=b, admin=admin, product=product, band=band, tier=tier)
