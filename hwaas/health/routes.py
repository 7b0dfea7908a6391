from flask import current_app

from hwaas.health import bp
from hwaas.web import access

access(bp, public=True)

# The endpoint the request hooks in hwaas/web.py skip, as they skip static files: no user load,
# no session timestamps, no database. It also serves as the benchmarks' bare route (bench/).
ENDPOINT = "health.healthz"


@bp.get("/healthz")
def healthz():
    """The process is up and serving. Readiness (database reachable) is not this route's job:
    a database hiccup must not make the load balancer drop every host at once."""
    response = current_app.response_class("ok", mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response
