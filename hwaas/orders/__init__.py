"""Orders: the partner's orders, filtered by status, and each order's lines and status history."""
from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/orders")

from hwaas.orders import routes  # noqa: E402,F401
