"""The shop's analytics settings form (the formats are checked by `analytics.clean_*`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class AnalyticsForm(FlaskForm):
    """A Plausible domain and/or a Google Analytics 4 measurement id; empty turns a service off."""

    plausible_domain = StringField("Plausible Analytics: your site's domain", validators=[Optional(), Length(max=253)])
    ga4_measurement_id = StringField("Google Analytics 4: measurement ID", validators=[Optional(), Length(max=20)])
