"""The web layer every blueprint stands on, one way per thing (docs/decisions.md, "Web layer"):
each blueprint's access declaration, the overdue read-only gate, the mapper from a service's
DomainError to its form, the request transaction, htmx-aware redirects and sign-in prompts,
error pages, and the signed-in user's standing."""
import datetime as dt
import logging
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_htmx import make_response as htmx_response
from flask_login import current_user, logout_user
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.routing import IntegerConverter

from hwaas.extensions import db, htmx, login_manager
from hwaas.i18n import lazy_gettext as _l
from hwaas.services import accounts, invoices, overdue, teams
from hwaas.services.errors import DomainError, NotFound
from hwaas.services.manager import ManagerScope
from hwaas.services.tenancy import PartnerScope

log = logging.getLogger("hwaas")


def today() -> dt.date:
    """The business date: HWAAS_TODAY when pinned (demos, tests), else the server's date."""
    pinned = current_app.config.get("HWAAS_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def client_address() -> str:
    """The client's address, as sign-in throttling counts it: the peer's, or the one the trusted
    proxies forwarded (HWAAS_PROXY_COUNT puts werkzeug's ProxyFix in front of the app)."""
    return request.remote_addr or "unknown"


def scope() -> PartnerScope:
    """The signed-in partner's scope (their blueprint's access declaration let only partners in)."""
    if "scope" not in g:
        g.scope = PartnerScope(db.session, current_user.partner_id)
    return g.scope


def reader_scope():
    """The records the signed-in user may read: their partner's, or the partners they manage."""
    if current_user.is_partner:
        return scope()
    return ManagerScope(db.session, current_user)


def keep_changes() -> None:
    """Commit this request's changes even though it answers with an error (e.g. a recorded
    failed sign-in on a 422)."""
    g.keep_changes = True


# --- access: one declaration per blueprint -----------------------------------------------------

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STAFF = ("area_manager", "admin")


@dataclass(frozen=True)
class Access:
    """Who may use a blueprint's routes. `public`: anyone; otherwise a signed-in user whose role
    is in `roles` (any role when empty). A user of another role gets a 404: a page that is not
    theirs does not exist for them (docs/decisions.md). `team`: the partner team roles allowed
    (all when empty); a partner user of another team role gets a 403 saying who can."""

    roles: tuple[str, ...] = ()
    public: bool = False
    team: tuple[str, ...] = ()

    def allows(self, user) -> bool:
        return self.public or (user.is_authenticated and (not self.roles or user.role in self.roles))

    def allows_team_role(self, user) -> bool:
        return not self.team or not user.is_partner or user.team_role in self.team


def access(bp: Blueprint, *roles: str, public: bool = False, team: tuple[str, ...] = ()) -> Access:
    """The blueprint's one access declaration, at the top of its routes.py:
    `access(bp, "partner")`, `access(bp, *STAFF)`, `access(bp)` (any signed-in user),
    `access(bp, public=True)`, or for part of a partner's team `access(bp, "partner", team=("owner",))`.
    create_app refuses to start with a blueprint that has none."""
    rule = Access(tuple(roles), public, tuple(team))
    bp.access = rule

    @bp.before_request
    def _check_access():
        if rule.public:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not rule.allows(current_user):
            abort(404)
        if not rule.allows_team_role(current_user):
            return _team_role_refused(rule.team)
        return None

    return rule


def open_while_read_only(view):
    """Mark a view that a partner whose portal is read-only (overdue ladder) may still post to."""
    view.open_while_read_only = True
    return view


def own_account(view):
    """Mark a view of the user's own account (password, second factor, language, signing out):
    open while the portal is read-only, and to every team role, a Viewer included."""
    view.own_account = True
    return open_while_read_only(view)


# What a partner's team roles may change (DESIGN §3.9): a Viewer reads everything and changes
# nothing but their own account; team management is the owners' (the team blueprint says so).
CHANGING_TEAM_ROLES = ("owner", "orderer")


def may_change() -> bool:
    """Whether the signed-in user may change their partner's data: pages show a Viewer what is
    there without the buttons that would only answer 403 (the gate below still refuses)."""
    return not (current_user.is_authenticated and current_user.is_partner
                and current_user.team_role not in CHANGING_TEAM_ROLES)


def viewer_notice() -> str | None:
    """What the layout tells a Viewer once, at the top of every page: why there are no buttons."""
    return None if may_change() else _role_explained(owner_only=False)


def _team_role_gate():
    """A Viewer's unsafe request, in one place for every blueprint: a 403 page saying what they
    cannot do and who can, never a silent no-op. A form page (a view that both shows its form and
    takes it) is an action too: a Viewer is told at once, not after filling it in."""
    if request.endpoint is None or not (request.method in UNSAFE_METHODS or is_form_page(request.url_rule)):
        return None
    if may_change():
        return None
    view = current_app.view_functions.get(request.endpoint)
    rule = getattr(current_app.blueprints.get(request.blueprint or ""), "access", None)
    if getattr(view, "own_account", False) or rule is None or rule.public or not rule.allows(current_user):
        return None  # their own account, pages for anyone (sign-in, mail links), or a 404 to come
    return _team_role_refused(CHANGING_TEAM_ROLES)


def is_form_page(rule) -> bool:
    """A route that shows a form on GET and takes it on POST at the same view."""
    return rule is not None and "POST" in (rule.methods or ())


def _team_role_refused(allowed: tuple[str, ...]):
    return refusal_page(403, _("Not allowed for your role"), _role_explained(owner_only=allowed == ("owner",)))


def _role_explained(owner_only: bool) -> str:
    """What the user's role keeps them from doing, and who can change it."""
    owners = ", ".join(f"{o.name} ({o.email})" for o in teams.owners(db.session, current_user.partner_id))
    role = _(teams.role_label(current_user.team_role))
    if owner_only:
        text = _("Managing the team is for owners of your partner; you are %(role)s.", role=role)
    else:
        text = _("You are %(role)s: you can see everything of your partner, but not change it.", role=role)
    return text + " " + _("An owner can change your role: %(owners)s.", owners=owners)


def _read_only_gate():
    """The overdue ladder's read-only rung, for every unsafe request of a partner, in one place;
    the services keep their own checks as a backstop."""
    if request.method not in UNSAFE_METHODS or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "open_while_read_only", False):
        return None
    standing = current_standing()
    if standing is None or not standing.read_only:
        return None
    return refusal_page(
        403, _("The portal is read-only"),
        _("An invoice is %(days)s days overdue, so nothing can be changed until it is paid. "
          "Account balance shows what is due and how to pay it.", days=standing.days_overdue),
        link=(url_for("billing.balance"), _("Go to Account balance")))


