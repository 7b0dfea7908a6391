from flask import current_app, render_template
from flask_login import current_user

from hwaas.extensions import db
from hwaas.i18n import lazy_gettext as _l
from hwaas.main import bp
from hwaas.services import dashboard, revenue
from hwaas.web import access, scope, today

access(bp)

# The main navigation per role, in order; an area shows once its blueprint is registered.
NAVIGATION = {
    "partner": [
        ("customers.index", _l("Customers")),
        ("cart.index", _l("Cart")),
        ("orders.index", _l("Orders")),
        ("revenue.renewals", _l("Renewals")),
        ("revenue.charges", _l("Charges")),
        ("agreements.index", _l("Agreements")),
        ("pricelist.index", _l("Price list")),
        ("billing.balance", _l("Account balance")),
        ("team.index", _l("Team")),
    ],
    "area_manager": [
        ("manager.partners", _l("Partners")),
        ("manager.agreements", _l("Agreements")),
        ("manager.orders", _l("Orders")),
        ("manager.replacements", _l("Replacements")),
    ],
    "admin": [
        ("admin.catalogue", _l("Catalogue")),
        ("admin.tiers", _l("Price tiers")),
        ("admin.invoices", _l("Invoices")),
        ("admin.partners", _l("Partners")),
        # Administrators can stand in for any area manager: the workspace shows every partner.
        ("manager.agreements", _l("Agreements")),
        ("manager.orders", _l("Orders")),
    ],
}


def _open_to(user, endpoint: str) -> bool:
    """An area shows in the navigation when its blueprint lets the user's team role in."""
    blueprint = current_app.blueprints.get(endpoint.partition(".")[0])
    rule = getattr(blueprint, "access", None)
    return rule is None or rule.allows_team_role(user)


@bp.app_context_processor
def navigation():
    def nav_items():
        if not current_user.is_authenticated:
            return []
        return [(e, label) for e, label in NAVIGATION[current_user.role]
                if e in current_app.view_functions and _open_to(current_user, e)]

    return {"nav_items": nav_items, "view_endpoints": current_app.view_functions}


@bp.route("/")
def home():
    if current_user.is_partner:
        return render_template("main/home.html", tiles=dashboard.partner_tiles(scope(), today()),
                               revenue=revenue.partner_revenue(scope(), today()))
    return render_template("main/home.html", tiles=dashboard.staff_tiles(db.session, current_user),
                           staff_mrr=revenue.staff_mrr(db.session, current_user, today()))
