"""The privacy center at `/privacy` on a shop's subdomain, for the shop's customers (no account).

What the shop does with their data, in plain words, and a form to ask to see, correct or erase
it, restrict or object to its use, withdraw consent or stop marketing. The answer never says
whether the address belongs to a customer; the mailed link confirms the request
(saas.privacy.requests).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from saas.core.errors import render_error
from saas.core.extensions import db, limiter
from saas.core.requests import FormPage, private_page
from saas.core.tenancy import active_tenant
from saas.privacy import requests
from saas.privacy.request_forms import ConfirmForm, PrivacyRequestForm
from saas.privacy.request_models import RequestStatus
from saas.privacy.request_settings import shop_jurisdiction

bp = Blueprint("privacy_center", __name__, template_folder="templates", url_prefix="/privacy")


bp.after_request(private_page)  # the confirmation link is personal


@bp.errorhandler(requests.RequestLinkError)
def _link_problem(error: requests.RequestLinkError):
    """A broken or another shop's link (404) or an expired one (410): say so and how to ask again."""
    db.session.rollback()
    if error.reason == "invalid":
        return render_error(
            404, "This confirmation link is not valid here. Please use the newest link we e-mailed you."
        )
    return render_template("privacy/center/link_expired.html", shop=active_tenant()), error.status


@bp.route("", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def index():
    """What the shop does with personal data, and the form to make a request."""
    form = PrivacyRequestForm()
    page = FormPage(
        lambda: render_template(
            "privacy/center/index.html", form=form, shop=active_tenant(), jurisdiction=shop_jurisdiction()
        ),
        form,
    )
    if form.validate_on_submit():
        requests.submit_request(form.kind.data, form.email.data, form.details.data)
        return redirect(url_for(".sent"), 303)
    return page.show()


@bp.route("/sent")
def sent():
    """The same answer for every address: check your inbox."""
    return render_template("privacy/center/sent.html", shop=active_tenant(), hours=requests.link_hours())


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def confirm(token: str):
    """The mailed link: a button confirms the request (a GET changes nothing, so link scanners confirm nothing)."""
    privacy_request = requests.request_for_link(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        requests.verify_request(privacy_request)
        return redirect(url_for(".confirm", token=token), 303)
    confirmed = privacy_request.status != RequestStatus.RECEIVED
    return render_template(
        "privacy/center/confirm.html",
        privacy_request=privacy_request,
        form=form,
        confirmed=confirmed,
        shop=active_tenant(),
    )