# --- services' refusals on forms ----------------------------------------------------------------


class Refusal:
    """What `refusals()` caught: falsy while the block ran through, the error once it did not."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error else ""


def show_error(form, error: DomainError, fields: dict[str, str | None] | None = None) -> None:
    """Put a business error next to its field (renamed through `fields` when the service's name
    differs from the form's), or in the form's summary when the form has no such field."""
    name = (fields or {}).get(error.field, error.field)
    field = form._fields.get(name) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@contextmanager
def refusals(form=None, fields: dict[str, str | None] | None = None):
    """The one mapper from a service's DomainError to the page: the block's changes are rolled
    back (so the page shown again reads what is stored), the error lands on `form` (if given) and
    the view answers 422 with the form. NotFound is not a DomainError: it passes through to the
    404 handler.

        with refusals(form) as refused:
            order = partner_orders.cancel(...)
        if refused:
            return page(form), 422
    """
    outcome = Refusal()
    try:
        yield outcome
    except DomainError as error:
        db.session.rollback()
        outcome.error = error
        if form is not None:
            show_error(form, error, fields)


def failed(form) -> int:
    """The status of a page showing `form`: 422 once it carries errors, else 200."""
    return 422 if form is not None and form.errors else 200


# --- responses ----------------------------------------------------------------------------------


def is_partial_request() -> bool:
    """Only a targeted htmx request gets a fragment; boosted requests and history restores
    get the whole page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str | None = None, status: int = 200, **context):
    """Render the full page or just the htmx target's partial, and say that it varies."""
    body = render_template(partial if partial and is_partial_request() else page, **context)
    response = current_app.make_response((body, status))
    response.vary.add("HX-Request")
    return response


