"""Factories for domain records: sensible defaults, any field overridable."""
import datetime as dt
import itertools
from decimal import Decimal

from hwaas import models as m
from hwaas.services.accounts import hash_password

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)
# Hashing is slow by design; tests share one hash of the shared password.
_HASH = None


def _password_hash():
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


class Factories:
    def __init__(self, session):
        self.session = session

    def _add(self, obj):
        self.session.add(obj)
        self.session.flush()
        return obj

    def tier(self, **kw):
        n = next(_seq)
        return self._add(m.PriceTier(**{"name": f"Tier {n}", "discount_percent": Decimal("0"), **kw}))

    def staff(self, role="area_manager", **kw):
        n = next(_seq)
        return self._add(m.User(**{"email": f"staff{n}@example.com", "name": f"Staff {n}", "role": role,
                                   "password_hash": _password_hash(), **kw}))

    def partner(self, **kw):
        n = next(_seq)
        if "tier" not in kw and "tier_id" not in kw:
            kw["tier"] = self.tier()
        return self._add(m.Partner(**{"name": f"Partner {n}", **kw}))

    def user(self, partner=None, **kw):
        n = next(_seq)
        partner = partner or self.partner()
        return self._add(m.User(**{"email": f"user{n}@example.com", "name": f"User {n}", "role": "partner",
                                   "team_role": "owner", "partner_id": partner.id, "password_hash": _password_hash(),
                                   **kw}))

    def customer(self, partner=None, **kw):
        n = next(_seq)
        partner = partner or self.partner()
        return self._add(m.Customer(**{"name": f"Customer {n} Srl", "partner_id": partner.id, **kw}))

    def pbx(self, customer=None, term="yearly", activated_on=dt.date(2026, 8, 25), **kw):
        n = next(_seq)
        customer = customer or self.customer()
        if term == "lifetime":
            activated_on = kw.pop("activated_on", None)
        return self._add(m.Pbx(**{"name": f"pbx{n}.example", "customer_id": customer.id,
                                  "partner_id": customer.partner_id, "term": term,
                                  "activated_on": activated_on, **kw}))

    def product(self, opex=None, **kw):
        n = next(_seq)
        opex = opex or {"monthly": Decimal("10.00"), "yearly": Decimal("100.00"), "five_years": Decimal("450.00")}
        product = m.Product(**{"sku": f"SKU-{n:04d}", "name": f"Phone {n}", "category": "desk_phone",
                               "capex_price": Decimal("199.00"), "stock": 50, **kw})
        product.prices = [m.ProductPrice(term=t, opex_price=p) for t, p in opex.items()]
        return self._add(product)

    def invoice(self, partner, due_on, amount=Decimal("100.00"), paid_on=None, **kw):
        n = next(_seq)
        return self._add(m.Invoice(**{"partner_id": partner.id, "number": f"INV-{n:05d}",
                                      "issued_on": due_on - dt.timedelta(days=30), "due_on": due_on,
                                      "amount": amount, "paid_on": paid_on, **kw}))

    def address(self, partner, **kw):
        n = next(_seq)
        return self._add(m.Address(**{"partner_id": partner.id, "label": f"Warehouse {n}",
                                      "recipient": "Receiving dept.", "street": "Via Roma 1",
                                      "postcode": "20100", "city": "Milano", "country": "IT", **kw}))

    def order(self, pbx=None, lines=None, placed_by=None, ordered_on=dt.date(2026, 9, 1), **kw):
        """An order Awaiting approval, priced like checkout does, with its first history row.

        `lines` is a list of (product, quantity); by default two units of a new desk phone."""
        from hwaas.models.types import utcnow
        from hwaas.services.pricing import quote_line, quote_total

        n = next(_seq)
        pbx = pbx or self.pbx()
        customer = self.session.get(m.Customer, pbx.customer_id)
        placed_by = placed_by or self.user(partner=customer.partner)
        order = m.Order(**{
            "number": f"HW-2026-{n:06d}", "partner_id": pbx.partner_id, "customer_id": pbx.customer_id,
            "pbx_id": pbx.id, "term": pbx.term, "reference": f"PO-{n}", "status": "awaiting_approval",
            "ordered_on": ordered_on, "total": Decimal("0.00"), "delivery_recipient": "Receiving dept.",
            "delivery_street": "Via Roma 1", "delivery_postcode": "20100", "delivery_city": "Milano",
            "delivery_country": "IT", "terms_accepted_at": utcnow(), "placed_by_id": placed_by.id, **kw})
        quotes = []
        for product, quantity in lines or [(self.product(), 2)]:
            unit = product.opex_price(pbx.term)
            quote = quote_line(unit, quantity, pbx.activated_on, pbx.term, ordered_on)
            quotes.append(quote)
            order.lines.append(m.OrderLine(
                product_id=product.id, sku=product.sku, name=product.name, quantity=quantity,
                unit_price=unit, period_start=quote.start, period_end=quote.expires, days=quote.days,
                period_days=quote.period_days, amount=quote.amount))
        order.total = quote_total(quotes)
        order.history.append(m.OrderStatusChange(from_status=None, to_status="awaiting_approval",
                                                 changed_by_id=placed_by.id))
        return self._add(order)

    def agreement(self, customer, status="uploaded", data=b"%PDF-1.4\n% signed\n", uploaded_by=None, **kw):
        uploaded_by = uploaded_by or self.user(partner=self.session.get(m.Partner, customer.partner_id))
        return self._add(m.Agreement(**{
            "partner_id": customer.partner_id, "customer_id": customer.id, "filename": "signed.pdf",
            "content_type": "application/pdf", "size": len(data), "data": data, "status": status,
            "uploaded_by_id": uploaded_by.id, **kw}))

    def catalogue_version(self, note="test"):
        return self._add(m.CatalogueVersion(note=note))
