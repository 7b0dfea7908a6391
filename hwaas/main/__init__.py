"""The home page and the layout's navigation."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from hwaas.main import routes  # noqa: E402,F401
