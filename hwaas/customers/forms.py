"""The Order HWaaS form: Duration, PBX and one quantity per product on offer."""
import functools

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import NumberInput

from hwaas.domain_forms import WholeNumberField, coerce_record_id
from hwaas.i18n import lazy_gettext as _l
from hwaas.services.carts import MAX_QUANTITY


class AddToCartForm(FlaskForm):
    term = HiddenField()
    # The choices are the Duration's PBXs, but any id is passed on: the service decides, so a
    # PBX of another term or partner gets its own clear refusal (422 or 404), not "not a choice".
    pbx_id = SelectField(_l("PBX"), coerce=coerce_record_id, validate_choice=False,
                         validators=[InputRequired(_l("Choose a PBX."))])

    quantity_max = MAX_QUANTITY

    def quantity_field(self, product_id: int) -> WholeNumberField | None:
        """The posted quantity of a product, with its errors; None on a form shown afresh."""
        return self._fields.get(f"qty_{product_id}")

    def quantities(self) -> dict[int, int]:
        return {int(name[4:]): field.data for name, field in self._fields.items()
                if name.startswith("qty_") and field.data}


@functools.lru_cache(maxsize=64)
def _form_class(offer: tuple[tuple[int, str], ...]) -> type[AddToCartForm]:
    """The form class for one offer of (product id, name): made once, not per request (building
    a class of fifty fields was a tenth of the Order HWaaS page). A renamed product is a new key."""

    class Form(AddToCartForm):
        pass

    for product_id, name in offer:
        # Lazy: the class is cached across requests, each in its reader's language.
        refused = _l("Enter a quantity of %(name)s from 0 to %(max)s.", name=name, max=MAX_QUANTITY)
        setattr(Form, f"qty_{product_id}", WholeNumberField(
            _l("Quantity of %(name)s", name=name), message=refused,
            widget=NumberInput(min=0, max=MAX_QUANTITY),
            validators=[Optional(), NumberRange(min=0, max=MAX_QUANTITY, message=refused)],
        ))
    return Form


def add_to_cart_form(products, pbxs, posted: bool, **kwargs) -> AddToCartForm:
    """The form with one `qty_<product id>` field per product on offer when it was posted (to
    check the quantities and show them back with their errors). Shown afresh, every quantity is
    empty: the template writes the inputs itself and no field is bound (binding fifty of them
    was a quarter of the Order HWaaS page; docs/performance.md)."""
    offer = tuple((item.product.id, item.product.name) for item in products) if posted else ()
    form = _form_class(offer)(**kwargs)
    form.pbx_id.choices = [(s.pbx.id, s.pbx.name) for s in pbxs]
    return form
