"""Account balance: invoices, totals, and the overdue ladder in words; paying lifts the block at once."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.helpers import login, post_form

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def partner_user(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    partner = make.partner(name="Demo Partner")
    user = make.user(partner=partner)
    session.commit()
    return user


def cells(html: str, number: str) -> list[str]:
    row = re.search(rf"<tr>\s*<th scope=\"row\" data-label=\"Invoice\">{number}</th>(.*?)</tr>", html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_invoices_with_status_days_overdue_and_totals(client, make, session, partner_user):
    partner = partner_user.partner
    make.invoice(partner, number="INV-OLD", due_on=TODAY - dt.timedelta(days=3), amount=Decimal("100.00"))
    make.invoice(partner, number="INV-DUE", due_on=TODAY + dt.timedelta(days=10), amount=Decimal("250.50"))
    make.invoice(partner, number="INV-PAID", due_on=TODAY - dt.timedelta(days=40), amount=Decimal("80.00"),
                 paid_on=TODAY - dt.timedelta(days=41))
    make.invoice(make.partner(), number="NOT-MINE", due_on=TODAY - dt.timedelta(days=90))
    session.commit()
    login(client, partner_user)
    page = client.get("/account-balance")
    assert page.status_code == 200
    assert "NOT-MINE" not in page.text
    assert cells(page.text, "INV-OLD") == ["2026-10-23", "2026-11-22", "€100.00", "Overdue", "3"]
    assert cells(page.text, "INV-DUE") == ["2026-11-05", "2026-12-05", "€250.50", "Due", "—"]
    assert cells(page.text, "INV-PAID")[3].startswith("Paid")
    assert page.text.index("INV-OLD") < page.text.index("INV-DUE") < page.text.index("INV-PAID")
    assert "<caption>" in page.text and 'scope="col"' in page.text
    footer = page.text.split("<tfoot>")[1]
    assert "€350.50" in footer and "€100.00" in footer and "€80.00" in footer
    # 3 days overdue: a warning, not yet a block.
    assert "An invoice is 3 days overdue." in page.text
    assert "will be blocked once it is more than 5 days overdue" in page.text


def test_a_block_says_what_is_blocked_and_how_to_lift_it_and_paying_lifts_it(app, client, make, session, partner_user):
    invoice = make.invoice(partner_user.partner, number="INV-LATE", due_on=TODAY - dt.timedelta(days=8))
    admin = make.staff(role="admin")
    session.commit()
    login(client, partner_user)
    page = client.get("/account-balance")
    assert "Ordering hardware and HWaaS is blocked until it is paid." in page.text
    assert "How to lift it:" in page.text and "starting with INV-LATE" in page.text
    assert "lifted — at once" in page.text
    home = client.get("/")
    assert "banner--danger" in home.text and 'href="/account-balance"' in home.text

    admin_client = app.test_client()
    login(admin_client, admin)
    response = post_form(admin_client, f"/admin/invoices/{invoice.id}/paid",
                         {f"invoice-{invoice.id}-paid_on": TODAY.isoformat()}, page_url="/admin/invoices")
    assert response.status_code == 303

    after = client.get("/account-balance")
    assert "blocked" not in after.text and "Nothing is overdue" in after.text
    assert "banner" not in client.get("/").text.split("<main")[0]


def test_a_read_only_partner_can_still_open_account_balance(client, make, session, partner_user):
    make.invoice(partner_user.partner, due_on=TODAY - dt.timedelta(days=31))
    session.commit()
    login(client, partner_user)
    page = client.get("/account-balance")
    assert page.status_code == 200
    assert "The portal is read-only until it is paid" in page.text


def test_staff_have_no_account_balance(client, make, session):
    manager = make.staff()
    session.commit()
    login(client, manager)
    assert client.get("/account-balance").status_code == 404


def test_the_account_balance_speaks_italian_to_an_italian_partner(client, make, session, partner_user):
    partner_user.language = "it"
    make.invoice(partner_user.partner, number="INV-OLD", due_on=TODAY - dt.timedelta(days=3), amount=Decimal("1100.00"))
    session.commit()
    login(client, partner_user)
    page = client.get("/account-balance").text
    assert "<h1>Saldo del conto</h1>" in page and "Giorni di ritardo" in page
    assert "€ 1.100,00" in page and "22/11/2026" in page and ">Scaduto</span>" in page
    assert "(la più vecchia scaduta da 3 giorni)" in page
