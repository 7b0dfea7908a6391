"""Generic checks over every route of the app (ASVS V8, V3, V4): another partner's ids give 404,
every unsafe request needs a CSRF token of its own session, and no GET changes state."""
import hashlib

import pytest
import sqlalchemy as sa

from hwaas.extensions import db
from tests.helpers import csrf_token, login, signed_in
from tests.routes import (
    UNSAFE, app_rules, foreign_combinations, methods, unknown_arguments, url_for_rule,
)
from tests.world import build_world

# GET routes that change state on purpose, and why.
STATEFUL_GETS = {
    "embed.launch": "signs the partner in and spends the one-time launch token",
}
# GET routes whose normal answer is not a page a signed-in user reaches, and why.
NOT_A_PAGE = {
    "embed.launch": "needs a token signed by the host portal",
    "auth.login_code": "only after the password step of a two-step sign-in",
    "auth.login": "a signed-in user is sent home",
    "embed.check": "only right after an embed launch, to see whether the cookie stuck",
    "auth.reset_password": "needs the token of a password reset mail",
    "auth.accept_invitation": "needs the token of an invitation mail",
}
# Tables a GET may write without changing business state, and why.
CACHE_TABLES = {
    "document_cache": "generated price lists are cached on first download",
}


@pytest.fixture
def world(make, session):
    return build_world(make, session)


def test_every_route_argument_has_an_idor_case(app):
    missing = {rule.rule: unknown_arguments(rule) for rule in app_rules(app) if unknown_arguments(rule)}
    assert not missing, f"add these arguments to tests/routes.py: {missing}"


def _statuses_with_the_other_partners_ids(app, world, client, token) -> list[str]:
    """Every route, every method, every mix of A's and B's ids: what did not answer 404."""
    failures = []
    for rule in app_rules(app):
        for which in foreign_combinations(rule):
            url = url_for_rule(app, rule, world, world.a, world.b, which)
            for method in methods(rule):
                data = {"csrf_token": token} if method in UNSAFE else None
                status = client.open(url, method=method, data=data).status_code
                if status != 404:
                    failures.append(f"{method} {url} ({rule.endpoint}, {'+'.join(which)} of B) → {status}")
    return failures


def test_a_partner_gets_404_for_every_route_with_another_partners_ids(app, world):
    failures = _statuses_with_the_other_partners_ids(app, world, *signed_in(app, world.a.user))
    assert not failures, "\n".join(failures)


def test_an_area_manager_gets_404_for_records_of_partners_they_do_not_manage(app, world):
    failures = _statuses_with_the_other_partners_ids(app, world, *signed_in(app, world.a.manager))
    assert not failures, "\n".join(failures)


def test_each_get_route_with_ids_answers_its_own_users(app, world):
    """The control for the 404 matrices: with their own ids, someone reaches every page."""
    clients = [signed_in(app, u)[0] for u in (world.a.user, world.a.manager, world.admin)]
    unreachable = []
    for rule in app_rules(app):
        if "GET" not in rule.methods or rule.endpoint in NOT_A_PAGE:
            continue
        url = url_for_rule(app, rule, world, world.a)
        statuses = [c.get(url).status_code for c in clients]
        if not any(s < 400 for s in statuses):
            unreachable.append(f"{url} ({rule.endpoint}) → {statuses}")
    assert not unreachable, "\n".join(unreachable)


def test_every_unsafe_route_refuses_a_missing_or_foreign_csrf_token(app, world):
    client, _ = signed_in(app, world.a.user)
    _, foreign_token = signed_in(app, world.b.user)
    failures = []
    for rule in app_rules(app):
        url = url_for_rule(app, rule, world, world.a)
        for method in set(methods(rule)) & UNSAFE:
            for data in ({}, {"csrf_token": foreign_token}, {"csrf_token": "forged"}):
                status = client.open(url, method=method, data=data).status_code
                if status != 400:
                    failures.append(f"{method} {url} with {data or 'no token'} → {status}")
    assert not failures, "\n".join(failures)


def _fingerprint() -> dict[str, str]:
    """A digest of every table's rows: any insert, update or delete changes it."""
    digest = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name in CACHE_TABLES:
                continue
            rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digest


def test_no_get_request_changes_state(app, world):
    clients = [signed_in(app, u)[0] for u in (world.a.user, world.a.manager, world.admin)]
    with app.app_context():
        before = _fingerprint()
    changed = []
    for rule in app_rules(app):
        if "GET" not in rule.methods or rule.endpoint in STATEFUL_GETS:
            continue
        url = url_for_rule(app, rule, world, world.a)
        for client in clients:
            client.get(url)
            client.get(url, headers={"HX-Request": "true"})
        with app.app_context():
            after = _fingerprint()
        if after != before:
            changed.append(f"GET {url} changed {[t for t in after if after[t] != before[t]]}")
            before = after
    assert not changed, "\n".join(changed)
