"""The partner's team, for its owners: invite colleagues, change their roles, deactivate them."""
from flask import Blueprint

bp = Blueprint("team", __name__, url_prefix="/team")

from hwaas.team import routes  # noqa: E402,F401
