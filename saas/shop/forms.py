"""The reports' date range, read from the query string."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


def _clip(value: str | None) -> str:
    return (value or "")[:20]


class PeriodForm(FlaskForm):
    """`?start=YYYY-MM-DD&end=YYYY-MM-DD` (either may be left out); a refusal names one of them."""

    class Meta:
        csrf = False

    start = StringField("From", filters=[_clip])
    end = StringField("To (inclusive)", filters=[_clip])

    @property
    def error(self) -> str | None:
        """The message about the range, shown once under both dates."""
        return next(iter([*self.start.errors, *self.end.errors]), None)
