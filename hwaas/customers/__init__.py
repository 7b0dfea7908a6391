"""Customers: search, a customer's PBXs and Devices, and Order HWaaS."""
from flask import Blueprint

bp = Blueprint("customers", __name__, url_prefix="/customers")

from hwaas.customers import routes  # noqa: E402,F401
