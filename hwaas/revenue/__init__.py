"""Renewals and Charges: what renews when and for how much, what was charged and why."""
from flask import Blueprint

bp = Blueprint("revenue", __name__)

from hwaas.revenue import routes  # noqa: E402,F401
