"""Price list downloads: OpEx, CapEx, CLASSOUND as EXCEL or PDF, for the partner's tier."""
from flask import Blueprint

bp = Blueprint("pricelist", __name__, url_prefix="/price-list")

from hwaas.pricelist import routes  # noqa: E402,F401
