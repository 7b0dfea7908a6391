"""Security headers on every response (errors and static files included), the cookie policy, and
embedding: which portals may frame hwaas (HWAAS_FRAME_ANCESTORS) and what that changes."""
import re

from flask import Flask, current_app, request, session
from flask_login import current_user

from hwaas import logs
from hwaas.services.embed_tokens import MIN_SECRET_LENGTH

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")
HSTS = "max-age=63072000; includeSubDomains"
# Exactly scheme://host[:port]: no path, no trailing slash, no wildcard, no userinfo, https only.
_ORIGIN = re.compile(
    r"https://(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)"
    r"(?::(?P<port>[0-9]{1,5}))?"
)


def parse_frame_ancestors(value: str | None) -> tuple[str, ...]:
    """The origins allowed to frame hwaas, from a space-separated list. Anything that is not
    exactly `https://host[:port]` (lower case) is refused, loudly, at start."""
    origins = []
    for item in (value or "").split():
        match = _ORIGIN.fullmatch(item)
        port = match and match.group("port")
        if not match or (port and not 0 < int(port) < 65536) or (port and port.startswith("0")):
            raise RuntimeError(
                f"HWAAS_FRAME_ANCESTORS: {item!r} is not an origin. Give space-separated origins, "
                f"each exactly https://host or https://host:port (lower case, no path, no trailing "
                f"slash, no wildcard), e.g. HWAAS_FRAME_ANCESTORS='https://portal.example.com'."
            )
        if item not in origins:
            origins.append(item)
    return tuple(origins)


def frame_ancestors(app: Flask | None = None) -> tuple[str, ...]:
    return (app or current_app).extensions["hwaas_security"]["frame_ancestors"]


def embedding_enabled(app: Flask | None = None) -> bool:
    return bool(frame_ancestors(app))


def is_embedded() -> bool:
    """This session was opened by an embed launch (and embedding is still on)."""
    return embedding_enabled() and bool(session.get("embedded"))


def _configure(app: Flask) -> None:
    config = app.config
    origins = parse_frame_ancestors(config.get("HWAAS_FRAME_ANCESTORS"))
    secret = config.get("HWAAS_EMBED_SECRET") or ""
    if secret and len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"HWAAS_EMBED_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                           f"(e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))').")
    if origins:
        # Inside a portal's frame hwaas is a third party: its session cookie is only sent with
        # SameSite=None, which requires Secure, and is kept apart per portal site (CHIPS).
        config["SESSION_COOKIE_SAMESITE"] = "None"
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_PARTITIONED"] = True
        if config["SESSION_COOKIE_NAME"] == "session":
            config["SESSION_COOKIE_NAME"] = "__Host-session"
    if config["SESSION_COOKIE_NAME"].startswith("__Host-") and (
            not config.get("SESSION_COOKIE_SECURE") or config.get("SESSION_COOKIE_DOMAIN")
            or config.get("SESSION_COOKIE_PATH") not in (None, "/")):
        # Browsers drop such a cookie silently: nobody could sign in. Say so now instead.
        raise RuntimeError("A __Host- session cookie needs SESSION_COOKIE_SECURE=True, no domain and path /.")
    app.extensions["hwaas_security"] = {"frame_ancestors": origins}


def _never_framed() -> bool:
    """Downloads and the admin area are never framed, whatever HWAAS_FRAME_ANCESTORS says."""
    path = request.path
    return request.blueprint == "admin" or path == "/admin" or path.startswith("/admin/")


def init_app(app: Flask) -> None:
    _configure(app)
    logs.init_app(app)

    @app.before_request
    def _clean_request_id():
        logs.current_request_id()

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        origins = frame_ancestors(app)
        framable = bool(origins) and not _never_framed() and "Content-Disposition" not in headers
        ancestors = "frame-ancestors " + ("'self' " + " ".join(origins) if framable else "'none'")
        # A view may set its own, stricter policy; who may frame it is decided here all the same.
        own = [d.strip() for d in headers.get("Content-Security-Policy", CSP).split(";")]
        kept = [d for d in own if d and not d.lower().startswith("frame-ancestors")]
        headers["Content-Security-Policy"] = "; ".join([*kept, ancestors])
        if framable:
            headers.pop("X-Frame-Options", None)  # would override frame-ancestors in old browsers
        else:
            headers["X-Frame-Options"] = "DENY"
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Behind a TLS-terminating load balancer request.is_secure may be False; production says https.
        if request.is_secure or app.config.get("PREFERRED_URL_SCHEME") == "https":
            headers.setdefault("Strict-Transport-Security", HSTS)
        if response.mimetype == "text/html" and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        headers["X-Request-Id"] = logs.current_request_id()
        return response

    @app.context_processor
    def _embedding_context():
        return {"embedded": is_embedded(), "embed_parent_origins": frame_ancestors(app)}
