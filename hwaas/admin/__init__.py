"""The administrators' desk: catalogue, price tiers, invoices."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from hwaas.admin import routes  # noqa: E402,F401
