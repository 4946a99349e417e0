"""Cookie consent pages.

`bp` (the public site and every shop's subdomain, registered once for each): the consent endpoint the
banner's buttons post to, the cookie policy, the cookie settings page. `admin_bp` (a shop's staff):
the shop's analytics settings and its consent records with a CSV export.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select

from saas.audit.services import log_access
from saas.auth.decorators import permission_required, safe_next_url
from saas.consent import analytics, records, services, visitor
from saas.consent.categories import OPTIONAL_CATEGORIES, all_categories
from saas.consent.forms import AnalyticsForm
from saas.consent.layout import consent_scripts
from saas.consent.models import CookieConsent
from saas.core.errors import wants_json
from saas.core.extensions import db, limiter
from saas.core.requests import FormPage, PlainText
from saas.core.tenancy import active_tenant

bp = Blueprint("consent", __name__, template_folder="templates")
admin_bp = Blueprint("consent_admin", __name__, template_folder="templates", url_prefix="/settings/cookies")

PER_PAGE = 50
RECORDS_SUBJECT = "cookie consents"


def _saved_message(before: visitor.VisitorConsent, after: visitor.VisitorConsent) -> str:
    message = "Your cookie choices are recorded."
    off = set(before.allowed) - set(after.allowed)
    withdrawn = [category.title for category in OPTIONAL_CATEGORIES if category.key in off]
    if len(withdrawn) == 1:
        message += f" {withdrawn[0]} is now off; its cookies were removed from this browser."
    elif withdrawn:
        names = f"{', '.join(withdrawn[:-1])} and {withdrawn[-1]}"
        message += f" {names} are now off; their cookies were removed from this browser."
    if after.gpc:
        message += " Your browser's Global Privacy Control keeps analytics and marketing off."
    return message


@bp.route("/consent", methods=["POST"])
@limiter.limit("20 per minute; 120 per hour")
def save():
    """Record the visitor's choice, set the consent cookie and go back (JSON for consent.js)."""
    before = visitor.current()
    choice = services.parse_choice(
        request.form.get("choice"), request.form.getlist("category"), request.form.get("source"), before.gpc
    )
    consent_id = before.consent_id or visitor.new_consent_id()
    services.record_consent(consent_id, choice, before.version, request.remote_addr, request.user_agent.string)
    after = visitor.remember(consent_id, choice.granted)
    message = _saved_message(before, after)
    if wants_json():
        response = jsonify(
            message=message, allowed=after.allowed, scripts=[script.as_json() for script in consent_scripts()]
        )
    else:
        flash(message, "success")
        response = redirect(safe_next_url(request.form.get("next")) or "/", 303)
    visitor.issue(response, after)
    return response


@bp.route("/cookies")
def policy():
    """The cookie policy of this site: its version, each category and its cookies, the analytics used."""
    setup = analytics.site_setup()
    return render_template(
        "consent/policy.html",
        categories=all_categories(),
        services=setup.services,
        version=analytics.policy_version(setup),
    )


@bp.route("/cookies/settings")
def settings():
    """The cookie settings as a page of its own (the footer link without JavaScript)."""
    return render_template(
        "consent/settings.html", next_url=safe_next_url(request.args.get("next")) or "/", consent_page=True
    )


# --- the shop's side ----------------------------------------------------------------------


@admin_bp.route("", methods=["GET", "POST"])
@permission_required("shop.settings")
def index():
    """The shop's analytics, shown only to visitors who allow them."""
    settings = analytics.shop_settings()
    form = AnalyticsForm(obj=settings)
    page = FormPage(
        lambda: render_template(
            "consent/admin/index.html",
            form=form,
            version=analytics.policy_version(analytics.site_setup()),
            record_count=db.session.scalar(select(func.count()).select_from(CookieConsent)),
        ),
        form,
    )
    if form.validate_on_submit():
        services.save_analytics(form.plausible_domain.data, form.ga4_measurement_id.data)
        flash("Analytics saved. Visitors see it only after they allow analytics cookies.", "success")
        return redirect(url_for("consent_admin.index"))
    return page.show()


@admin_bp.route("/records")
@permission_required("access_log.view")
def consent_records():
    """The shop's consent records, newest first, with the count of each choice (logged: pseudonymous data)."""
    page = db.paginate(records.newest_first(), per_page=PER_PAGE, error_out=False)
    log_access("view", RECORDS_SUBJECT, None, f"Opened the cookie consent records (page {page.page})")
    return render_template("consent/admin/records.html", page=page, counts=records.choice_counts())


@admin_bp.route("/records.csv")
@permission_required("access_log.view")
def export_records():
    """Every consent record of the shop as CSV (logged)."""
    PlainText()
    tenant = active_tenant()
    log_access("export", RECORDS_SUBJECT, None, "Downloaded the cookie consent records as CSV")
    return Response(
        records.records_csv(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="cookie-consents-{tenant.subdomain}.csv"',
            "Cache-Control": "no-store",
        },
    )
