"""Addresses: the partner's delivery address book (entries are added at checkout)."""
from flask import Blueprint

bp = Blueprint("addresses", __name__, url_prefix="/addresses")

from hwaas.addresses import routes  # noqa: E402,F401
