"""Random values posted to every form of every page never produce a server error (ASVS V1/V5):
bad input is a message on the form, never a 500."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tests.forms import forms_on
from tests.helpers import csrf_token, login
from tests.routes import app_rules, url_for_rule
from tests.world import build_world

# Forms whose submission ends the session the fuzzer works in.
SKIP_ACTIONS = {"/logout"}

# The classes of input found to cause 500s from outside, each kept here so it stays closed:
# Unicode digits ("²".isdigit() is true, int("²") fails), ids past INTEGER and BIGINT, numbers of
# 400 digits, signalling NaN, NUL and other control characters inside otherwise good text.
HOSTILE = ["²", "١٢", "2147483648", "9223372036854775808", "1" * 400, "sNaN", "-sNaN", "Infinity",
           "PO-\x00-1", "Via Roma\x001", "\x1b[31m", "\u200b", "\ud7ff", "0x10", "1_000", "+5", " 3 "]
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "99999999999999999999", "2026-02-30", "29/02/2027",
                     "<script>alert(1)</script>", "=cmd|' /C calc'!A0", "' OR 1=1 --", "\x00", "€1.234,56",
                     "0.005", "-0.00", "x" * 5000, *HOSTILE]),
)


def _value(field):
    if field.kind == "select" and field.options:
        return st.one_of(st.sampled_from(field.options), nasty_text)
    if field.kind in ("checkbox", "radio"):
        return st.one_of(st.just(field.value or "y"), st.just(None), nasty_text)
    if field.kind == "file":
        return st.one_of(st.just(None), st.binary(max_size=64).map(lambda b: ("file.bin", b)))
    return nasty_text


def _forms(app, who):
    """(page URL, page, form) for every form on every page `who` reaches, each form once: the
    pages come from app.url_map, so a route added tomorrow is fuzzed tomorrow."""
    world = who.world
    client = who.client
    seen = set()
    for rule in app_rules(app):
        if "GET" not in rule.methods:
            continue
        page_url = url_for_rule(app, rule, world, world.a)
        page = client.get(page_url)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        for form in forms_on(page.text, page_url):
            key = (form.method, form.action.split("?")[0])
            if form.action in SKIP_ACTIONS or key in seen:
                continue
            seen.add(key)
            yield page_url, page, form


class _Who:
    def __init__(self, app, make, session, who):
        self.world = build_world(make, session)
        user = {"user": self.world.a.user, "manager": self.world.a.manager, "admin": self.world.admin}[who]
        self.client = app.test_client()
        login(self.client, user)


def _send(client, form, data):
    """Submit like a browser: a GET form's values in the query string, a POST form's in the body."""
    if form.method == "get":
        query = {k: v for k, v in data.items() if k != "csrf_token" and not isinstance(v, tuple)}
        return client.get(form.action.split("?")[0], query_string=query)
    return client.post(form.action, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("who", ["user", "manager", "admin"])
def test_random_values_in_every_form_never_cause_a_server_error(app, make, session, who):
    import io

    signed_in = _Who(app, make, session, who)
    client, fuzzed, failures = signed_in.client, 0, []
    for page_url, page, form in _forms(app, signed_in):
        fuzzed += 1
        fields = [f for f in form.fields if f.name != "csrf_token" and f.kind != "submit"]

        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(st.fixed_dictionaries({f.name: _value(f) for f in fields}))
        def post_random(values):
            data = {"csrf_token": csrf_token(client.get(page_url).text) if "csrf_token" not in
                    page.text else csrf_token(page.text)}
            for name, value in values.items():
                if value is None:
                    continue
                data[name] = (io.BytesIO(value[1]), value[0]) if isinstance(value, tuple) else value
            response = _send(client, form, data)
            if response.status_code >= 500:
                failures.append(f"{form.method.upper()} {form.action} {values!r} → {response.status_code}")

        post_random()
    assert fuzzed, "no forms were found to fuzz"
    assert not failures, "\n".join(failures[:20])


# One value of each hostile class, put into every field of every form in turn (text with control
# characters first: a harmless value could change the state a later one needs), the rest of the
# form as the page filled it: deterministic, so a class once closed stays closed.
EACH_CLASS = ["PO-\x00-1", "\x1b", "²", "2147483648", "9223372036854775808", "1" * 400, "sNaN", "-1"]


@pytest.mark.parametrize("who", ["user", "manager", "admin"])
def test_each_hostile_class_in_each_field_of_every_form_is_refused_without_a_server_error(app, make, session, who):
    signed_in = _Who(app, make, session, who)
    failures, tried = [], 0
    for _, page, form in _forms(app, signed_in):
        filled = {f.name: (f.options[0] if f.kind == "select" and f.options else f.value)
                  for f in form.fields if f.kind not in ("submit", "file") and f.name != "csrf_token"}
        for name in filled:
            for value in EACH_CLASS:
                response = _send(signed_in.client, form, {**filled, name: value, "csrf_token": csrf_token(page.text)})
                tried += 1
                if response.status_code >= 500:
                    failures.append(f"{form.method.upper()} {form.action} {name}={value!r} → {response.status_code}")
    assert tried > 50, f"only {tried} requests were tried"
    assert not failures, "\n".join(failures[:30])
