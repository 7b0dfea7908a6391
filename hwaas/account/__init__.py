"""The signed-in user's account: password and second factor; the admin's per-partner security."""
from flask import Blueprint

bp = Blueprint("account", __name__)

from hwaas.account import routes  # noqa: E402,F401
