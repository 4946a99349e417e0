"""The terms of service and the privacy policy, on the public site."""

from __future__ import annotations

from flask import Blueprint, render_template

from saas.privacy.policies import PRIVACY, TERMS

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.route("/terms")
def terms():
    """Our terms of service, current version."""
    return render_template(TERMS.template, document=TERMS)


@bp.route("/privacy")
def privacy_policy():
    """Our privacy policy, current version."""
    return render_template(PRIVACY.template, document=PRIVACY)
