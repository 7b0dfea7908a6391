"""Test fixtures: one app and schema per session (SQLite, or PostgreSQL via TEST_DATABASE_URL),
every table emptied after each test, factories for the domain records.

pytest-flask builds on the `app` fixture here: its `client` is `app.test_client()`, so an
IsolatedClient, and it pushes a test request context around each test (url_for works in tests)."""
import contextvars
import os

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from hwaas import create_app
from hwaas.config import TestConfig
from hwaas.extensions import db
from tests import factories

collect_ignore_glob = []


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=url,
        HWAAS_INSTANCE_PATH=str(tmp_path_factory.mktemp("instance")),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()  # the schema comes from the migrations, so they are tested on every run
    yield app


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as on a real server: nothing in `g` or in the
    test's own app context and database session leaks into the request, or back."""

    def open(self, *args, **kwargs):
        # Buffered: a streamed body is produced inside its request's context, as on a server,
        # not later in the test's (a test of streaming itself may ask for buffered=False).
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)

    # pytest-flask's `client` fixture opens the client in a `with` block, which would keep each
    # request's contexts for the test to inspect afterwards; here they end with the request.
    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        return None


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table after a test that touched the database (commits included)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            tables = [t.name for t in reversed(db.metadata.sorted_tables)]
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def session(app):
    """The app's session inside an app context, for service tests."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def make(session):
    """Factories bound to the session: make.partner(...), make.customer(partner, ...), …"""
    return factories.Factories(session)
