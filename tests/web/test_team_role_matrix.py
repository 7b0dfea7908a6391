"""Every route × Owner, Orderer and Viewer of one partner (DESIGN §3.9): owners do everything,
orderers everything but the team, viewers read everything and change nothing but their own
account. A refusal is a 403 page that says what the role cannot do and who can change it."""
import html
import re
from urllib.parse import urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from hwaas.web import CHANGING_TEAM_ROLES, is_form_page
from tests.helpers import csrf_token, login
from tests.routes import UNSAFE, app_rules, methods, url_for_rule
from tests.web.test_route_matrix import NOT_A_PAGE
from tests.world import build_world

# Unsafe routes that take their user away from the page or the session; asked last.
ENDS_THE_SESSION = {"account.logout"}


@pytest.fixture
def world(make, session):
    return build_world(make, session)


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _blueprint_access(app, rule):
    return getattr(app.blueprints.get(rule.endpoint.partition(".")[0]), "access", None)


def _expect_refused(app, rule, method: str, team_role: str) -> bool:
    """What the rules say: is this team role refused this route and method?"""
    access = _blueprint_access(app, rule)
    if access is None or access.public:
        return False
    if access.roles and "partner" not in access.roles:
        return False  # a staff page: a 404 for every partner, whatever their role (route matrix)
    if not access.allows_team_role(type("U", (), {"is_partner": True, "team_role": team_role})()):
        return True
    view = app.view_functions[rule.endpoint]
    changes = method in UNSAFE or is_form_page(rule)  # a form page is refused before it is filled in
    return changes and team_role not in CHANGING_TEAM_ROLES and not getattr(view, "own_account", False)


@pytest.mark.parametrize("team_role", ["owner", "orderer", "viewer"])
def test_every_route_answers_each_team_role_as_the_rules_say(app, world, team_role):
    user = {"owner": world.a.user, "orderer": world.a.orderer, "viewer": world.a.viewer}[team_role]
    client = _client(app, user)
    token = csrf_token(client.get("/").text)
    wrong, refused_pages = [], []
    # The URLs first: the owner's requests delete records (a cart line) whose ids they name.
    routes = [(rule, url_for_rule(app, rule, world, world.a))
              for rule in sorted(app_rules(app), key=lambda r: r.endpoint in ENDS_THE_SESSION)]
    for rule, url in routes:
        for method in methods(rule):
            if method == "GET" and rule.endpoint in NOT_A_PAGE:
                continue
            data = {"csrf_token": token} if method in UNSAFE else None
            response = client.open(url, method=method, data=data)
            expected = _expect_refused(app, rule, method, team_role)
            if response.status_code >= 500 or (response.status_code == 403) != expected:
                wrong.append(f"{method} {url} ({rule.endpoint}) → {response.status_code}, "
                             f"{'403' if expected else 'not 403'} expected")
            elif expected:
                refused_pages.append(response.text)
    assert not wrong, "\n".join(wrong)
    if team_role == "owner":
        assert not refused_pages
    else:
        assert refused_pages, "the matrix refused nothing"
        for page in refused_pages:
            assert "Not allowed for your role" in page and world.a.user.name in page and world.a.user.email in page


def test_a_viewers_refusal_says_what_they_cannot_do_and_who_can(app, world):
    client = _client(app, world.a.viewer)
    token = csrf_token(client.get("/").text)
    page = client.post(f"/orders/{world.a.order.id}/cancel", data={"csrf_token": token})
    assert page.status_code == 403
    assert "You are Viewer: you can see everything of your partner, but not change it." in page.text
    assert f"An owner can change your role: {world.a.user.name} ({world.a.user.email})." in page.text


def test_an_orderer_is_told_the_team_is_for_owners(app, world):
    client = _client(app, world.a.orderer)
    page = client.get("/team/")
    assert page.status_code == 403
    assert "Managing the team is for owners of your partner; you are Orderer." in page.text


def test_the_team_shows_in_the_navigation_of_owners_only(app, world):
    assert 'href="/team/"' in _client(app, world.a.user).get("/").text
    for user in (world.a.orderer, world.a.viewer):
        assert 'href="/team/"' not in _client(app, user).get("/").text


_TAG = re.compile(r"<(form|a|button)\b([^>]*)>", re.I)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')


def _targets_refused_to_a_viewer(app, page: str) -> list[str]:
    """The unsafe requests a page offers (forms, htmx attributes, links to a form page: a view
    that both shows and takes its form) that the rules refuse a Viewer."""
    adapter = app.url_map.bind("localhost")
    found = []
    for tag, attributes in _TAG.findall(page):
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(attributes)}
        offered = [attrs[a] for a in ("hx-post", "hx-put", "hx-patch", "hx-delete") if a in attrs]
        if tag.lower() == "form" and attrs.get("method", "get").lower() == "post":
            offered.append(attrs.get("action", ""))
        links = [attrs["href"]] if tag.lower() == "a" and attrs.get("href", "").startswith("/") else []
        if tag.lower() == "form" and attrs.get("method", "get").lower() == "get":
            links.append(attrs.get("action", ""))  # a GET form leading to a form page
        if tag.lower() == "button" and "formaction" in attrs:
            links.append(attrs["formaction"])
        for url in offered + links:
            path = urlsplit(url).path
            try:
                endpoint, _ = adapter.match(path, method="POST")
                if url in links and adapter.match(path, method="GET")[0] != endpoint:
                    continue  # a page to read, whose form posts to another view
            except HTTPException:
                continue
            rule = next(r for r in app.url_map.iter_rules(endpoint) if "POST" in (r.methods or ()))
            if _expect_refused(app, rule, "POST", "viewer"):
                found.append(f"<{tag}> to {url} ({endpoint})")
    return found


def test_a_viewer_is_offered_no_button_that_could_only_be_refused(app, world):
    """Viewers read every page without the actions their role cannot take; the layout says why
    once, with the owners who can change their role."""
    client = _client(app, world.a.viewer)
    offered, read = [], set()
    for rule in app_rules(app):
        if "GET" not in methods(rule) or rule.endpoint in NOT_A_PAGE or _expect_refused(app, rule, "GET", "viewer"):
            continue
        url = url_for_rule(app, rule, world, world.a)
        response = client.get(url)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        read.add(rule.endpoint)
        offered += [f"{url}: {target}" for target in _targets_refused_to_a_viewer(app, response.text)]
    assert {"customers.index", "customers.show", "devices.pbx", "cart.show", "orders.show", "agreements.show",
            "addresses.index"} <= read, f"the crawl missed pages with actions: it read {sorted(read)}"
    assert not offered, "a Viewer is offered actions their role is refused:\n" + "\n".join(sorted(set(offered)))
    home = client.get("/").text
    assert "You are Viewer: you can see everything of your partner, but not change it." in home
    assert world.a.user.email in home


def test_an_orderer_keeps_every_button_and_sees_no_role_notice(app, world):
    page = _client(app, world.a.orderer).get(f"/customers/{world.a.customer.id}").text
    assert "Order HWaaS" in page and "you can see everything of your partner" not in page
    assert _targets_refused_to_a_viewer(app, page), "the check finds an orderer's actions"
