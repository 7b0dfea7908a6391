"""Embedding: which origins may frame hwaas, the cookie it needs in a frame, the signed launch link,
the embedded layout, and the page shown when the browser refuses the cookie."""
import logging
import re
import time
import urllib.parse

import pytest

from hwaas import create_app
from hwaas.config import TestConfig
from hwaas.security import parse_frame_ancestors
from hwaas.services import embed_tokens
from tests.factories import PASSWORD
from tests.helpers import csrf_token

SECRET = "portal-and-hwaas-share-this-secret-0123456789"
PORTAL = "https://portal.example"
OTHER = "https://crm.example:8443"
HTTPS = {"base_url": "https://hwaas.example"}


@pytest.fixture(scope="module")
def embed_app(app):
    """hwaas as a portal embeds it, on the tests' database."""
    embedding = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                           HWAAS_FRAME_ANCESTORS=f"{PORTAL} {OTHER}", HWAAS_EMBED_SECRET=SECRET)
    embedding.test_client_class = app.test_client_class

    @embedding.get("/_test/download")
    def download():
        return "a,b\n", 200, {"Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="x.csv"'}

    @embedding.get("/_test/own-policy")
    def own_policy():
        return "<p>sandboxed</p>", 200, {"Content-Security-Policy": "default-src 'none'; sandbox; frame-ancestors *"}

    return embedding


@pytest.fixture
def browser(embed_app):
    return embed_app.test_client()


def launch_url(user_email: str, next_path: str = "/", **kw) -> str:
    token = embed_tokens.issue(SECRET, user_email, int(time.time()), next=next_path, **kw)
    return "/embed/launch?" + urllib.parse.urlencode({"token": token})


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def header_csrf_token(html: str) -> str:
    """The token htmx sends (the embedded layout has no sign-out form to take it from)."""
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def sign_in_with_password(client, user):
    page = client.get("/login", **HTTPS)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
                           base_url=HTTPS["base_url"], headers={"Referer": "https://hwaas.example/login"})
    assert response.status_code == 303


def follow(client, response, limit: int = 5):
    """Follow 303s like a browser, returning every response on the way."""
    chain = [response]
    while response.status_code in (302, 303) and limit:
        response = client.get(response.headers["Location"], **HTTPS)
        chain.append(response)
        limit -= 1
    return chain


# --- Which origins, and what it changes -----------------------------------------------------------

@pytest.mark.parametrize("value", [
    "http://portal.example", "https://portal.example/", "https://portal.example/path", "https://*.example",
    "*", "'self'", "portal.example", "https://Portal.example", "https://portal.example:0",
    "https://portal.example:99999", "https://user@portal.example", "https://portal.example,https://b.example",
    "https://portal.example:443/", "https://portal_example.com", "https://-portal.example", "https://[::1]",
    "https://portal.example:08443",
])
def test_anything_but_exact_https_origins_is_refused_at_start(app, value):
    with pytest.raises(RuntimeError, match="HWAAS_FRAME_ANCESTORS"):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                   HWAAS_FRAME_ANCESTORS=value)


def test_origins_are_space_separated():
    assert parse_frame_ancestors("  https://a.example\thttps://b.example:8443 https://a.example ") == (
        "https://a.example", "https://b.example:8443")
    assert parse_frame_ancestors("") == parse_frame_ancestors(None) == ()


def test_a_short_embed_secret_is_refused_at_start(app):
    with pytest.raises(RuntimeError, match="HWAAS_EMBED_SECRET"):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                   HWAAS_FRAME_ANCESTORS=PORTAL, HWAAS_EMBED_SECRET="too-short")


