"""Security headers on every response (pages, errors, static files), the htmx configuration, the
session cookie in production, error pages with an incident id, and what the logs may contain."""
import io
import json
import logging
import re
from pathlib import Path

import pytest

from hwaas import create_app, logs
from hwaas.config import ProductionConfig, TestConfig
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login

TEMPLATES = Path(__file__).resolve().parents[2] / "hwaas" / "templates"


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def assert_security_headers(response, secure: bool = False):
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = csp(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", response.headers["X-Request-Id"])
    if secure:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")


@pytest.fixture(scope="module")
def crashing_app(app):
    """A second app on the same database, with a view that fails and one that downloads."""
    other = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    other.test_client_class = app.test_client_class

    @other.get("/_test/crash")
    def crash():
        raise RuntimeError("database said no: password=hunter2 Cookie: session=stolen-cookie-value")

    return other


@pytest.mark.parametrize("url", ["/login", "/", "/no-such-page", "/static/css/app.css",
                                 "/static/js/app.js", "/static/no-such-file.js"])
def test_every_response_carries_the_security_headers(client, url):
    assert_security_headers(client.get(url))


def test_errors_carry_them_too(client, crashing_app):
    assert_security_headers(client.post("/"))  # 405
    assert_security_headers(client.post("/login", data={"email": "x"}))  # 400: no CSRF token
    assert_security_headers(crashing_app.test_client().get("/_test/crash"))  # 500


def test_hsts_over_https_and_in_production(client, app):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    assert_security_headers(client.get("/login", base_url="https://localhost"), secure=True)
    production = create_app(ProductionConfig, SECRET_KEY="x" * 40, HWAAS_BASE_URL="https://localhost",
                            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    # Behind a load balancer that ends TLS the request looks like http; production still says https.
    assert "max-age=" in production.test_client().get("/login").headers["Strict-Transport-Security"]


def test_signed_in_html_is_not_stored_but_static_files_may_be(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_request_ids_from_the_load_balancer_are_kept_only_when_plain(client):
    assert client.get("/login", headers={"X-Request-Id": "lb-1234.abc_DEF"}).headers["X-Request-Id"] == "lb-1234.abc_DEF"
    forged = client.get("/login", headers={"X-Request-Id": "x user=1 forged log line"}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


def test_htmx_is_configured_by_meta_tag(client):
    page = client.get("/login").text
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    assert match, "no htmx-config meta tag"
    config = json.loads(match.group(1))
    assert config["selfRequestsOnly"] is True
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    handling = config["responseHandling"]
    rule_422 = next(rule for rule in handling if re.fullmatch(rule["code"], "422"))
    assert rule_422["swap"] is True and rule_422["error"] is False  # invalid forms come back with their errors
    assert next(rule for rule in handling if re.fullmatch(rule["code"], "500"))["swap"] is False
    assert next(rule for rule in handling if re.fullmatch(rule["code"], "204"))["swap"] is False


def test_templates_need_no_inline_script_or_style():
    """The CSP forbids inline code: it would be silently dead in the browser. (PDF templates are
    rendered by WeasyPrint and mail templates read in mail programs, neither served: they may
    style themselves.)"""
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        if {"pdf", "email"} & set(path.relative_to(TEMPLATES).parts):
            continue
        text = path.read_text()
        for pattern, what in [(r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
                              (r"<style\b", "<style> element"),
                              (r"\sstyle=", "style attribute"),
                              (r"\son[a-z]+=", "event handler attribute"),
                              (r"javascript:", "javascript: URL"),
                              (r"hx-on", "hx-on (needs eval)")]:
            if re.search(pattern, text, re.IGNORECASE):
                problems.append(f"{path.relative_to(TEMPLATES)}: {what}")
    assert not problems, "\n".join(problems)


def test_production_session_cookie_has_the_host_prefix(app, make, session):
    user = make.user()
    session.commit()
    production = create_app(ProductionConfig, SECRET_KEY="x" * 40, HWAAS_BASE_URL="https://hwaas.example",
                            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    browser = production.test_client()
    https = {"base_url": "https://hwaas.example", "headers": {"Referer": "https://hwaas.example/login"}}
    page = browser.get("/login", **https)
    response = browser.post("/login", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": csrf_token(page.text)}, **https)
    assert response.status_code == 303, response.text
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path"} <= attributes
    assert "domain" not in attributes
    assert "Path=/" in cookie and "SameSite=Lax" in cookie


def test_a_host_cookie_that_browsers_would_drop_is_refused_at_start(app):
    with pytest.raises(RuntimeError, match="__Host-"):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                   SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=False)


@pytest.fixture
def captured_log():
    """What the app's log handler would write, as text."""
    stream = io.StringIO()
    handler = logs.make_handler(stream)
    logger = logging.getLogger("hwaas")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_a_server_error_shows_an_incident_id_that_is_in_the_log(crashing_app, make, session, captured_log):
    user = make.user()
    session.commit()
    browser = crashing_app.test_client()
    login(browser, user)
    response = browser.get("/_test/crash", headers={"X-Request-Id": "req-42"})
    assert response.status_code == 500
    incident = re.search(r"quote incident ([0-9a-f]{12})", response.text).group(1)
    assert "RuntimeError" not in response.text and "hunter2" not in response.text  # generic page
    assert response.headers["X-Request-Id"] == "req-42"
    output = captured_log.getvalue()
    line = next(line for line in output.splitlines() if incident in line)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ERROR hwaas ", line)  # UTC, ISO 8601
    assert "request=req-42" in line
    assert f"user={user.id}" in line
    assert "RuntimeError" in output  # the traceback is there…
    assert "hunter2" not in output and "stolen-cookie-value" not in output  # …without the secrets


def test_log_records_are_redacted_before_any_handler_writes_them(app, captured_log):
    log = logging.getLogger("hwaas.anything")
    with app.test_request_context("/login", headers={"Cookie": "session=abc.def.ghi"}):
        from flask import request

        log.warning("sign-in form %s", {"email": "anna@example.com", "password": "hunter2", "csrf_token": "tok-123"})
        log.warning("headers: %s", dict(request.headers))
        log.warning("Authorization: Bearer sk_live_abcdef")
        log.warning("GET /embed/launch?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl HTTP/1.1")
        log.warning('json body {"new_password": "s3cret-P4ss", "totp": "123456"}')
        log.warning("GET /?src=https://hwaas/embed/launch?token%3DeyJhbGciOi.eyJzdWIiOiJ5In0.c2ln HTTP/1.1")
    output = captured_log.getvalue()
    for secret in ("hunter2", "tok-123", "abc.def.ghi", "sk_live_abcdef", "eyJzdWIiOiJ4In0", "s3cret-P4ss", "123456",
                   "eyJzdWIiOiJ5In0"):
        assert secret not in output, secret
    assert "anna@example.com" in output and "[REDACTED]" in output  # the rest stays readable


def test_access_log_lines_of_the_servers_are_redacted(app):
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '%s - - "%s" %s', ("127.0.0.1", "GET /embed/launch?token=abc.def.ghi HTTP/1.1", 303), None)
    for name in ("werkzeug", "gunicorn.access"):
        assert logging.getLogger(name).filter(record)
    assert "abc.def.ghi" not in record.getMessage() and "/embed/launch?token=[REDACTED]" in record.getMessage()
