"""Starting the app: secrets, databases and configuration."""
import pytest

from hwaas import create_app
from hwaas.config import ProductionConfig, database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI="sqlite://", HWAAS_INSTANCE_PATH=str(tmp_path))


def test_development_generates_a_secret_key_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("HWAAS_INSTANCE_PATH", str(tmp_path))
    from hwaas.config import DevelopmentConfig

    monkeypatch.setattr(DevelopmentConfig, "SECRET_KEY", None)
    first = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    second = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
])
def test_database_url_always_uses_psycopg_3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url("/tmp") == expected


def test_sqlite_in_the_instance_folder_is_the_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url("/srv/hwaas/instance") == "sqlite:////srv/hwaas/instance/hwaas.sqlite"


def test_production_refuses_to_start_without_the_address_users_reach_it_at(tmp_path):
    with pytest.raises(RuntimeError, match="HWAAS_BASE_URL must be"):
        create_app(ProductionConfig, SECRET_KEY="x" * 40, HWAAS_BASE_URL=None,
                   SQLALCHEMY_DATABASE_URI="sqlite://", HWAAS_INSTANCE_PATH=str(tmp_path))


def test_production_answers_only_its_own_host_name(tmp_path):
    app = create_app(ProductionConfig, SECRET_KEY="x" * 40, HWAAS_BASE_URL="https://hwaas.example.com",
                     SQLALCHEMY_DATABASE_URI="sqlite://", HWAAS_INSTANCE_PATH=str(tmp_path))
    client = app.test_client()
    assert client.get("/healthz", base_url="https://hwaas.example.com").status_code == 200
    assert client.get("/healthz", base_url="https://evil.example").status_code == 400


def test_every_blueprint_declares_who_may_use_it(app):
    from hwaas.web import Access

    undeclared = [name for name, bp in app.blueprints.items() if not isinstance(getattr(bp, "access", None), Access)]
    assert app.blueprints and not undeclared


def test_a_blueprint_without_an_access_declaration_stops_the_app_from_starting():
    from flask import Blueprint, Flask

    from hwaas.web import check_access_declared

    app = Flask(__name__)
    app.register_blueprint(Blueprint("forgotten", __name__))
    with pytest.raises(RuntimeError, match="forgotten"):
        check_access_declared(app)
