"""The partner's side of the HWaaS agreement: prefilled PDF, signed upload, review outcome."""
from flask import Blueprint

bp = Blueprint("agreements", __name__)

from hwaas.agreements import routes  # noqa: E402,F401
