"""Cart: the partner's carts, their lines, Save, Save & Recalculate, Reopen and Checkout."""
from flask import Blueprint

bp = Blueprint("cart", __name__, url_prefix="/cart")

from hwaas.cart import routes  # noqa: E402,F401
