"""The shop's privacy policy and sub-processors, public on its subdomain, and the link that lets a
customer re-confirm their marketing consent after a material change (blueprint `shop_policy`).

The privacy center itself (`/privacy`, blueprint `privacy_center`) lives beside these pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from saas.core.extensions import limiter
from saas.core.requests import FormPage, private_page
from saas.core.tenancy import current_tenant
from saas.privacy import announcements, policy_versions
from saas.privacy.processors import WORKBAY, shop_processors
from saas.privacy.shop_forms import ReconfirmForm
from saas.privacy.shop_policy import policy_diff, policy_html
from saas.privacy.shop_settings import marketing_age

bp = Blueprint("shop_policy", __name__, template_folder="templates", url_prefix="/privacy")


@bp.after_request
def _private_link(response):
    # The re-confirmation page is reached by a personal link (the policy pages are public).
    return private_page(response) if request.endpoint == "shop_policy.reconfirm" else response


@bp.route("/policy")
def show():
    """The current version; before the shop published one, the policy its settings generate now."""
    latest = policy_versions.latest_version()
    if latest is None:
        draft = policy_versions.current_draft()
        return render_template("privacy/shop_policy/show.html", version=None, html=policy_html(draft.text), versions=[])
    return _version_page(latest)


@bp.route("/policy/<number>")
def show_version(number: str):
    """Any published version, with what changed since the one before it.

    `number` is the shop's own version number (1, 2, ...), not a row id, so it is no `<int:...>`
    argument: the id-based cross-tenant harness (tests/tenancy) does not apply; another shop's
    versions are covered in tests/privacy/test_policies.py.
    """
    version = policy_versions.find_version(int(number)) if number.isdigit() and len(number) < 10 else None
    if version is None:
        abort(404)
    return _version_page(version)


def _version_page(version):
    previous = policy_versions.previous_version(version)
    return render_template(
        "privacy/shop_policy/show.html",
        version=version,
        html=policy_html(version.text),
        versions=policy_versions.version_list(),
        previous=previous,
        changes=policy_diff(previous.text, version.text) if previous else [],
    )


@bp.route("/processors")
def processors():
    """Who handles the shop's customers' data for it: Workbay and its sub-processors."""
    return render_template(
        "privacy/shop_policy/processors.html", workbay=WORKBAY, processors=shop_processors(current_tenant)
    )


@bp.route("/marketing/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def reconfirm(token: str):
    """Keep receiving offers (a fresh consent, with the age confirmed) or not; forged 404, expired 410."""
    reconfirmation = announcements.request_for_link(token)
    latest = policy_versions.latest_version()
    form = ReconfirmForm()
    page = FormPage(
        lambda: render_template(
            "privacy/shop_policy/reconfirm.html",
            form=form,
            reconfirmation=reconfirmation,
            customer=reconfirmation.customer,
            latest=latest,
            minimum_age=marketing_age(),
        ),
        form,
    )
    if not form.validate_on_submit():
        return page.show()
    confirmed = request.form.get("answer") == "yes"
    announcements.answer(
        reconfirmation, confirmed=confirmed, age_confirmed=form.age_confirmed.data, version_number=latest.version
    )
    if confirmed:
        flash("Thank you: you will keep receiving our offers. You can stop them at any time.", "success")
    else:
        flash("Done: you will receive no offers from us. Messages about your repairs still reach you.", "success")
    return redirect(url_for(".reconfirm", token=token), 303)
