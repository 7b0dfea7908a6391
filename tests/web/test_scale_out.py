"""Scale-out readiness (DESIGN §7): two app processes sharing one database behave as one — nothing a
request needs is in one process's memory — and two outbox senders never send a mail twice."""
import datetime as dt
import threading
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hwaas import create_app
from hwaas.config import TestConfig
from hwaas.extensions import db
from hwaas.models import DocumentCache, LoginFailure, OutboxMail
from hwaas.services import accounts, mail
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login
from tests.mailserver import smtp_server  # noqa: F401  (fixture)

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def other_host(app):
    """A second app process: its own app object, engine and connection pool, the same database."""
    second = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        HWAAS_INSTANCE_PATH=app.instance_path)
    second.test_client_class = IsolatedClient
    yield second
    with second.app_context():
        db.engine.dispose()


@pytest.fixture
def partner_user(make, session):
    user = make.user()
    make.product(capex_price=Decimal("100.00"))
    make.catalogue_version()
    session.commit()
    return user


def test_a_session_opened_on_one_host_works_on_the_other(app, other_host, partner_user):
    first = app.test_client()
    login(first, partner_user)
    token = csrf_token(first.get("/").text)  # a form rendered by the first host
    second = other_host.test_client()
    second.set_cookie("session", first.get_cookie("session").value)
    page = second.get("/customers/")
    assert page.status_code == 200 and "<h1>Customers</h1>" in page.text
    # ... is accepted by the other: the CSRF secret travels in the signed session cookie.
    assert second.post("/logout", data={"csrf_token": token}).status_code in (302, 303)


def test_sign_in_failures_count_across_hosts(app, other_host, partner_user):
    clients = [app.test_client(), other_host.test_client()]
    for attempt in range(5):
        client = clients[attempt % 2]
        page = client.get("/login")
        answer = client.post("/login", data={"email": partner_user.email, "password": "wrong password",
                                             "csrf_token": csrf_token(page.text)})
        assert answer.status_code == 422
    for client in clients:  # five failures spread over both: both refuse the account now
        page = client.get("/login")
        answer = client.post("/login", data={"email": partner_user.email, "password": PASSWORD,
                                             "csrf_token": csrf_token(page.text)})
        assert answer.status_code == 429



@pytest.fixture
def behind_a_proxy(app):
    """The app as deployed behind one reverse proxy (HWAAS_PROXY_COUNT=1)."""
    proxied = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         HWAAS_INSTANCE_PATH=app.instance_path, HWAAS_PROXY_COUNT=1)
    proxied.test_client_class = IsolatedClient
    yield proxied
    with proxied.app_context():
        db.engine.dispose()


