"""Sign-in, sign-out and the home page."""
from tests.factories import PASSWORD
from tests.helpers import csrf_token, login, post_form


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_partner_signs_in_and_sees_their_partner_name(client, make, session):
    user = make.user(partner=make.partner(name="Demo Partner"))
    session.commit()
    login(client, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Demo Partner" in page.text
    assert 'aria-label="Main"' in page.text


def test_wrong_password_is_refused_on_the_form_with_422(client, make, session):
    user = make.user()
    session.commit()
    response = post_form(client, "/login", {"email": user.email, "password": "nope-nope-nope"})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "<title>Error: " in response.text
    assert 'aria-invalid="true"' in response.text


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client, make, session):
    user = make.user()
    session.commit()
    unknown = post_form(client, "/login", {"email": "nobody@example.com", "password": PASSWORD + "x"})
    wrong = post_form(client, "/login", {"email": user.email, "password": PASSWORD + "x"})
    assert unknown.status_code == wrong.status_code == 422
    assert "The e-mail address or password is not right." in unknown.text
    assert "The e-mail address or password is not right." in wrong.text


def test_login_without_csrf_token_is_refused(client, make, session):
    user = make.user()
    session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_sign_in_never_redirects_off_site(client, make, session):
    user = make.user()
    session.commit()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = client.get("/login")
        response = client.post(f"/login?next={target}", data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)})
        assert response.status_code == 303
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})


def test_logout_kills_a_copied_session_cookie(app, make, session):
    user = make.user()
    session.commit()
    browser = app.test_client()
    login(browser, user)
    cookie = browser.get_cookie("session")
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/").status_code == 200
    browser.post("/logout", data={"csrf_token": csrf_token(browser.get("/").text)})
    assert thief.get("/").status_code == 302


def test_signed_in_pages_are_not_stored_by_caches(client, make, session):
    user = make.user()
    session.commit()
    login(client, user)
    assert client.get("/").headers["Cache-Control"] == "no-store"
