from flask import current_app, render_template
from flask_login import current_user

from hwaas.extensions import db
from hwaas.main import bp
from hwaas.services import dashboard, revenue
from hwaas.web import access, scope, today

access(bp)

# The main navigation per role, in order; an area shows once its blueprint is registered.
NAVIGATION = {
    "partner": [
        ("customers.index", "Customers"),
        ("cart.index", "Cart"),
        ("orders.index", "Orders"),
        ("revenue.renewals", "Renewals"),
        ("revenue.charges", "Charges"),
        ("agreements.index", "Agreements"),
        ("pricelist.index", "Price list"),
        ("billing.balance", "Account balance"),
    ],
    "area_manager": [
        ("manager.partners", "Partners"),
        ("manager.agreements", "Agreements"),
        ("manager.orders", "Orders"),
        ("manager.replacements", "Replacements"),
    ],
    "admin": [
        ("admin.catalogue", "Catalogue"),
        ("admin.tiers", "Price tiers"),
        ("admin.invoices", "Invoices"),
        ("admin.partners", "Partners"),
        # Administrators can stand in for any area manager: the workspace shows every partner.
        ("manager.agreements", "Agreements"),
        ("manager.orders", "Orders"),
    ],
}


@bp.app_context_processor
def navigation():
    def nav_items():
        if not current_user.is_authenticated:
            return []
        return [(e, label) for e, label in NAVIGATION[current_user.role] if e in current_app.view_functions]

    return {"nav_items": nav_items, "view_endpoints": current_app.view_functions}


@bp.route("/")
def home():
    if current_user.is_partner:
        return render_template("main/home.html", tiles=dashboard.partner_tiles(scope(), today()),
                               revenue=revenue.partner_revenue(scope(), today()))
    return render_template("main/home.html", tiles=dashboard.staff_tiles(db.session, current_user),
                           staff_mrr=revenue.staff_mrr(db.session, current_user, today()))
