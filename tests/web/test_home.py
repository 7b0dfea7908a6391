"""The home page: what waits for each role."""
import re

from tests.helpers import login


def _tile(page: str, label: str) -> int:
    match = re.search(r'tile__figure">(\d+)</span> <span class="tile__label">' + label, page)
    assert match, f"no tile {label!r}"
    return int(match.group(1))


def test_an_area_manager_counts_only_the_latest_agreement_of_each_customer(client, make, session):
    manager = make.staff(role="area_manager")
    partner = make.partner(area_manager_id=manager.id)
    customer, other = make.customer(partner=partner), make.customer(partner=partner)
    make.agreement(customer, status="uploaded")
    make.agreement(customer, status="uploaded")  # a re-upload replaces the first
    make.agreement(other, status="uploaded")
    make.agreement(make.customer(), status="uploaded")  # not their partner
    session.commit()
    login(client, manager)
    page = client.get("/").text
    assert _tile(page, "agreements to review") == 2
    assert _tile(page, "partners") == 1


def test_a_partner_sees_their_own_figures(client, make, session):
    user = make.user()
    make.customer(partner=user.partner)
    make.customer()
    session.commit()
    login(client, user)
    assert _tile(client.get("/").text, "customers") == 1