def see_other(location: str):
    """Redirect after a POST: a 303 for a browser, HX-Redirect for an htmx request (whose XHR would
    otherwise follow the 303 itself and swap a whole page into a small target)."""
    if htmx and not htmx.boosted:
        return htmx_response(("", 204), redirect=location)
    return redirect(location, code=303)


def _page_to_return_to() -> str | None:
    """Where to send a user back after signing in again: the page they were on. A GET is that
    page; an htmx request names it in HX-Current-URL; a plain form post in its Referer. Only
    paths on this site; a POST-only URL never (it would answer 405)."""
    if request.method == "GET" and not htmx:
        return request.full_path.rstrip("?")
    candidate = htmx.current_url if htmx else request.referrer
    if not candidate:
        return None
    parts = urlsplit(candidate)
    if parts.netloc and parts.netloc != request.host:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def external_url(endpoint: str, **values) -> str:
    """An absolute URL for a mail or a document, from configuration (HWAAS_BASE_URL), never from
    the request's Host header: a forged Host must not put another site's links in our mails."""
    return current_app.config["HWAAS_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def sign_in_again():
    """Send a signed-out user to the sign-in page, to come back to the page they were on."""
    target = url_for("auth.login", next=_page_to_return_to())
    if htmx:
        return htmx_response(("", 204), redirect=target)
    return redirect(target, code=303 if request.method in UNSAFE_METHODS else 302)


def overdue_thresholds() -> overdue.Thresholds:
    """The overdue ladder's rungs, as configured (OVERDUE_*_DAYS)."""
    config = current_app.config
    return overdue.Thresholds(
        warn=config["OVERDUE_WARN_DAYS"],
        block_after=config["OVERDUE_BLOCK_AFTER_DAYS"],
        read_only=config["OVERDUE_READ_ONLY_DAYS"],
        suspend=config["OVERDUE_SUSPEND_DAYS"],
    )


def standing_for(partner_id: int, on: dt.date) -> overdue.Standing:
    return invoices.partner_standing(db.session, partner_id, on, overdue_thresholds())


def current_standing() -> overdue.Standing | None:
    """The signed-in partner's rung on the overdue ladder, once per request: from the oldest
    unpaid invoice read with the user (no query of its own)."""
    if not current_user.is_authenticated or current_user.partner_id is None:
        return None
    if "standing" not in g:
        if "oldest_open_due" in g:
            g.standing = invoices.standing_from(g.oldest_open_due, today(), overdue_thresholds())
        else:  # the user was signed in during this request: read it now
            g.standing = standing_for(current_user.partner_id, today())
    return g.standing


class RecordId(IntegerConverter):
    """`<int:…>` in every route: a record id, so at most the largest INTEGER the databases store;
    a longer one is a 404 like any id that names nothing (never an overflow and a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RecordId
    # WTForms' own messages ("This field is required.", "Not a valid date value.") in the request's
    # language: Flask-WTF loads WTForms' bundled catalogue for flask_babel.get_locale(), ours.
    app.config.setdefault("WTF_I18N_ENABLED", True)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(session_id: str):
        signed_in = accounts.load_signed_in(db.session, session_id)
        if signed_in is None:
            return None
        g.oldest_open_due = signed_in.oldest_open_due
        return signed_in.user

    @login_manager.unauthorized_handler
    def _unauthorized():
        flash(str(login_manager.login_message), login_manager.login_message_category)
        return sign_in_again()

    @app.before_request
    def _request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex

    @app.before_request
    def _session_lifetime():
        """Idle and absolute timeouts (ASVS 7.3), and a second factor the partner requires."""
        if request.endpoint in ("static", "health.healthz") or not current_user.is_authenticated:
            return None
        now = time.time()
        idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
        absolute = current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600
        login_at, seen_at = session.get("_login_at"), session.get("_seen_at")
        if login_at is None or seen_at is None or now - seen_at > idle or now - login_at > absolute:
            too_long = login_at is not None and now - login_at > absolute
            embedded = session.get("embedded")
            logout_user()
            session.clear()
            if embedded:
                session["embedded"] = True
            if too_long:
                flash(_("You were signed out after %(hours)s hours. Sign in again to continue.",
                        hours=current_app.config["SESSION_ABSOLUTE_HOURS"]), "info")
            else:
                flash(_("You were signed out after %(minutes)s minutes without activity. Sign in again to continue.",
                        minutes=current_app.config["SESSION_IDLE_MINUTES"]), "info")
            return sign_in_again()
        if now - seen_at > 30 or request.endpoint == "account.keepalive":
            session["_seen_at"] = now
        if session.get("must_enrol_totp") and request.endpoint not in (
                "account.two_factor", "account.logout", "account.keepalive"):
            return see_other(url_for("account.two_factor"))
        return None

    app.before_request(_read_only_gate)
    app.before_request(_team_role_gate)

    @app.after_request
    def _commit(response):
        # The one place a request's transaction ends: services flush, this commits what a
        # successful request did and rolls back the rest (refusals() has already rolled back
        # the refused part, so the form could be shown again from what is stored).
        if response.status_code < 400 or g.get("keep_changes"):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.errorhandler(NotFound)
    def _not_found(error):
        return refusal_page(404, _("Page not found"), _("There is nothing here, or it is not yours to see."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        if isinstance(error, SecurityError):  # a Host outside TRUSTED_HOSTS: no URL can be built for it
            return current_app.response_class(_("Bad request: this host is not served here."), 400,
                                              mimetype="text/plain")
        titles = {
            400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
            403: (_("Not allowed"), _("You cannot do this.")),
            404: (_("Page not found"), _("There is nothing here, or it is not yours to see.")),
            405: (_("Not allowed"), _("This address does not accept that kind of request.")),
            413: (_("File too large"), _("The file is larger than allowed (10 MB). Choose a smaller file.")),
            429: (_("Too many attempts"), _("Too many attempts. Wait a minute and try again.")),
        }
        title, text = titles.get(error.code, (_(error.name), _(error.description)))
        return refusal_page(error.code, title, text)

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        incident = uuid.uuid4().hex[:12]
        db.session.rollback()
        log.exception("incident %s request %s", incident, g.get("request_id"))
        return refusal_page(
            500, _("Something went wrong"),
            _("Something went wrong on our side. Nothing was changed. If it happens again, "
              "quote incident %(incident)s to support.", incident=incident),
        )

    @app.context_processor
    def _layout_context():
        return {"standing": current_standing(), "today": today(), "may_change": may_change(),
                "viewer_notice": viewer_notice()}

    from hwaas import filters, security

    filters.init_app(app)
    security.init_app(app)


def check_access_declared(app: Flask) -> None:
    """Every blueprint says who may use it (`access(bp, …)`); one that does not is a start-up
    error, not a page open to anyone."""
    missing = sorted(name for name, bp in app.blueprints.items() if not isinstance(getattr(bp, "access", None), Access))
    if missing:
        raise RuntimeError(f"blueprints without an access declaration (hwaas.web.access): {', '.join(missing)}")


def refusal_page(code: int, title: str, text: str, link: tuple[str, str] | None = None):
    """A refusal or an error as a page, with what to do next (`link`: href, label); an htmx
    request gets the same page, which app.js shows as a message (the error's sentence is marked
    data-error-message) instead of swapping it in."""
    return render_template("error.html", code=code, title=title, text=text, link=link), code


