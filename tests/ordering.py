"""Data for the ordering-flow tests: a Gold partner with "Acme Srl", one PBX per term, desk phones."""
import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from hwaas import models as m
from hwaas.services.overdue import standing

TODAY = dt.date(2026, 11, 25)
GOOD = standing(0)
BLOCKED = standing(10)  # hardware ordering blocked, cart changes allowed
READ_ONLY = standing(30)


@dataclass
class World:
    partner: m.Partner
    user: m.User
    customer: m.Customer
    monthly: m.Pbx
    yearly: m.Pbx
    five_years: m.Pbx
    lifetime: m.Pbx
    phone: m.Product  # Yealink T54W, 100.00 a year list, 90.00 for Gold
    dect: m.Product
    address: m.Address

    @property
    def pbx(self):
        return {"monthly": self.monthly, "yearly": self.yearly, "five_years": self.five_years,
                "lifetime": self.lifetime}


def acme(make, agreement: bool = True, discount: str = "10", name: str = "Demo Partner",
         email: str | None = None) -> World:
    tier = make.tier(name=f"Gold {name}", discount_percent=Decimal(discount))
    partner = make.partner(name=name, tier=tier)
    user = make.user(partner=partner, **({"email": email} if email else {}))
    customer = make.customer(partner, name="Acme Srl", city="Milano", vat_number="IT01234567890")
    world = World(
        partner=partner, user=user, customer=customer,
        monthly=make.pbx(customer, term="monthly", activated_on=dt.date(2026, 1, 31), name="acme-month.example"),
        yearly=make.pbx(customer, term="yearly", activated_on=dt.date(2026, 8, 25), name="acme-year.example"),
        five_years=make.pbx(customer, term="five_years", activated_on=dt.date(2024, 6, 30), name="acme-five.example"),
        lifetime=make.pbx(customer, term="lifetime", name="acme-life.example"),
        phone=make.product(name="Yealink T54W", sku="YEA-T54W", stock=5, opex={
            "monthly": Decimal("10.00"), "yearly": Decimal("100.00"), "five_years": Decimal("450.00")}),
        dect=make.product(name="Gigaset N670 DECT", sku="GIG-N670", category="dect", stock=0, opex={
            "monthly": Decimal("20.00"), "yearly": Decimal("200.00"), "five_years": Decimal("900.00")}),
        address=make.address(partner, label="Milan warehouse"),
    )
    if agreement:
        make.agreement(customer, uploaded_by=user)
    return world


def phones_in_the_yearly_cart(session, world: World, quantity: int = 2):
    """Acme's cart for its yearly PBX with `quantity` desk phones, as Order HWaaS puts them there."""
    from hwaas.models.types import utcnow
    from hwaas.services import carts
    from hwaas.services.tenancy import PartnerScope

    cart, _ = carts.add_to_cart(PartnerScope(session, world.partner.id), customer_id=world.customer.id,
                                pbx_id=world.yearly.id, term="yearly", quantities={world.phone.id: quantity},
                                today=TODAY, now=utcnow(), standing=GOOD)
    return cart


_unit_numbers = itertools.count(1)


def serials_for(session, order) -> dict[int, str]:
    """The Ship form's text for every line of `order`: a unique serial number a unit, with a MAC
    where the model has one."""
    from hwaas.services.serials import model_has_mac

    texts = {}
    for line in order.lines:
        has_mac = model_has_mac(session.get(m.Product, line.product_id).category)
        rows = []
        for _ in range(line.quantity):
            n = next(_unit_numbers)
            rows.append(f"TS{n:08d}" + (f" 02:00:00:{n >> 16 & 255:02X}:{n >> 8 & 255:02X}:{n & 255:02X}"
                                         if has_mac else ""))
        texts[line.id] = "\n".join(rows)
    return texts


def rent(session, pbx, product, quantity, started_on, unit_price=Decimal("90.00"), ownership="rented"):
    """An active HWaaS service of `quantity` devices of `product` on `pbx`, each with a serial;
    returns (service, devices). `ownership="owned"` makes customer-owned devices instead."""
    service = None
    if ownership == "rented":
        service = m.PbxService(pbx_id=pbx.id, term=pbx.term, kind="hwaas", product_id=product.id,
                               quantity=quantity, unit_price=unit_price, started_on=started_on, status="active")
        session.add(service)
        session.flush()
    devices = [m.Device(pbx_id=pbx.id, product_id=product.id, ownership=ownership,
                        service_id=service.id if service else None, serial=f"RS{next(_unit_numbers):08d}")
               for _ in range(quantity)]
    session.add_all(devices)
    session.flush()
    return service, devices
