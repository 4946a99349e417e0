"""The owner's privacy pages (blueprint `shop_privacy`): the shop's privacy settings, publishing its
privacy policy, and its record of processing activities (page, JSON, CSV)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from saas.auth.decorators import permission_required
from saas.core.requests import FormPage, PlainText
from saas.core.tenancy import active_tenant
from saas.privacy import age, policy_versions, records
from saas.privacy.shop_forms import PrivacySettingsForm, PublishForm
from saas.privacy.shop_policy import country_name, policy_html
from saas.privacy.shop_settings import PrivacyChoices, marketing_age, save_settings, shop_settings

bp = Blueprint("shop_privacy", __name__, template_folder="templates", url_prefix="/settings/privacy")

PERMISSION = "privacy.manage"


@bp.route("", methods=["GET", "POST"])
@permission_required(PERMISSION)
def settings():
    """Age rules for booking and marketing, and the shop's own words in its policy."""
    shop = active_tenant()
    current = shop_settings()
    form = PrivacySettingsForm(
        data={
            "booking_age_check": current.booking_age_check,
            "booking_minimum_age": current.booking_minimum_age,
            "marketing_minimum_age": current.marketing_minimum_age,
            "policy_additions": current.policy_additions,
        }
    )
    country = country_name(shop.country)
    form.offer_marketing_ages(shop.country, country)
    page = FormPage(
        lambda: render_template(
            "privacy/shop_privacy/settings.html",
            form=form,
            country=country,
            legal_age=age.legal_consent_age(shop.country),
            marketing_age=marketing_age(current),
        ),
        form,
    )
    if form.validate_on_submit():
        save_settings(
            PrivacyChoices(
                booking_age_check=form.booking_age_check.data,
                booking_minimum_age=form.booking_minimum_age.data,
                marketing_minimum_age=form.marketing_minimum_age.data,
                policy_additions=form.policy_additions.data or "",
            )
        )
        message = "Privacy settings saved."
        if policy_versions.current_draft().changed:
            message += " Your privacy policy changed with them: review and publish the new version."
        flash(message, "success")
        return redirect(url_for(".settings"))
    return page.show()


@bp.route("/policy", methods=["GET", "POST"])
@permission_required(PERMISSION)
def policy():
    """The policy the settings generate now, how it differs from the last version, and publishing it."""
    form = PublishForm()
    page = FormPage(lambda: _policy_page(form), form)
    if form.validate_on_submit():
        version = policy_versions.publish(
            seen_hash=form.seen_hash.data,
            material=form.material.data,
            summary=form.summary.data or "",
            user_id=current_user.id,
        )
        message = f"Version {version.version} of your privacy policy is published."
        if version.material:
            message += " Customers who agreed to offers get an e-mail about it and are asked to confirm again."
        flash(message, "success")
        return redirect(url_for(".policy"))
    return page.show()


def _policy_page(form: PublishForm) -> str:
    draft = policy_versions.current_draft()  # afresh: a refusal shows the draft as it is now
    form.seen_hash.data = draft.text_hash
    return render_template(
        "privacy/shop_privacy/policy.html",
        form=form,
        draft=draft,
        draft_html=policy_html(draft.text),
        versions=policy_versions.version_history(),
        answers=policy_versions.reconfirmation_counts(),
    )


@bp.route("/records")
@permission_required(PERMISSION)
def record():
    """The record of processing activities, as a page."""
    return render_template("privacy/shop_privacy/records.html", record=records.build_record())


@bp.route("/records.json")
@permission_required(PERMISSION)
def record_json():
    """The record as JSON (machine-readable)."""
    PlainText()
    body = json.dumps(records.record_json(records.build_record()), indent=2, ensure_ascii=False)
    return _download(body, "application/json", "json")


@bp.route("/records.csv")
@permission_required(PERMISSION)
def record_csv():
    """The record as CSV, one row per kind of data held."""
    PlainText()
    return _download(records.record_csv(records.build_record()), "text/csv", "csv")


def _download(body: str, mimetype: str, extension: str) -> Response:
    name = f"record-of-processing-{active_tenant().subdomain}.{extension}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
