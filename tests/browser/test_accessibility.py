"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every page of the app, as each role sees it, and on the
error state of every form. The page list comes from app.url_map: a page nobody scanned fails."""
import pytest

from tests.browser.support import axe_violations, sign_in
from tests.routes import app_rules, url_for_rule
from tests.world import build_world

# GET routes that are not pages to scan, and why.
NOT_PAGES = {
    "embed.launch": "redirects: needs a token signed by the host portal (scanned in the embedding tests)",
    "embed.check": "redirects or shows the open-in-a-new-tab page (scanned in the embedding tests)",
    "auth.login_code": "only after the password step of a two-step sign-in (scanned below)",
}
# Form actions not to submit while crawling: they end the session the crawl runs in.
DO_NOT_SUBMIT = ("/logout", "/account/two-factor/off")


def _context(chromium, live_server, **options):
    context = chromium.new_context(base_url=live_server.url(), viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(10_000)
    return context


def _is_download(response) -> bool:
    return response.status == 200 and (
        "attachment" in (response.headers.get("content-disposition") or "")
        or not response.headers.get("content-type", "").startswith("text/html"))


def _scan_pages(page, app, world, failures, scanned, forms):
    for rule in app_rules(app):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        url = url_for_rule(app, rule, world, world.a)
        probe = page.request.get(url, max_redirects=0)  # shares the page's cookies
        if probe.status == 404:
            continue
        if _is_download(probe):
            scanned.add(rule.endpoint)  # a download: nothing to scan, and it answered
            continue
        page.goto(url)
        scanned.add(rule.endpoint)
        failures += [f"{url}: {v}" for v in axe_violations(page)]
        for action in page.eval_on_selector_all(
                "main form[method=post], main form[method=POST]", "fs => fs.map(f => f.getAttribute('action'))"):
            if action and not action.startswith(DO_NOT_SUBMIT):
                forms.setdefault(action, url)


def _scan_form_errors(page, forms, failures) -> int:
    """Submit each form as it comes (mostly empty) and scan what comes back: error summaries,
    invalid fields, refusals. Returns how many were submitted."""
    submitted = 0
    for action, url in sorted(forms.items()):
        response = page.goto(url)
        if response is None or response.status != 200:
            continue
        form = page.locator(f'main form[action="{action}"]').first
        if form.count() == 0:
            continue
        with page.expect_navigation(wait_until="load", timeout=10_000):
            form.evaluate("f => { f.noValidate = true; HTMLFormElement.prototype.submit.call(f); }")
        submitted += 1
        failures += [f"after submitting {action} on {url}: {v}" for v in axe_violations(page)]
    return submitted


# Every page as three roles, then every form's error state: the crawl grows with the app, and on
# the shared 2-core machine it outgrew the suite's 180 s default.
@pytest.mark.timeout(600)
def test_every_page_and_form_error_state_passes_axe(chromium, live_server, app, make, session):
    world = build_world(make, session)
    failures, scanned, forms, submitted = [], set(), {}, 0

    anonymous = _context(chromium, live_server)
    page = anonymous.new_page()
    page.goto("/login")
    scanned.add("auth.login")
    failures += [f"/login: {v}" for v in axe_violations(page)]
    anonymous.close()

    for user in (world.a.user, world.a.manager, world.admin):
        context = _context(chromium, live_server)
        page = context.new_page()
        sign_in(page, user.email)
        _scan_pages(page, app, world, failures, scanned, forms)
        submitted += _scan_form_errors(page, forms, failures)
        forms.clear()
        context.close()

    pages = {r.endpoint for r in app_rules(app) if "GET" in r.methods} - set(NOT_PAGES)
    assert pages - scanned == set(), f"pages nobody scanned: {sorted(pages - scanned)}"
    assert submitted >= 10, f"only {submitted} form error states were scanned"
    print(f"scanned {len(scanned)} pages and {submitted} form submissions")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("width", [320])
def test_pages_reflow_without_horizontal_scrolling_at_320_px(chromium, live_server, app, make, session, width):
    """WCAG 1.4.10: at 320 CSS px (400 % zoom of 1280) nothing needs a horizontal scroll."""
    world = build_world(make, session)
    context = chromium.new_context(base_url=live_server.url(), viewport={"width": width, "height": 800})
    page = context.new_page()
    sign_in(page, world.a.user.email)
    wide = []
    for rule in app_rules(app):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        url = url_for_rule(app, rule, world, world.a)
        probe = page.request.get(url, max_redirects=0)
        if probe.status != 200 or _is_download(probe):
            continue
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide.append(f"{page.url}: {overflow}px too wide")
    context.close()
    assert not wide, "\n".join(wide)
