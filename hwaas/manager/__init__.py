"""The area manager's workspace: partners, agreements to review, orders and replacement requests
to move along."""
from flask import Blueprint

bp = Blueprint("manager", __name__, url_prefix="/manager")

from hwaas.manager import replacements, routes  # noqa: E402,F401