def test_by_default_nothing_may_frame_hwaas(client):
    response = client.get("/login")
    assert csp(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Partitioned" not in response.headers.get("Set-Cookie", "")


def test_listed_portals_may_frame_hwaas(browser):
    response = browser.get("/login", **HTTPS)
    assert csp(response)["frame-ancestors"] == f"'self' {PORTAL} {OTHER}"
    assert "X-Frame-Options" not in response.headers
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "object-src 'none'" in policy


def test_downloads_and_the_admin_area_are_never_framed(browser):
    for url in ("/_test/download", "/admin/", "/admin/catalogue"):
        response = browser.get(url, **HTTPS)
        assert csp(response)["frame-ancestors"] == "'none'", url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_a_view_may_tighten_the_policy_but_not_choose_who_frames_it(browser):
    directives = csp(browser.get("/_test/own-policy", **HTTPS))
    assert directives["default-src"] == "'none'" and "sandbox" in directives
    assert directives["frame-ancestors"] == f"'self' {PORTAL} {OTHER}"


def test_the_session_cookie_works_in_a_third_party_frame(browser):
    cookie = browser.get("/login", **HTTPS).headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


# --- The launch link ----------------------------------------------------------------------------

def test_launch_signs_the_partner_in_and_opens_the_page_asked_for(browser, make, session):
    user = make.user(partner=make.partner(name="Framed Partner"))
    session.commit()
    launch = browser.get(launch_url(user.email, "/?tab=1"), **HTTPS)
    assert launch.status_code == 303
    assert launch.headers["Cache-Control"] == "no-store"
    assert launch.headers["Location"].startswith("/embed/check?")
    check, home = follow(browser, launch)[1:]
    assert check.status_code == 303 and check.headers["Location"] == "/?tab=1"
    assert home.status_code == 200
    assert "Framed Partner" in home.text


def test_the_embedded_layout_has_no_top_chrome_but_keeps_the_landmarks(browser, make, session):
    user = make.user()
    session.commit()
    home = follow(browser, browser.get(launch_url(user.email), **HTTPS))[-1]
    assert 'class="site-header"' not in home.text and 'class="site-footer"' not in home.text
    assert 'class="skip-link" href="#main"' in home.text
    assert '<main id="main"' in home.text
    assert 'id="announcer"' in home.text and 'aria-live="polite"' in home.text
    assert 'aria-label="Main"' in home.text  # the app's own navigation stays
    assert f'<meta name="hwaas-parent-origins" content="{PORTAL} {OTHER}">' in home.text
    assert "/static/js/embed.js" in home.text
    # Outside the frame the usual layout is back.
    normal = browser.application.test_client()
    sign_in_with_password(normal, user)
    page = normal.get("/", **HTTPS).text
    assert 'class="site-header"' in page and "embed.js" not in page


def test_csrf_protection_works_inside_the_frame(browser, make, session):
    user = make.user()
    session.commit()
    home = follow(browser, browser.get(launch_url(user.email), **HTTPS))[-1]
    same_origin = {**HTTPS, "headers": {"Referer": "https://hwaas.example/"}}
    assert browser.post("/logout", data={}, **same_origin).status_code == 400
    refused = browser.post("/logout", data={"csrf_token": header_csrf_token(home.text)},
                           base_url=HTTPS["base_url"], headers={"Referer": "https://portal.example/"})
    assert refused.status_code == 400  # a cross-site POST with the cookie (SameSite=None) still fails
    signed_out = browser.post("/logout", data={"csrf_token": header_csrf_token(home.text)}, **same_origin)
    assert signed_out.status_code == 303


def test_a_launch_replaces_whoever_was_signed_in_before(browser, make, session):
    first = make.user(partner=make.partner(name="First Partner"))
    second = make.user(partner=make.partner(name="Second Partner"))
    session.commit()
    follow(browser, browser.get(launch_url(first.email), **HTTPS))
    home = follow(browser, browser.get(launch_url(second.email), **HTTPS))[-1]
    assert "Second Partner" in home.text and "First Partner" not in home.text


def test_a_launch_link_works_once(browser, embed_app, make, session):
    user = make.user()
    session.commit()
    url = launch_url(user.email)
    assert browser.get(url, **HTTPS).status_code == 303
    thief = embed_app.test_client()
    replay = thief.get(url, **HTTPS)
    assert replay.status_code == 403
    assert "This link did not work" in replay.text
    assert thief.get("/", **HTTPS).status_code == 302  # not signed in


@pytest.mark.parametrize("make_url", [
    lambda email: launch_url(email, lifetime=-100),
    lambda email: launch_url(email, audience="crm"),
    lambda email: launch_url(email).replace("token=", "token=x"),
    lambda email: launch_url(email, next_path="https://evil.example/"),
    lambda email: "/embed/launch?" + urllib.parse.urlencode(
        {"token": embed_tokens.issue("another-secret-that-is-long-enough-0000", email, int(time.time()))}),
    lambda email: "/embed/launch",
])
def test_a_bad_launch_link_signs_nobody_in_and_logs_why_without_the_token(browser, make, session, caplog, make_url):
    user = make.user()
    session.commit()
    url = make_url(user.email)
    with caplog.at_level(logging.WARNING, logger="hwaas"):
        response = browser.get(url, **HTTPS)
    assert response.status_code == 403
    assert_security_headers_for_frame(response)
    assert browser.get("/", **HTTPS).status_code == 302
    messages = [r.getMessage() for r in caplog.records if r.name == "hwaas.embed"]
    assert messages and messages[0].startswith("embed launch refused: ")
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("token", [""])[0]
    assert all(not token or token not in m for m in caplog.text.splitlines())


def assert_security_headers_for_frame(response):
    assert csp(response)["frame-ancestors"] == f"'self' {PORTAL} {OTHER}"


def test_staff_cannot_be_launched(browser, make, session):
    admin = make.staff(role="admin")
    session.commit()
    assert browser.get(launch_url(admin.email), **HTTPS).status_code == 403


def test_without_embedding_there_is_no_launch(client, app, make, session):
    user = make.user()
    session.commit()
    assert client.get(launch_url(user.email)).status_code == 404
    assert client.get("/embed/check").status_code == 404
    no_secret = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                           HWAAS_FRAME_ANCESTORS=PORTAL)
    assert no_secret.test_client().get(launch_url(user.email), **HTTPS).status_code == 404


