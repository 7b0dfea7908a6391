"""Account balance: the partner's invoices and where they stand on the overdue ladder."""
from flask import Blueprint

bp = Blueprint("billing", __name__)

from hwaas.billing import routes  # noqa: E402,F401
