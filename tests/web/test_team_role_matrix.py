"""Every route × Owner, Orderer and Viewer of one partner (DESIGN §3.9): owners do everything,
orderers everything but the team, viewers read everything and change nothing but their own
account. A refusal is a 403 page that says what the role cannot do and who can change it."""
import pytest

from hwaas.web import CHANGING_TEAM_ROLES
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
    return method in UNSAFE and team_role not in CHANGING_TEAM_ROLES and not getattr(view, "own_account", False)


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