def _sign_in(client, email, password, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/login", headers=headers)
    return client.post("/login", headers=headers,
                       data={"email": email, "password": password, "csrf_token": csrf_token(page.text)})


def _twenty_failures_from(client, make, session, forwarded_for):
    users = [make.user() for _ in range(5)]
    session.commit()
    for user in users:
        for _ in range(4):
            assert _sign_in(client, user.email, "wrong password", forwarded_for).status_code == 422


def test_behind_a_proxy_clients_are_counted_by_their_forwarded_address(behind_a_proxy, make, session):
    client = behind_a_proxy.test_client()
    _twenty_failures_from(client, make, session, "203.0.113.7")
    someone_else = make.user()
    session.commit()
    assert _sign_in(client, someone_else.email, PASSWORD, "203.0.113.7").status_code == 429
    assert _sign_in(client, someone_else.email, PASSWORD, "198.51.100.20").status_code == 303
    assert set(session.scalars(select(LoginFailure.ip))) == {"203.0.113.7"}


def test_without_a_proxy_count_a_forwarded_address_is_not_believed(app, make, session):
    client = app.test_client()  # HWAAS_PROXY_COUNT=0: X-Forwarded-For is anyone's to write
    _twenty_failures_from(client, make, session, "203.0.113.7")
    someone_else = make.user()
    session.commit()
    assert _sign_in(client, someone_else.email, PASSWORD, "198.51.100.20").status_code == 429
    assert set(session.scalars(select(LoginFailure.ip))) == {"127.0.0.1"}


@pytest.mark.postgres
def test_twenty_parallel_wrong_passwords_get_at_most_the_accounts_limit_checked(app, partner_user, monkeypatch):
    if not _postgres(app):
        pytest.skip("the advisory lock is PostgreSQL's; set TEST_DATABASE_URL=postgresql+psycopg://…")
    checked = []
    real_authenticate = accounts.authenticate

    def counting_authenticate(*args, **kwargs):
        checked.append(1)
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(accounts, "authenticate", counting_authenticate)
    email = partner_user.email
    clients = [app.test_client() for _ in range(20)]
    tokens = [csrf_token(client.get("/login").text) for client in clients]
    barrier = threading.Barrier(20)
    answers, errors = [], []

    def guess(client, token):
        try:
            barrier.wait(timeout=10)
            answers.append(client.post("/login", data={"email": email, "password": "wrong password",
                                                       "csrf_token": token}).status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(Counter(answers).items()) == [(422, 5), (429, 15)]
    assert len(checked) == 5
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_a_price_list_made_by_one_host_is_served_from_the_shared_cache_by_the_other(app, other_host, partner_user):
    first, second = app.test_client(), other_host.test_client()
    login(first, partner_user)
    login(second, partner_user)
    made = first.get("/price-list/download?kind=opex&format=xlsx")
    served = second.get("/price-list/download?kind=opex&format=xlsx")
    assert made.status_code == served.status_code == 200
    assert served.data == made.data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DocumentCache)) == 1


# --- the outbox sender on two hosts -------------------------------------------------------------


def _settings(server) -> mail.SmtpSettings:
    return mail.SmtpSettings(server="127.0.0.1", port=server.port, sender="hwaas@example.com")


def _postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


@pytest.fixture
def outbox(app, session):
    if not _postgres(app):
        pytest.skip("two senders at once is a PostgreSQL deployment (FOR UPDATE SKIP LOCKED); SQLite has one host")
    for n in range(60):
        mail.enqueue(session, f"partner{n}@example.com", f"Mail {n}", "Body", now=NOW + dt.timedelta(seconds=n))
    session.commit()
    return 60


@pytest.mark.postgres
def test_a_batch_locked_by_one_sender_is_skipped_by_the_other(app, outbox, smtp_server):
    with app.app_context():
        engine = db.engine
    with Session(engine) as first, Session(engine) as second:
        held = mail.due(first, NOW + dt.timedelta(hours=1), batch=10)  # locked until `first` commits
        assert len(held) == 10
        second.execute(text("SET LOCAL lock_timeout = '5s'"))  # waiting for `first` would be a failure, not a hang
        result = mail.send_pending(second, _settings(smtp_server), NOW + dt.timedelta(hours=1), batch=100)
        second.commit()
        assert result.sent == outbox - 10
        sent = {m["Subject"] for m in smtp_server.messages}
        assert not sent & {m.subject for m in held}
        first.rollback()
        result = mail.send_pending(first, _settings(smtp_server), NOW + dt.timedelta(hours=1), batch=100)
        first.commit()
        assert result.sent == 10
    assert sorted(Counter(m["Message-ID"] for m in smtp_server.messages).values()) == [1] * outbox


@pytest.mark.postgres
def test_two_senders_running_at_once_send_every_mail_exactly_once(app, outbox, smtp_server):
    with app.app_context():
        engine = db.engine
    start = threading.Barrier(2)
    errors = []

    def sender():
        try:
            with Session(engine) as session:
                start.wait()
                while True:
                    result = mail.send_pending(session, _settings(smtp_server), NOW + dt.timedelta(hours=1), batch=5)
                    session.commit()
                    if result.attempted == 0:
                        return
        except Exception as error:  # reported below: an assertion in a thread would be lost
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    delivered = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert len(delivered) == outbox, "every mail sent"
    assert set(delivered.values()) == {1}, "no mail sent twice"
    with Session(engine) as session:
        assert session.scalar(select(func.count()).where(OutboxMail.sent_at.is_(None))) == 0
