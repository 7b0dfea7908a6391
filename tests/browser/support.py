"""What browser tests do again and again: sign in, wait for a condition, check accessibility with axe-core."""
import time

from axe_playwright_python.sync_playwright import Axe

from tests.factories import PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def wait_until(page, expression: str, timeout: float = 5.0) -> None:
    """Wait until a JavaScript expression is truthy on one of our pages.

    Playwright's wait_for_function evaluates its predicate with eval() inside the page once the
    first check fails, which our Content-Security-Policy (no 'unsafe-eval') rightly refuses; each
    page.evaluate() here goes through the DevTools protocol instead, which CSP does not govern.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s on {page.url}: {expression}")
        page.wait_for_timeout(50)


def watch_errors(page) -> list[str]:
    """What goes wrong in the page while a flow runs: script errors, console errors, responses
    of 400 and above. A 422 is a refusal on a form, which flows provoke on purpose; Chromium
    logs it as a failed load, and asks for /favicon.ico on its own."""
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: m.type == "error" and "favicon" not in (m.location or {}).get("url", "")
            and "status of 422" not in m.text and problems.append(f"{m.text} ({(m.location or {}).get('url')})"))
    page.on("response", lambda r: r.status >= 400 and r.status != 422 and problems.append(f"{r.status} {r.url}"))
    return problems


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now, one readable line each."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                      "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found violations on {page.url}:\n" + "\n".join(violations)
