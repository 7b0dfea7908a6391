"""The Content-Security-Policy in a real browser: nothing on the pages is refused by it, and htmx
runs with the configuration of the meta tag (no eval, no script tags, same-origin requests only)."""
from tests.browser.support import sign_in, wait_until


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    page.on("pageerror", lambda e: violations.append(f"page error: {e}"))
    return violations


def test_nothing_on_the_pages_is_refused_by_the_policy(page, make, session):
    user = make.user(partner=make.partner(name="Policy Partner"))
    session.commit()
    violations = watch_csp(page)
    page.goto("/login")
    sign_in(page, user.email)
    for link in page.get_by_role("navigation", name="Main").get_by_role("link").all()[:5]:
        link.click()
        page.wait_for_load_state("load")
    assert not violations, "\n".join(violations)


def test_htmx_runs_with_the_configuration_of_the_meta_tag(page):
    page.goto("/login")
    wait_until(page, "window.htmx !== undefined")
    config = page.evaluate("""() => ({
        selfRequestsOnly: htmx.config.selfRequestsOnly, allowEval: htmx.config.allowEval,
        allowScriptTags: htmx.config.allowScriptTags, includeIndicatorStyles: htmx.config.includeIndicatorStyles,
        swaps422: htmx.config.responseHandling.find(r => new RegExp("^" + r.code + "$").test("422")),
    })""")
    assert config["selfRequestsOnly"] is True
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["swaps422"]["swap"] is True and config["swaps422"]["error"] is False
    # No indicator <style> was injected (the CSP would refuse it anyway).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
