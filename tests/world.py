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
    device: m.Device  # rented, on `pbx`, in no request
    cancellation: m.DeviceCancellation  # pending, of another device of `pbx`
    replacement: m.ReplacementRequest  # requested, for a third device of `pbx`
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
    # A service in place, charged its period and renewing: Renewals, Charges and MRR have figures.
    monthly = make.pbx(customer=customer, term="monthly", activated_on=dt.date.today() - dt.timedelta(days=40))
    for on, term in ((pbx, "yearly"), (monthly, "monthly")):
        session.add(m.PbxService(pbx_id=on.id, term=term, kind="hwaas", product_id=product.id, quantity=3,
                                 unit_price=product.opex_price(term), started_on=on.activated_on))
    session.flush()
    from hwaas.services import charges

    charges.charge_uncharged(session, dt.date.today())
    session.flush()
    service = m.PbxService(pbx_id=pbx.id, term="yearly", kind="hwaas", product_id=product.id, quantity=3,
                           unit_price=product.opex_price("yearly"), started_on=dt.date(2026, 8, 25))
    session.add(service)
    session.flush()
    devices = [m.Device(pbx_id=pbx.id, product_id=product.id, ownership="rented", service_id=service.id,
                        serial=f"W{pbx.id:04d}{i}") for i in range(3)]
    session.add_all(devices)
    session.flush()
    cancellation = m.DeviceCancellation(
        partner_id=partner.id, pbx_id=pbx.id, service_id=service.id, effective_on=dt.date(2027, 8, 25),
        quantity=1, fee=Decimal("0.00"), requested_by_id=user.id)
    session.add(cancellation)
    session.flush()
    devices[1].cancellation_id = cancellation.id
    replacement = m.ReplacementRequest(
        partner_id=partner.id, pbx_id=pbx.id, product_id=product.id, reason="faulty", status="requested",
        delivery_recipient="Receiving dept.", delivery_street="Via Roma 1", delivery_postcode="20100",
        delivery_city="Milano", delivery_country="IT", requested_by_id=user.id,
        items=[m.ReplacementItem(device_id=devices[2].id, open=True)],
        history=[m.ReplacementStatusChange(from_status=None, to_status="requested", changed_by_id=user.id)])
    session.add(replacement)
    session.flush()
    return Side(partner, user, manager, customer, pbx, cart, line, order, agreement, invoice, address,
                devices[0], cancellation, replacement, orderer, viewer)


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
