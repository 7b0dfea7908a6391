"""hwaas inside a portal's iframe, for real: two sites over TLS (portal.test and app.test, plus
evil.test, all mapped to 127.0.0.1 by Chromium), the host page from docs/embedding.md, a signed
launch link, the height messages, navigation and an order inside the frame; a portal not on the
list gets nothing."""
import html
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hwaas import create_app
from hwaas.config import TestConfig
from hwaas.services import embed_tokens
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.support import AXE_TAGS, wait_until

SECRET = "browser-test-portal-secret-0123456789abcdef"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"
ORDER_ENDPOINTS = ("customers.index", "cart.index", "orders.index")


def host_page_snippet() -> str:
    """The host page snippet exactly as docs/embedding.md gives it to portal teams."""
    text = DOCS.read_text()
    match = re.search(r"<!-- host-page-snippet -->\s*```html\n(.*?)```", text, re.DOTALL)
    assert match, "docs/embedding.md lost its host page snippet"
    return match.group(1)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for the three test sites."""
    if not shutil.which("openssl"):
        pytest.fail("openssl is needed to make the test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=app.test",
         "-addext", "subjectAltName=DNS:app.test,DNS:portal.test,DNS:evil.test",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return str(cert), str(key)


def serve(wsgi_app, certificate):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True, ssl_context=certificate)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Sites:
    """The portal (and the evil twin, same server, another name) and hwaas embedded."""

    def __init__(self, portal_port: int, app_port: int):
        self.portal = f"https://portal.test:{portal_port}"
        self.evil = f"https://evil.test:{portal_port}"
        self.app = f"https://app.test:{app_port}"

    def host_page(self, site: str, frame_src: str) -> str:
        return f"{site}/?" + urllib.parse.urlencode({"src": frame_src})

    def launch_url(self, email: str, next_path: str = "/") -> str:
        token = embed_tokens.issue(SECRET, email, int(time.time()), next=next_path)
        return f"{self.app}/embed/launch?" + urllib.parse.urlencode({"token": token})


@pytest.fixture(scope="module")
def sites(app, certificate):
    state = {}

    @Request.application
    def portal(request):
        # The documented snippet, with the test's own listener recording what arrives.
        snippet = (host_page_snippet()
                   .replace("https://hwaas.example.com/embed/launch?token=…", html.escape(request.args["src"]))
                   .replace("https://hwaas.example.com", state["sites"].app))
        recorder = f"""<script>
          window.hwaasMessages = [];
          window.addEventListener("message", function (event) {{
            if (event.origin === {json.dumps(state["sites"].app)}) {{ window.hwaasMessages.push(event.data); }}
          }});
        </script>"""
        page = f"<!doctype html><html lang='en'><head><title>Portal</title></head><body><h1>Partner portal</h1>{snippet}{recorder}</body></html>"
        return Response(page, content_type="text/html; charset=utf-8")

    portal_server = serve(portal, certificate)
    embedded = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          HWAAS_FRAME_ANCESTORS=f"https://portal.test:{portal_server.server_port}",
                          HWAAS_EMBED_SECRET=SECRET)
    app_server = serve(embedded, certificate)
    state["sites"] = Sites(portal_server.server_port, app_server.server_port)
    state["sites"].flask_app = embedded
    yield state["sites"]
    app_server.shutdown()
    portal_server.shutdown()


BROWSER_ARGS = CHROMIUM_ARGS + [
    "--host-resolver-rules=MAP portal.test 127.0.0.1, MAP evil.test 127.0.0.1, MAP app.test 127.0.0.1",
    "--ignore-certificate-errors",
]


@pytest.fixture(scope="module")
def browser(chromium):
    """A Chromium of our own (the session's Playwright, other flags): the test sites resolve to
    127.0.0.1 and their self-signed certificate is accepted."""
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
    yield page
    context.close()


def frame_axe_violations(frame) -> list[str]:
    """axe-core's WCAG 2.2 AA violations inside the frame (axe runs in the frame's own document)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(frame, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"]]


def frame_height(page) -> int:
    return page.evaluate("parseInt(document.getElementById('hwaas').style.height || '0', 10)")


def wait_for_height_message(page, already: int = 0) -> list[dict]:
    wait_until(page, f"window.hwaasMessages.length > {already}")
    return page.evaluate("window.hwaasMessages")


def test_an_allowed_portal_embeds_hwaas_and_the_partner_is_signed_in(page, sites, make, session):
    user = make.user(partner=make.partner(name="Embedded Partner"))
    session.commit()
    page.goto(sites.host_page(sites.portal, sites.launch_url(user.email)))
    frame = page.frame_locator("#hwaas")
    frame.get_by_role("heading", name="Embedded Partner").wait_for()
    # No top chrome inside the frame, but the app's own navigation and landmarks.
    assert frame.locator(".site-header").count() == 0
    assert frame.get_by_role("main").count() == 1
    assert frame.get_by_role("navigation", name="Main").count() == 1
    # The frame told its parent how tall it is, and the documented snippet sized the iframe.
    messages = wait_for_height_message(page)
    assert messages[-1]["type"] == "hwaas:height" and messages[-1]["height"] > 100
    wait_until(page, "parseInt(document.getElementById('hwaas').style.height, 10) > 100")
    assert frame_height(page) == page.evaluate("window.hwaasMessages[window.hwaasMessages.length - 1].height")
    # The session lives in the frame: reloading the frame's page keeps the partner signed in.
    inner = next(f for f in page.frames if f.url.startswith(sites.app))
    assert inner.url == f"{sites.app}/"
    assert not frame_axe_violations(inner)  # the embedded layout is as accessible as the usual one
    inner.goto(f"{sites.app}/")
    frame.get_by_role("heading", name="Embedded Partner").wait_for()
    assert not page.csp_violations, page.csp_violations


def test_navigation_inside_the_frame_keeps_the_session_and_resizes_the_frame(page, sites, make, session):
    user = make.user(partner=make.partner(name="Navigating Partner"))
    session.commit()
    page.goto(sites.host_page(sites.portal, sites.launch_url(user.email)))
    frame = page.frame_locator("#hwaas")
    frame.get_by_role("heading", name="Navigating Partner").wait_for()
    before = len(wait_for_height_message(page))
    links = frame.get_by_role("navigation", name="Main").get_by_role("link")
    assert links.count() > 0, "no navigation inside the frame"
    label = links.first.inner_text()
    links.first.click()
    frame.get_by_role("heading", level=1).first.wait_for()
    inner = next(f for f in page.frames if f.url.startswith(sites.app))
    assert "/login" not in inner.url, f"signed out after following {label!r}"
    wait_for_height_message(page, before)  # the new page reported its height too
    assert not page.csp_violations, page.csp_violations


def test_an_order_is_completed_inside_the_frame(page, sites, make, session):
    missing = [e for e in ORDER_ENDPOINTS if e not in sites.flask_app.view_functions]
    if missing:
        pytest.fail(f"the ordering pages are not registered: {', '.join(missing)}")
    partner = make.partner(name="Ordering Partner")
    user = make.user(partner=partner)
    customer = make.customer(partner, name="Acme Embedded Srl")
    make.pbx(customer, term="yearly", name="pbx-embedded.example")
    make.product(name="Desk Phone E1")
    make.agreement(customer, uploaded_by=user)
    make.address(partner, recipient="Embedded Receiving")
    session.commit()

    page.goto(sites.host_page(sites.portal, sites.launch_url(user.email, "/customers/")))
    frame = page.frame_locator("#hwaas")
    frame.get_by_role("heading", name="Customers", level=1).wait_for()
    frame.get_by_role("link", name="Acme Embedded Srl", exact=True).click()
    frame.get_by_role("heading", name="Acme Embedded Srl", level=1).wait_for()
    frame.locator("a.button", has_text="Order HWaaS").click()
    frame.get_by_role("heading", name="Order HWaaS").wait_for()
    frame.get_by_label("One year").check()  # htmx swaps in the PBXs of that term and the products
    frame.get_by_label("Quantity of Desk Phone E1").fill("2")
    before = len(wait_for_height_message(page))
    frame.get_by_role("button", name="Add to cart").click()
    frame.get_by_role("heading", name="Cart").wait_for()
    wait_for_height_message(page, before)
    frame.get_by_role("link", name="Checkout").click()
    frame.get_by_role("heading", name="Checkout").wait_for()
    frame.get_by_label("Order reference").fill("PO-EMBED-1")
    frame.get_by_label(re.compile("Embedded Receiving")).check()
    frame.get_by_label("I accept the HWaaS terms of service").check()
    frame.get_by_role("button", name="Place order").click()
    frame.get_by_role("heading", name=re.compile(r"^Order HW-")).wait_for()
    frame.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    frame.get_by_role("heading", name="Orders", level=1).wait_for()
    assert frame.get_by_role("row").filter(has_text="Acme Embedded Srl").filter(has_text="Awaiting approval").count() == 1
    inner = next(f for f in page.frames if f.url.startswith(sites.app))
    assert inner.url.startswith(f"{sites.app}/orders")
    assert not page.csp_violations, page.csp_violations


def test_a_portal_not_on_the_list_gets_no_hwaas_page(page, sites, make, session):
    user = make.user(partner=make.partner(name="Stolen Partner"))
    session.commit()
    for src in (f"{sites.app}/login", sites.launch_url(user.email)):
        page.goto(sites.host_page(sites.evil, src))
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        frames = [f for f in page.frames if f != page.main_frame]
        assert len(frames) == 1
        # Chromium refuses to render it: an error page stands in for the app's.
        assert frames[0].url == "chrome-error://chromewebdata/", frames[0].url
        assert page.frame_locator("#hwaas").get_by_text("Sign in").count() == 0
        assert page.frame_locator("#hwaas").get_by_text("Stolen Partner").count() == 0
        assert page.evaluate("window.hwaasMessages.length") == 0


@pytest.fixture
def cookieless_page(chromium, tmp_path):
    """A Chromium whose user has blocked cookies (as some do for third parties): hwaas's cookie
    never sticks inside the frame."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(
        {"profile": {"default_content_setting_values": {"cookies": 2}, "cookie_controls_mode": 1}}))
    context = chromium.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True, ignore_https_errors=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def test_when_the_cookie_is_refused_the_frame_offers_a_new_tab_and_does_not_loop(cookieless_page, sites, make, session):
    page = cookieless_page
    user = make.user(partner=make.partner(name="Cookieless Partner"))
    session.commit()
    requests: list[str] = []
    page.on("request", lambda r: r.url.startswith(sites.app) and requests.append(r.url))
    page.goto(sites.host_page(sites.portal, sites.launch_url(user.email, "/?from=portal")))
    frame = page.frame_locator("#hwaas")
    link = frame.get_by_role("link", name="Open in a new tab")
    link.wait_for()
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("href") == "/?from=portal"
    page.wait_for_timeout(1000)  # and nothing else happens: no redirect back to the launch
    documents = [u for u in requests if "/static/" not in u]
    assert len([u for u in documents if "/embed/launch" in u]) == 1
    assert len([u for u in documents if "/embed/check" in u]) == 1
    assert frame.get_by_text("Cookieless Partner").count() == 0
