"""Forms on the invoice page: record a payment, void, credit note."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from saas.invoicing.models import PaymentMethod

METHOD_CHOICES = [SelectChoice(method.value, method.value.capitalize()) for method in PaymentMethod]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PositiveAmount:
    """Validator: a finite number above zero (refuses NaN and Infinity, which Decimal accepts)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data is None:
            return
        if not field.data.is_finite() or field.data <= 0:
            raise StopValidation(self.message)


class PaymentForm(FlaskForm):
    amount = DecimalField(
        "Amount received",
        places=None,
        validators=[
            InputRequired("Enter the amount received."),
            PositiveAmount("The amount received must be more than zero."),
        ],
        render_kw={"inputmode": "decimal"},
    )
    method = SelectField("Method", choices=METHOD_CHOICES, validate_choice=False)
    reference = StringField(
        "Reference",
        filters=[_strip],
        validators=[Optional(), Length(max=120)],
        render_kw={"placeholder": "Card slip, check number…"},
    )
    note = StringField("Note", filters=[_strip], validators=[Optional(), Length(max=500)])

    def validate_method(self, field) -> None:
        if field.data not in {choice.value for choice in METHOD_CHOICES}:
            raise ValidationError("Pick how the customer paid: cash, card, check or other.")


class VoidForm(FlaskForm):
    reason = TextAreaField(
        "Why is it void?",
        filters=[_strip],
        validators=[DataRequired("Say why it is void; the reason stays on the record."), Length(max=1000)],
        render_kw={"rows": 2, "placeholder": "e.g. Issued to the wrong customer"},
    )


class CreditNoteForm(FlaskForm):
    scope = SelectField(
        "Credit",
        choices=[SelectChoice("full", "The whole invoice"), SelectChoice("amount", "A chosen amount")],
        default="full",
        validate_choice=False,
    )
    amount = DecimalField(
        "Amount before tax",
        places=None,
        validators=[Optional(), PositiveAmount("Enter the amount to credit, more than zero.")],
        render_kw={"inputmode": "decimal"},
    )
    tax_category = SelectField("Tax category", validate_choice=False)
    reason = StringField(
        "Reason",
        filters=[_strip],
        validators=[DataRequired("Say what the credit is for; it is printed on the credit note."), Length(max=200)],
        render_kw={"placeholder": "e.g. Goodwill discount on labor"},
    )

    def validate_scope(self, field) -> None:
        if field.data not in ("full", "amount"):
            raise ValidationError("Choose the whole invoice or a chosen amount.")

    def validate(self, extra_validators=None) -> bool:
        """A chosen-amount credit needs its amount (the field alone may be left empty)."""
        valid = super().validate(extra_validators)
        if self.scope.data == "amount" and self.amount.data is None and not self.amount.errors:
            self.amount.errors = [*self.amount.errors, "Enter the amount to credit, more than zero."]
            valid = False
        return valid
