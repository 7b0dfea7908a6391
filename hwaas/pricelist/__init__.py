"""Price list: the partner's prices as a table, and downloads (OpEx, CapEx, CLASSOUND as EXCEL or PDF)."""
from flask import Blueprint

bp = Blueprint("pricelist", __name__, url_prefix="/price-list")

from hwaas.pricelist import routes  # noqa: E402,F401
