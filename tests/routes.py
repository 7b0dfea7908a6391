"""The app's routes, and how to fill their arguments from a test world: the generic matrices
(IDOR, CSRF, GET safety, fuzzing, accessibility) all walk this one list, so a route added
tomorrow is checked tomorrow — and a route argument nobody knows how to fill fails the suite."""
import itertools

from werkzeug.routing import AnyConverter

# Arguments naming a record of one partner: (world side) -> id.
TENANT_ARGS = {
    "customer_id": lambda side: side.customer.id,
    "pbx_id": lambda side: side.pbx.id,
    "cart_id": lambda side: side.cart.id,
    "line_id": lambda side: side.line.id,
    "order_id": lambda side: side.order.id,
    "agreement_id": lambda side: side.agreement.id,
    "invoice_id": lambda side: side.invoice.id,
    "partner_id": lambda side: side.partner.id,
    "address_id": lambda side: side.address.id,
    "cancellation_id": lambda side: side.cancellation.id,
    "replacement_id": lambda side: side.replacement.id,
    "member_id": lambda side: side.member.id,  # a user of the partner's team
}
# Arguments naming a record every partner shares (the catalogue): (world) -> id.
GLOBAL_ARGS = {
    "product_id": lambda world: world.product.id,
    "band_id": lambda world: world.band.id,
    "tier_id": lambda world: world.tier.id,
}
# Query strings a GET route needs to answer its normal page.
QUERY = {
    "pricelist.download": {"kind": "opex", "format": "xlsx"},
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def app_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)


def unknown_arguments(rule) -> set[str]:
    known = set(TENANT_ARGS) | set(GLOBAL_ARGS)
    return {a for a in rule.arguments if a not in known and not isinstance(rule._converters.get(a), AnyConverter)}


def choices(rule, name) -> list[str]:
    return sorted(rule._converters[name].items)


def url_for_rule(app, rule, world, side, other=None, which=()):
    """The rule's URL with `side`'s ids, except the tenant arguments named in `which`, which
    take `other`'s ids."""
    values = {}
    for name in rule.arguments:
        if name in TENANT_ARGS:
            values[name] = TENANT_ARGS[name](other if name in which else side)
        elif name in GLOBAL_ARGS:
            values[name] = GLOBAL_ARGS[name](world)
        else:
            values[name] = choices(rule, name)[0]
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values, **QUERY.get(rule.endpoint, {}))


def foreign_combinations(rule):
    """Every non-empty set of the rule's tenant arguments that can point at the other partner."""
    tenant = [a for a in sorted(rule.arguments) if a in TENANT_ARGS]
    for size in range(1, len(tenant) + 1):
        yield from itertools.combinations(tenant, size)


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})
