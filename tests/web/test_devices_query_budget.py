"""Query budgets of the PBX's page and the Cancel confirmation: the same number of SQL queries
with 3 devices as with 60, and with one request of each kind as with many (no N+1)."""
import datetime as dt
from decimal import Decimal

import pytest

from hwaas.models.types import utcnow
from hwaas.services import cancellations, replacements
from hwaas.services.tenancy import PartnerScope
from tests.helpers import counting_queries, login
from tests.ordering import GOOD, TODAY, acme, rent

# Sign-in, standing and layout included (one query); the PBX page also reads its next renewal (3).
BUDGET = {"pbx": 9, "cancel": 8}


def queries(app, client, url) -> int:
    client.get(url)  # warm up
    with counting_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return len(statements)


@pytest.fixture
def world(app, make, session, monkeypatch):
    monkeypatch.setitem(app.config, "HWAAS_TODAY", TODAY.isoformat())
    world = acme(make)
    world.service, world.phones = rent(session, world.monthly, world.phone, 3, dt.date(2026, 9, 10), Decimal("3.05"))
    return world


def requests_on(session, world, devices):
    scope = PartnerScope(session, world.partner.id)
    cancellations.confirm(scope, world.user, world.monthly.id, [devices[0].id], TODAY, utcnow(), GOOD)
    replacements.request_replacement(scope, world.user, world.monthly.id, [d.id for d in devices[1:3]], "faulty", "",
                                     standing=GOOD, now=utcnow(), address_id=world.address.id)


def measure(app, client, world):
    chosen = "&".join(f"devices={d.id}" for d in world.phones[-2:])
    return {"pbx": queries(app, client, f"/devices/pbxs/{world.monthly.id}"),
            "cancel": queries(app, client, f"/devices/pbxs/{world.monthly.id}/cancel?{chosen}")}


def test_the_pbx_page_and_the_cancel_confirmation_cost_the_same_queries_at_any_size(app, client, session, world):
    _, extra = rent(session, world.monthly, world.dect, 6, dt.date(2026, 9, 10), Decimal("20.00"))
    requests_on(session, world, extra[:3])
    session.commit()
    login(client, world.user)
    small = measure(app, client, world)

    for _ in range(8):
        _, more = rent(session, world.monthly, world.dect, 6, dt.date(2026, 9, 10), Decimal("20.00"))
        requests_on(session, world, more[:3])
    _, world.phones = rent(session, world.monthly, world.phone, 20, dt.date(2026, 9, 10), Decimal("3.05"))
    session.commit()
    large = measure(app, client, world)

    assert small == large, f"queries grew with the data: {small} → {large}"
    assert all(large[page] <= BUDGET[page] for page in BUDGET), large