# --- Third-party cookies refused --------------------------------------------------------------------

def test_when_the_cookie_did_not_stick_a_new_tab_is_offered_not_a_loop(browser, embed_app, make, session):
    user = make.user()
    session.commit()
    launch = browser.get(launch_url(user.email, "/?from=portal"), **HTTPS)
    # A browser that refuses third-party cookies comes back without any.
    cookieless = embed_app.test_client()
    check = cookieless.get(launch.headers["Location"], **HTTPS)
    assert check.status_code == 200
    assert "Open in a new tab" in check.text
    link = re.search(r'<a class="button" href="([^"]+)" target="_blank" rel="noopener">Open in a new tab', check.text)
    assert link and link.group(1) == "/?from=portal"
    assert "http-equiv" not in check.text and "Location" not in check.headers


def test_the_new_tab_link_stays_on_this_site(browser):
    check = browser.get("/embed/check?next=https://evil.example/", **HTTPS)
    assert 'href="/"' in check.text and "evil.example" not in check.text


def test_flask_embed_link_prints_a_launch_link_that_works(embed_app, browser, make, session):
    user = make.user(partner=make.partner(name="Command Line Partner"))
    session.commit()
    with embed_app.app_context():  # the test's own app context (the `session` fixture's) is another app's
        result = embed_app.test_cli_runner().invoke(
            args=["embed", "link", user.email, "--next", "/?via=cli", "--base-url", "https://hwaas.example"])
        too_long = embed_app.test_cli_runner().invoke(args=["embed", "link", user.email, "--lifetime", "3600"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("https://hwaas.example/embed/launch?token=")
    home = follow(browser, browser.get(url.removeprefix("https://hwaas.example"), **HTTPS))[-1]
    assert "Command Line Partner" in home.text
    assert too_long.exit_code != 0 and "3600" in too_long.output
