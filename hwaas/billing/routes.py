"""Account balance: the partner's invoices and where they stand on the overdue ladder."""
from flask import current_app, render_template

from hwaas.billing import bp
from hwaas.services import billing
from hwaas.web import access, current_standing, scope, today

access(bp, "partner")


@bp.route("/account-balance")
def balance():
    config = current_app.config
    return render_template(
        "billing/balance.html", balance=billing.balance(scope(), today(), current_standing()),
        warn_days=config["OVERDUE_WARN_DAYS"], block_after=config["OVERDUE_BLOCK_AFTER_DAYS"],
        read_only_days=config["OVERDUE_READ_ONLY_DAYS"], suspend_days=config["OVERDUE_SUSPEND_DAYS"],
    )
