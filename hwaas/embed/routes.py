import logging
import urllib.parse

import click
from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from hwaas.auth.routes import start_session
from hwaas.embed import bp
from hwaas.extensions import db
from hwaas.models.types import utcnow
from hwaas.security import embedding_enabled
from hwaas.services import embed_tokens
from hwaas.web import access

access(bp, public=True)

log = logging.getLogger("hwaas.embed")


def _secret() -> str:
    secret = current_app.config.get("HWAAS_EMBED_SECRET")
    if not embedding_enabled() or not secret:
        abort(404)
    return secret


@bp.get("/launch")
def launch():
    """The portal's iframe opens this with a token it signed: sign the partner in, without a
    password, then check that the session cookie stuck before showing the page asked for."""
    secret = _secret()
    try:
        launched = embed_tokens.redeem(db.session, request.args.get("token", ""), secret, utcnow())
    except embed_tokens.InvalidToken as refused:
        log.warning("embed launch refused: %s", refused.reason)
        return render_template("embed/launch_failed.html"), 403
    session.clear()
    session["embedded"] = True  # kept by start_session: the layout without top chrome
    response = start_session(launched.user, url_for("embed.check", next=launched.next))
    log.info("embed launch signed in user %s", launched.user.id)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/check")
def check():
    """Did the session cookie stick? If the browser refused it (third-party cookies blocked),
    offer a new tab instead of sending the frame round again: never a loop."""
    _secret()
    target = request.args.get("next", "")
    if not embed_tokens.is_local_path(target):
        target = url_for("main.home")
    if current_user.is_authenticated and session.get("embedded"):
        return redirect(target, code=303)
    return render_template("embed/cookies_blocked.html", target=target)


@bp.cli.command("link")
@click.argument("email")
@click.option("--next", "next_path", default="/", show_default=True, help="The page to open, a path on this site.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where hwaas is served.")
@click.option("--lifetime", default=120, show_default=True, type=click.IntRange(1, embed_tokens.MAX_LIFETIME),
              help="Seconds the link stays valid.")
def link(email: str, next_path: str, base_url: str, lifetime: int) -> None:
    """Print a one-time embed launch link for a partner user (what the portal makes)."""
    secret = current_app.config.get("HWAAS_EMBED_SECRET")
    if not secret:
        raise click.ClickException("HWAAS_EMBED_SECRET is not set.")
    token = embed_tokens.issue(secret, email, utcnow(), next=next_path, lifetime=lifetime)
    click.echo(base_url.rstrip("/") + "/embed/launch?" + urllib.parse.urlencode({"token": token}))
