"""The Order HWaaS form: Duration, PBX and one quantity per product on offer."""
import functools

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import NumberInput

from hwaas.services.carts import MAX_QUANTITY


class AddToCartForm(FlaskForm):
    term = HiddenField()
    # The choices are the Duration's PBXs, but any id is passed on: the service decides, so a
    # PBX of another term or partner gets its own clear refusal (422 or 404), not "not a choice".
    pbx_id = SelectField("PBX", coerce=int, validate_choice=False,
                         validators=[InputRequired("Choose a PBX.")])

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
        setattr(Form, f"qty_{product_id}", IntegerField(
            f"Quantity of {name}",
            widget=NumberInput(min=0, max=MAX_QUANTITY),
            validators=[Optional(), NumberRange(min=0, max=MAX_QUANTITY,
                                                message=f"Enter a quantity of {name} from 0 to {MAX_QUANTITY}.")],
        ))
    return Form


def add_to_cart_form(products, pbxs, **kwargs) -> AddToCartForm:
    """The form with one `qty_<product id>` field per product on offer."""
    form = _form_class(tuple((item.product.id, item.product.name) for item in products))(**kwargs)
    form.pbx_id.choices = [(s.pbx.id, s.pbx.name) for s in pbxs]
    return form
