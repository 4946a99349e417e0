"""Work order, job, line and canned job forms.

Choices that come from the shop's data (customers, assets, staff, canned jobs) are filled in
by the view; the services load every submitted id again within the current shop.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from saas.workorders.models import LineKind, TaxCategory


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """`""` -> None, `"12"` -> 12 (select values)."""
    if value in (None, ""):
        return None
    return int(value)


def to_local_input(value: datetime | None, timezone: str) -> datetime | None:
    """A stored UTC time as the naive local time a datetime-local input shows."""
    return value.astimezone(ZoneInfo(timezone)).replace(tzinfo=None) if value else None


def from_local_input(value: datetime | None, timezone: str) -> datetime | None:
    """A datetime-local input (the shop's local time) as an aware UTC time."""
    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC) if value else None


class WorkOrderForm(FlaskForm):
    customer_id = SelectField(
        "Customer",
        coerce=optional_int,
        validators=[DataRequired("Pick a customer.")],
        invalid_choice_message="Pick one of this shop's customers.",
    )
    asset_id = SelectField(
        "Vehicle or device",
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Pick a vehicle or device of this shop's customers.",
    )
    concern = TextAreaField(
        "Customer's concern", filters=[_strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    diagnosis = TextAreaField(
        "Diagnosis", filters=[_strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    internal_notes = TextAreaField(
        "Internal notes", filters=[_strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}
    )
    odometer_in = IntegerField(
        "Odometer in",
        validators=[Optional(), NumberRange(min=0, max=2_000_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    technician_ids = SelectMultipleField(
        "Technicians",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        invalid_choice_message="Pick technicians from this shop's staff.",
    )
    promised_at = DateTimeLocalField(
        "Promised for", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )


class StatusForm(FlaskForm):
    status = HiddenField("Status", validators=[DataRequired()])
    from_status = HiddenField("From status")
    note = StringField("Note", filters=[_strip], validators=[Optional(), Length(max=500)])
    back_to = HiddenField("Back to")


class JobForm(FlaskForm):
    title = StringField(
        "Job",
        filters=[_strip],
        validators=[DataRequired(), Length(max=200)],
        render_kw={"placeholder": "e.g. Front brake pads and rotors"},
    )
    notes = TextAreaField("Notes", filters=[_strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    recommended = BooleanField("Recommended by the shop (not part of the customer's concern)")


KIND_CHOICES = [
    SelectChoice(LineKind.LABOR.value, "Labor"),
    SelectChoice(LineKind.PART.value, "Part"),
    SelectChoice(LineKind.FEE.value, "Fee"),
    SelectChoice(LineKind.DISCOUNT.value, "Discount"),
]
TAX_CHOICES = [
    SelectChoice("", "Default for the kind"),
    SelectChoice(TaxCategory.LABOR.value, "Labor rate"),
    SelectChoice(TaxCategory.PARTS.value, "Parts rate"),
    SelectChoice(TaxCategory.FEES.value, "Fees rate"),
    SelectChoice(TaxCategory.NONE.value, "No tax"),
]


class LineForm(FlaskForm):
    kind = SelectField("Kind", choices=KIND_CHOICES, validators=[DataRequired()])
    description = StringField("Description", filters=[_strip], validators=[DataRequired(), Length(max=200)])
    part_number = StringField("Part number", filters=[_strip], validators=[Optional(), Length(max=60)])
    quantity = DecimalField("Qty / hours", validators=[Optional()], render_kw={"inputmode": "decimal"})
    unit_price = DecimalField("Price / rate", validators=[Optional()], render_kw={"inputmode": "decimal"})
    unit_cost = DecimalField("Cost", validators=[Optional()], render_kw={"inputmode": "decimal"})
    tax_category = SelectField("Tax", choices=TAX_CHOICES, validators=[Optional()])

    def values(self) -> dict:
        """The line as the services take it."""
        return {
            "kind": self.kind.data,
            "description": self.description.data,
            "part_number": self.part_number.data,
            "quantity": self.quantity.data,
            "unit_price": self.unit_price.data,
            "unit_cost": self.unit_cost.data,
            "tax_category": self.tax_category.data,
        }


class AddCannedJobForm(FlaskForm):
    canned_job_id = SelectField(
        "Canned job",
        coerce=optional_int,
        validators=[DataRequired("Pick a canned job.")],
        invalid_choice_message="Pick one of this shop's canned jobs.",
    )


class CannedJobForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[_strip],
        validators=[DataRequired(), Length(max=200)],
        render_kw={"placeholder": "e.g. Oil change, synthetic"},
    )
    description = TextAreaField(
        "Description", filters=[_strip], validators=[Optional(), Length(max=5000)], render_kw={"rows": 2}
    )
