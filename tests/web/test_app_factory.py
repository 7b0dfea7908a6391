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
