"""Forms of the console. Every action on a shop is confirmed and says why (`ActionForm`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

REASON_MIN, REASON_MAX = 10, 500


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
