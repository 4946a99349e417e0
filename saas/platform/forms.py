"""Forms of the console. Every action on a shop is confirmed and says why (`ActionForm`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

REASON_MIN, REASON_MAX = 10, 500


def _strip(value):
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class ActionForm(FlaskForm):
    """A console action on a shop: the reason (kept in the audit trail) and an explicit confirmation."""

    reason = TextAreaField(
        "Reason",
        validators=[
            InputRequired("Say why: the reason goes into the audit trail."),
            Length(REASON_MIN, REASON_MAX, f"Write between {REASON_MIN} and {REASON_MAX} characters."),
        ],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )
    confirm = BooleanField("I confirm", validators=[DataRequired("Tick the box to confirm.")])

    def reason_text(self) -> str:
        """The reason as stored: trimmed, NUL bytes gone."""
        return (self.reason.data or "").replace("\x00", "").strip()


class ExtendTrialForm(ActionForm):
    """More days of free trial."""

    days = IntegerField("Days to add", default=14, validators=[InputRequired(), NumberRange(1, 90)])


class PlanForm(ActionForm):
    """A plan set by hand: paid outside Stripe, or free of charge until a date."""

    plan = SelectField("Plan", default="", validate_choice=True)
    comped_until = DateField(
        "Free of charge until", validators=[Optional()], description="Leave empty for a plan paid outside Stripe."
    )

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.plan.choices = [SelectChoice("", "Trial plan"), *(SelectChoice(plan.key, plan.name) for plan in plans)]


class ShopFilterForm(FlaskForm):
    """The shops list's filters (a GET form: no CSRF token, bookmarkable)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        filters=[_strip],
        validators=[Optional(), Length(max=100)],
        render_kw={"placeholder": "Name or subdomain"},
    )
    status = SelectField("Status", default="", validate_choice=True)
    plan = SelectField("Plan", default="", validate_choice=True)
    trial_days = IntegerField("Trial ends within (days)", validators=[Optional(), NumberRange(0, 365)])
    past_due = BooleanField("Payment past due")
    created_from = DateField("Signed up from", validators=[Optional()])
    created_to = DateField("Signed up until", validators=[Optional()])
    sort = SelectField(
        "Sort by",
        choices=[
            SelectChoice("created", "Sign-up date"),
            SelectChoice("name", "Name"),
            SelectChoice("trial_end", "Trial end"),
            SelectChoice("staff", "Staff"),
            SelectChoice("storage", "Storage"),
        ],
        default="created",
        validate_choice=True,
    )
    dir = SelectField(
        "Order", choices=[SelectChoice("desc", "Descending"), SelectChoice("asc", "Ascending")], default="desc"
    )

    def __init__(self, *args, statuses=(), plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice("", "Any status"), *statuses]
        self.plan.choices = [SelectChoice("", "Any plan"), *plans]

    def validate_created_to(self, field) -> None:
        if field.data and self.created_from.data and field.data < self.created_from.data:
            raise ValidationError("The end date is before the start date.")


class RoleForm(ActionForm):
    """A platform admin's console role."""

    role = SelectField("Role", validate_choice=True)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [SelectChoice(role.value, role.label) for role in roles]
