"""Renewals, Charges, their exports and MRR on the pages (issue 12): what a partner sees agrees
with the service layer, filters are the partner's own, exports carry real dates and numbers."""
import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from hwaas import models as m
from hwaas.services import charges, revenue
from hwaas.services.tenancy import PartnerScope
from tests.helpers import login
from tests.world import build_world

D = Decimal
TODAY = dt.date.today()


@pytest.fixture
def world(make, session):
    return build_world(make, session)


@pytest.fixture
def partner(client, world):
    login(client, world.a.user)
    return client


def test_the_renewals_page_lists_the_next_90_days_by_date_with_totals_per_month(partner, world, session):
    expected = revenue.upcoming(PartnerScope(session, world.a.partner.id), TODAY)
    page = partner.get("/renewals/")
    assert page.status_code == 200 and "<h1>Renewals</h1>" in page.text
    assert expected.lines and expected.total > 0
    assert f"{expected.lines[0].day:%d}" in page.text
    assert "Totals per month" in page.text
    assert world.b.customer.name not in page.text  # only the partner's own


def test_the_renewals_page_lists_its_lines_a_page_at_a_time_and_keeps_the_totals_whole(app, partner, world,
                                                                                       session, monkeypatch):
    """A partner with thousands of renewals in 90 days gets the totals of all of them, and the
    lines a page at a time (the page took seconds to render them all at once)."""
    expected = revenue.upcoming(PartnerScope(session, world.a.partner.id), TODAY)
    assert len(expected.lines) >= 3, "the world renews at least three services in 90 days"
    monkeypatch.setitem(app.config, "RENEWALS_PAGE_SIZE", 2)
    first = partner.get("/renewals/").text
    pages = -(-len(expected.lines) // 2)
    assert f"Showing renewals 1–2 of {len(expected.lines)}, by date." in first
    assert f"Page 1 of {pages}" in first and 'href="/renewals/?page=2"' in first
    total = re.sub(r"\s+", " ", first)
    assert f'<td class="num">{len(expected.lines)}</td>' in total  # the month table counts every line
    day = expected.lines[0].day
    whole_day = sum((line.amount for line in expected.lines if line.day == day), D(0))
    assert f"€{whole_day:,.2f}" in first  # a date's heading has the whole day's amount
    second = partner.get("/renewals/?page=2", headers={"HX-Request": "true"})
    assert second.status_code == 200 and "<html" not in second.text and 'id="renewal-list"' in second.text
    assert "Showing renewals 3–" in second.text
    beyond = partner.get(f"/renewals/?page={pages + 5}").text
    assert f"Page {pages} of {pages}" in beyond  # past the end: the last page


def test_the_renewals_page_filters_by_one_of_the_partners_customers_and_never_anothers(partner, world):
    mine = partner.get(f"/renewals/?customer={world.a.customer.id}")
    assert mine.status_code == 200 and world.a.customer.name in mine.text
    assert partner.get(f"/renewals/?customer={world.b.customer.id}").status_code == 404
    bad = partner.get("/renewals/?customer=%C2%B2")
    assert bad.status_code == 422 and "There is a problem" in bad.text


def test_the_renewals_export_has_real_date_and_number_cells_and_the_pages_figures(partner, world, session):
    expected = revenue.upcoming(PartnerScope(session, world.a.partner.id), TODAY)
    answer = partner.get("/renewals/export?format=xlsx")
    assert answer.status_code == 200 and answer.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Renewal date" and len(rows) == len(expected.lines) + 1
    first = rows[1]
    assert isinstance(first[0], dt.datetime) and first[0].date() == expected.lines[0].day
    assert isinstance(first[-1], (int, float)) and D(str(first[-1])) == expected.lines[0].amount
    text = partner.get("/renewals/export?format=csv")
    parsed = list(csv.reader(io.StringIO(text.get_data(as_text=True))))
    assert parsed[0][0] == "Renewal date" and parsed[1][0] == expected.lines[0].day.isoformat()
    assert sum(D(r[-1]) for r in parsed[1:]) == expected.total


def test_a_bad_export_format_is_a_message_on_the_form(partner):
    answer = partner.get("/renewals/export?format=pdf")
    assert answer.status_code == 422 and "Choose EXCEL or CSV." in answer.text


def test_the_charges_page_lists_the_partners_charges_with_totals(partner, world, session):
    page = partner.get("/charges/")
    assert page.status_code == 200 and "<h1>Charges</h1>" in page.text
    own = session.query(m.Charge).filter_by(partner_id=world.a.partner.id).all()
    assert own and all(world.b.customer.name not in page.text for _ in own)
    total = sum((c.amount for c in own), D("0"))
    assert re.search(r"Total, %d charges?" % len(own), page.text)
    assert f"{total:,.2f}".replace(",", "") in page.text.replace(",", "").replace("\u202f", "")


def test_the_charges_filters_kind_month_customer_and_pbx(partner, world, session):
    charge = session.query(m.Charge).filter_by(partner_id=world.a.partner.id).first()
    month = charge.period_start.strftime("%Y-%m")
    hit = partner.get(f"/charges/?kind=initial&month={month}&pbx={charge.pbx_id}")
    matching = [c for c in session.query(m.Charge).filter_by(partner_id=world.a.partner.id, kind="initial",
                                                             pbx_id=charge.pbx_id)
                if c.period_start.strftime("%Y-%m") == month]
    said = f"Total, {len(matching)} charge{'' if len(matching) == 1 else 's'}<"
    assert hit.status_code == 200 and said in hit.text
    miss = partner.get("/charges/?kind=renewal")
    assert "No charge matches." in miss.text
    assert partner.get(f"/charges/?pbx={world.b.pbx.id}").status_code == 404
    assert partner.get(f"/charges/?customer={world.b.customer.id}").status_code == 404
    bad = partner.get("/charges/?month=2026-13")
    assert bad.status_code == 422 and "YYYY-MM" in bad.text
    assert partner.get("/charges/?kind=refund").status_code == 422


def test_the_charges_export_streams_every_matching_charge(partner, world, session):
    own = session.query(m.Charge).filter_by(partner_id=world.a.partner.id).count()
    answer = partner.get("/charges/export?format=csv", buffered=False)
    assert answer.status_code == 200 and answer.is_streamed
    rows = list(csv.reader(io.StringIO(answer.get_data(as_text=True))))
    assert rows[0][:3] == ["Period start", "Period end", "Kind"] and len(rows) == own + 1
    book = load_workbook(io.BytesIO(partner.get("/charges/export?format=xlsx").data))
    assert book.properties.title == "Charges" and book.active.max_row == own + 1


def test_a_customer_named_like_a_formula_is_exported_as_text(partner, world, session):
    session.get(m.Customer, world.a.customer.id).name = "=HYPERLINK(\"x\")"
    session.commit()
    rows = list(csv.reader(io.StringIO(partner.get("/charges/export?format=csv").get_data(as_text=True))))
    assert rows[1][3].startswith("'=")


def test_the_home_page_shows_mrr_its_chart_and_the_same_figures_as_a_table(partner, world, session):
    expected = charges.mrr_history(session, TODAY, 12, m.Charge.partner_id == world.a.partner.id)
    page = partner.get("/")
    assert page.status_code == 200 and "Monthly recurring revenue (MRR) today" in page.text
    assert "<svg" in page.text and 'role="img"' in page.text and "<script" not in page.text.split("<svg")[1].split("</svg>")[0]
    table = page.text.split('id="mrr-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(expected) + 1  # the header and one row per point
    assert expected[-1][1] > 0


def test_customers_show_their_mrr_and_the_customer_page_the_next_renewal_per_pbx(partner, world, session):
    listing = partner.get("/customers/")
    assert "<th scope=\"col\" class=\"num\">MRR</th>" in listing.text
    page = partner.get(f"/customers/{world.a.customer.id}")
    assert "Next renewals" in page.text and "Next renewal" in page.text
    nxt = revenue.next_renewals(PartnerScope(session, world.a.partner.id), [world.a.pbx], TODAY)[world.a.pbx.id]
    assert nxt.day == charges.next_expiration(world.a.pbx, TODAY) and nxt.amount > 0


def test_an_area_manager_sees_mrr_per_partner_and_the_admin_the_total(client, world, session):
    login(client, world.a.manager)
    page = client.get("/manager/partners")
    assert page.status_code == 200 and "MRR" in page.text
    home = client.get("/")
    assert "Monthly recurring revenue (MRR) today, your partners" in home.text
    client.post("/logout")
    admin = client.application.test_client()
    login(admin, world.admin)
    assert "Monthly recurring revenue (MRR) today, all partners" in admin.get("/").text
    assert revenue.total_mrr(session, TODAY) == sum(
        revenue.mrr_by_partner(session, [world.a.partner.id, world.b.partner.id], TODAY).values())


def test_a_read_only_partner_sees_renewals_and_charges(partner, world, make, session):
    make.invoice(world.a.partner, due_on=TODAY - dt.timedelta(days=31))
    session.commit()
    for url in ("/renewals/", "/charges/", "/renewals/export?format=csv", "/charges/export?format=xlsx", "/"):
        assert partner.get(url).status_code == 200, url


def test_staff_cannot_open_the_partners_pages(client, world):
    login(client, world.a.manager)
    assert client.get("/renewals/").status_code == 404
    assert client.get("/charges/export?format=csv").status_code == 404


def test_the_revenue_pages_issue_a_fixed_number_of_queries_whatever_the_number_of_rows(app, partner, world, make,
                                                                                       session):
    from tests.helpers import counting_queries

    urls = ["/", "/renewals/", "/charges/", f"/customers/{world.a.customer.id}", "/customers/"]

    def count():
        counts = {}
        for url in urls:
            partner.get(url)
            with counting_queries(app) as statements:
                assert partner.get(url).status_code == 200
            counts[url] = len(statements)
        return counts

    small = count()
    for i in range(12):  # more customers, PBXs, services and charges, renewing within 90 days
        customer = make.customer(world.a.partner, name=f"Growth {i:02d}")
        for term in ("monthly", "yearly"):
            pbx = make.pbx(customer, term=term, activated_on=TODAY - dt.timedelta(days=300 + i))
            session.add(m.PbxService(pbx_id=pbx.id, term=term, kind="hwaas", product_id=world.product.id,
                                     quantity=i + 1, unit_price=world.product.opex_price(term),
                                     started_on=pbx.activated_on))
        pbx = make.pbx(world.a.customer, term="monthly", activated_on=TODAY - dt.timedelta(days=20 + i))
        session.add(m.PbxService(pbx_id=pbx.id, term="monthly", kind="hwaas", product_id=world.product.id,
                                 quantity=2, unit_price=D("10.00"), started_on=pbx.activated_on))
    session.flush()
    charges.charge_uncharged(session, TODAY)
    session.commit()
    large = count()
    print("queries per page:", small)
    assert large == small


def test_renewals_charges_and_their_exports_speak_italian_to_an_italian_partner(partner, world, session):
    world.a.user.language = "it"
    session.commit()
    expected = revenue.upcoming(PartnerScope(session, world.a.partner.id), TODAY)
    renewals = partner.get("/renewals/").text
    assert "<h1>Rinnovi</h1>" in renewals and "Totali per mese" in renewals and "Mostra rinnovi" in renewals
    assert f"{expected.lines[0].day:%d/%m/%Y}" in renewals  # an Italian date
    charges_page = partner.get("/charges/").text
    assert "<h1>Addebiti</h1>" in charges_page and "Totali" in charges_page and "Tutti i tipi" in charges_page
    sheet = load_workbook(io.BytesIO(partner.get("/renewals/export?format=xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Data di rinnovo", "Cliente", "PBX") and rows[0][-2:] == ("Prezzo unitario", "Importo")
    assert isinstance(rows[1][0], dt.datetime) and isinstance(rows[1][-1], (int, float))  # still real cells
    text = partner.get("/charges/export?format=csv").get_data(as_text=True)
    header, first = list(csv.reader(io.StringIO(text)))[:2]
    assert header[:3] == ["Inizio periodo", "Fine periodo", "Tipo"]
    assert first[2] in ("Iniziale", "Rinnovo", "Penale di disdetta")


def test_a_refused_charges_filter_is_an_italian_message(partner, world, session):
    world.a.user.language = "it"
    session.commit()
    page = partner.get("/charges/?month=2026-13")
    assert page.status_code == 422 and "Inserisci il mese come AAAA-MM, ad es. 2026-11." in page.text
