"""Liveness for load balancers: /healthz answers a constant, touching neither database nor session."""
from flask import Blueprint

bp = Blueprint("health", __name__)

from hwaas.health import routes  # noqa: E402,F401
