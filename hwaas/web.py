"""Web-layer plumbing shared by every blueprint: today, scoping, partial-or-full rendering,
the request transaction, error pages, security headers and the signed-in user's standing."""
import datetime as dt
import functools
import logging
import time
import uuid

from flask import Flask, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.exceptions import HTTPException

from hwaas.extensions import db, htmx, login_manager
from hwaas.services import accounts, invoices, overdue
from hwaas.services.errors import NotFound
from hwaas.services.tenancy import PartnerScope

log = logging.getLogger("hwaas")


def today() -> dt.date:
    """The business date: HWAAS_TODAY when pinned (demos, tests), else the server's date."""
    pinned = current_app.config.get("HWAAS_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def scope() -> PartnerScope:
    """The signed-in partner's scope; staff have none here."""
    if not current_user.is_authenticated or current_user.partner_id is None:
        abort(404)
    if "scope" not in g:
        g.scope = PartnerScope(db.session, current_user.partner_id)
    return g.scope


def keep_changes() -> None:
    """Commit this request's changes even though it answers with an error (e.g. a recorded
    failed sign-in on a 422)."""
    g.keep_changes = True


def role_required(*roles: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_partial_request() -> bool:
    """Only a targeted htmx request gets a fragment; boosted requests and history restores
    get the whole page."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(page: str, partial: str, status: int = 200, **context):
    """Render the full page or just the htmx target's partial, and say that it varies."""
    body = render_template(partial if is_partial_request() else page, **context)
    response = current_app.make_response((body, status))
    response.vary.add("HX-Request")
    return response


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


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(session_id: str):
        signed_in = accounts.load_signed_in(db.session, session_id)
        if signed_in is None:
            return None
        g.oldest_open_due = signed_in.oldest_open_due
        return signed_in.user

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
            flash("You were signed out after "
                  + (f"{current_app.config['SESSION_ABSOLUTE_HOURS']} hours. " if too_long else
                     f"{current_app.config['SESSION_IDLE_MINUTES']} minutes without activity. ")
                  + "Sign in again to continue.", "info")
            target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
            if htmx:
                response = current_app.make_response(("", 204))
                response.headers["HX-Redirect"] = target
                return response
            return redirect(target, code=303)
        if now - seen_at > 30 or request.endpoint == "auth.keepalive":
            session["_seen_at"] = now
        if session.get("must_enrol_totp") and request.endpoint not in (
                "account.two_factor", "auth.logout", "auth.keepalive"):
            return redirect(url_for("account.two_factor"), code=303)
        return None

    @app.after_request
    def _commit(response):
        # One transaction per request: services flush, this commits what a successful request did.
        if response.status_code < 400 or g.get("keep_changes"):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.errorhandler(NotFound)
    def _not_found(error):
        return _error_page(404, "Page not found", "There is nothing here, or it is not yours to see.")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        titles = {
            400: ("Bad request", "The request could not be understood. Go back and try again."),
            403: ("Not allowed", "You cannot do this."),
            404: ("Page not found", "There is nothing here, or it is not yours to see."),
            405: ("Not allowed", "This address does not accept that kind of request."),
            413: ("File too large", "The file is larger than allowed (10 MB). Choose a smaller file."),
            429: ("Too many attempts", "Too many attempts. Wait a minute and try again."),
        }
        title, text = titles.get(error.code, (error.name, error.description))
        return _error_page(error.code, title, text)

    @app.errorhandler(Exception)
    def _server_error(error: Exception):
        incident = uuid.uuid4().hex[:12]
        db.session.rollback()
        log.exception("incident %s request %s", incident, g.get("request_id"))
        return _error_page(
            500, "Something went wrong",
            f"Something went wrong on our side. Nothing was changed. If it happens again, "
            f"quote incident {incident} to support.",
        )

    @app.context_processor
    def _layout_context():
        return {"standing": current_standing(), "today": today()}

    from hwaas import filters, security

    filters.init_app(app)
    security.init_app(app)


def _error_page(code: int, title: str, text: str):
    return render_template("error.html", code=code, title=title, text=text), code
