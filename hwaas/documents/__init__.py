"""Generated documents that belong to other areas' records: the order confirmation PDF."""
from flask import Blueprint

bp = Blueprint("documents", __name__)

from hwaas.documents import routes  # noqa: E402,F401
