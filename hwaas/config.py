"""Configuration objects; secrets and deployment choices come from the environment."""
import os
import secrets
from decimal import Decimal
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Accept the common short forms and always use the psycopg 3 driver.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    return "sqlite:///" + str(Path(instance_path) / "hwaas.sqlite")


def instance_secret_key(instance_path: str) -> str:
    """Read the instance's generated secret key, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from DATABASE_URL in create_app
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024  # uploads are capped at 10 MB; a little room for the form
    PAGE_SIZE = 20
    RENEWALS_PAGE_SIZE = 100  # renewal lines per page of the Renewals page (a big partner has thousands)
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", 12))
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    # Overdue ladder (DESIGN §3.5): warn at >= WARN, block hardware at > BLOCK_AFTER,
    # read-only at >= READ_ONLY, services suspended at >= SUSPEND days overdue.
    OVERDUE_WARN_DAYS = int(os.environ.get("OVERDUE_WARN_DAYS", 2))
    OVERDUE_BLOCK_AFTER_DAYS = int(os.environ.get("OVERDUE_BLOCK_AFTER_DAYS", 5))
    OVERDUE_READ_ONLY_DAYS = int(os.environ.get("OVERDUE_READ_ONLY_DAYS", 30))
    OVERDUE_SUSPEND_DAYS = int(os.environ.get("OVERDUE_SUSPEND_DAYS", 35))

    CURRENCY = os.environ.get("HWAAS_CURRENCY", "EUR")
    VAT_RATE = Decimal(os.environ.get("HWAAS_VAT_RATE", "0.22"))

    # No MAIL_SERVER outside production: `flask send-mail` writes the mails to instance/mail/*.eml.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_REQUIRES_SMTP = False
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "hwaas@localhost")

    # Embedding in the vendor's partner portal: space-separated origins, each exactly
    # https://host[:port] (checked at start, see hwaas/security.py and docs/embedding.md), and the
    # secret the portal signs launch tokens with (at least 32 characters).
    HWAAS_FRAME_ANCESTORS = os.environ.get("HWAAS_FRAME_ANCESTORS", "")
    HWAAS_EMBED_SECRET = os.environ.get("HWAAS_EMBED_SECRET")

    # "Today" for the whole app; tests and demos may pin it (YYYY-MM-DD).
    HWAAS_TODAY = os.environ.get("HWAAS_TODAY")

    # Where users reach hwaas (scheme://host[:port]): the links in mails and documents are built
    # from it, never from a request's Host header. Required in production.
    HWAAS_BASE_URL = os.environ.get("HWAAS_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")
    # Proxies in front of hwaas that set X-Forwarded-For/-Proto (werkzeug ProxyFix): 0 when
    # clients connect directly. Sign-in throttling counts the client address they report.
    HWAAS_PROXY_COUNT = int(os.environ.get("HWAAS_PROXY_COUNT", 0))
    # Host names a request may carry (Flask's TRUSTED_HOSTS); in production, from
    # HWAAS_TRUSTED_HOSTS or else the host of HWAAS_BASE_URL.
    TRUSTED_HOSTS = os.environ.get("HWAAS_TRUSTED_HOSTS", "").split() or None


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    HWAAS_BASE_URL = os.environ.get("HWAAS_BASE_URL")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"  # only ever set over https, by this host, for the whole site
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    MAIL_REQUIRES_SMTP = True  # `flask send-mail` refuses to run without MAIL_SERVER


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    WTF_CSRF_ENABLED = True
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    HWAAS_TODAY = None
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 0


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}
