"""Recurring revenue in a browser without JavaScript: the chart's figures are a table a reader can
read, and the Charges export downloads with the page's own form (issue 12)."""
import csv
import datetime as dt
import io

import pytest

from hwaas import models as m
from hwaas.services import charges
from tests.browser.support import sign_in
from tests.world import build_world

pytestmark = pytest.mark.browser


def test_without_javascript_the_mrr_chart_reads_as_a_table_and_the_charges_export_downloads(
        nojs_page, make, session):
    world = build_world(make, session)
    today = dt.date.today()
    history = charges.mrr_history(session, today, 12, m.Charge.partner_id == world.a.partner.id)
    page = nojs_page
    sign_in(page, world.a.user.email)

    page.goto("/")
    assert page.locator("svg[role=img]").count() == 1
    table = page.get_by_role("table", name="Monthly recurring revenue (MRR), last 12 months")
    rows = table.locator("tbody tr")
    assert rows.count() == len(history) == 13
    last = rows.nth(12).locator("td").inner_text()
    assert last.replace("\u00a0", " ").strip().endswith(f"{history[-1][1]:,.2f}".split(".")[1]) and history[-1][1] > 0

    page.get_by_role("link", name="Charges", exact=True).first.click()
    page.get_by_label("CSV").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    assert download.value.suggested_filename == f"charges-{today.isoformat()}.csv"
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    own = session.query(m.Charge).filter_by(partner_id=world.a.partner.id).count()
    assert rows[0][0] == "Period start" and len(rows) == own + 1
    assert all(dt.date.fromisoformat(r[0]) for r in rows[1:])
