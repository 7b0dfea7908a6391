"""hwaas: the Hardware as a Service ordering portal. create_app() is the only place that wires it."""
import os
from pathlib import Path

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hwaas.config import CONFIGS, Config, database_url, instance_secret_key
from hwaas.extensions import csrf, db, htmx, login_manager, migrate

BLUEPRINTS = ("auth", "main", "account", "embed", "pricelist", "agreements", "manager", "billing", "admin", "documents",
              "customers", "cart", "addresses", "orders", "devices", "revenue", "team", "health")


def create_app(config: type[Config] | str | None = None, **overrides) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("HWAAS_INSTANCE_PATH") or None)
    if config is None:
        config = os.environ.get("HWAAS_CONFIG", "development")
    if isinstance(config, str):
        config = CONFIGS[config]
    app.config.from_object(config)
    app.config.update(overrides)
    production = issubclass(config, CONFIGS["production"])
    _configure_database_and_secret(app, production)
    _configure_proxies_and_hosts(app, production)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    from hwaas import models  # noqa: F401  (register the tables)
    from hwaas import i18n, web

    i18n.init_app(app)
    web.init_app(app)
    for name in BLUEPRINTS:
        module = __import__(f"hwaas.{name}", fromlist=["bp"])
        app.register_blueprint(module.bp)

    from hwaas.cli import register_commands

    register_commands(app)
    web.check_access_declared(app)
    return app


def _configure_proxies_and_hosts(app: Flask, production: bool) -> None:
    """Links in mails come from HWAAS_BASE_URL; production also refuses requests for other hosts
    (TRUSTED_HOSTS) and trusts X-Forwarded-* only from the configured number of proxies."""
    base = app.config.get("HWAAS_BASE_URL") or ""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise RuntimeError("HWAAS_BASE_URL must be where users reach hwaas, scheme://host[:port] "
                           f"(e.g. https://hwaas.example.com), not {base!r}.")
    if production and not app.config.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [parts.hostname]
    proxies = app.config.get("HWAAS_PROXY_COUNT") or 0
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _configure_database_and_secret(app: Flask, production: bool) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SECRET_KEY must be set in production (HWAAS_CONFIG=production).")
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
