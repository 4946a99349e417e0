"""Public site: landing page, signup with a live subdomain check, finding your shop."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from saas.auth.services import make_handoff_token
from saas.core.extensions import limiter
from saas.core.requests import FormPage
from saas.core.tenancy import base_host
from saas.onboarding.forms import FindShopForm, SignupForm
from saas.onboarding.services import SignupRequest, sign_up
from saas.onboarding.subdomains import normalize_subdomain, subdomain_problem

bp = Blueprint("onboarding", __name__, template_folder="templates")


@bp.route("/")
def landing():
    """What Workbay is, with the way in."""
    return render_template("onboarding/landing.html")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def signup():
    """Create a shop: the new owner lands on their shop's subdomain, logged in."""
    form = SignupForm()
    page = FormPage(lambda: render_template("onboarding/signup.html", form=form, base_host=base_host()), form)
    if form.validate_on_submit():
        tenant, owner = sign_up(
            SignupRequest(
                shop_name=form.shop_name.data,
                subdomain=form.subdomain.data,
                owner_name=form.owner_name.data,
                email=form.email.data,
                password=form.password.data,
                country=form.country.data,
                ip_address=request.remote_addr,
            )
        )  # SignupError: the subdomain was taken meanwhile, shown under its field
        return redirect(url_for("auth.welcome", shop=tenant.subdomain, token=make_handoff_token(owner)))
    return page.show()


@bp.route("/signup/check-subdomain")
@limiter.limit("60 per minute")
def check_subdomain():
    """Live check for the signup form: is this subdomain usable?"""
    value = normalize_subdomain(request.args.get("subdomain", ""))
    problem = subdomain_problem(value)
    return jsonify(subdomain=value, available=problem is None, message=problem or "Available.")


@bp.route("/find-shop", methods=["GET", "POST"])
def find_shop():
    """Staff who land on the public site get pointed to their shop's login."""
    form = FindShopForm()
    page = FormPage(lambda: render_template("onboarding/find_shop.html", form=form, base_host=base_host()), form)
    if form.validate_on_submit():
        return redirect(url_for("auth.login", shop=form.subdomain.data))
    return page.show()
