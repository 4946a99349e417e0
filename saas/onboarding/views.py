"""Public site: landing page, signup with a live subdomain check, finding your shop."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import StringField
from wtforms.validators import DataRequired

from saas.auth.services import make_handoff_token
from saas.core.extensions import db, limiter
from saas.core.tenancy import base_host
from saas.onboarding.forms import SignupForm
from saas.onboarding.services import SignupRequest, sign_up
from saas.onboarding.subdomains import (
    normalize_subdomain,
    shop_exists,
    subdomain_problem,
)

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
    if form.validate_on_submit():
        request_ = SignupRequest(
            shop_name=form.shop_name.data,
            subdomain=form.subdomain.data,
            owner_name=form.owner_name.data,
            email=form.email.data,
            password=form.password.data,
            country=form.country.data,
            ip_address=request.remote_addr,
        )
        try:
            tenant, owner = sign_up(request_)
            db.session.commit()
        except IntegrityError:  # someone took the subdomain between the check and the insert
            db.session.rollback()
            form.subdomain.errors = ["This name was just taken. Please pick another."]
        else:
            token = make_handoff_token(owner)
            return redirect(url_for("auth.welcome", shop=tenant.subdomain, token=token))
    status = 400 if form.errors else 200
    return render_template("onboarding/signup.html", form=form, base_host=base_host()), status


@bp.route("/signup/check-subdomain")
@limiter.limit("60 per minute")
def check_subdomain():
    """Live check for the signup form: is this subdomain usable?"""
    value = normalize_subdomain(request.args.get("subdomain", ""))
    problem = subdomain_problem(value)
    return jsonify(subdomain=value, available=problem is None, message=problem or "Available.")


class FindShopForm(FlaskForm):
    subdomain = StringField("Your shop's address", filters=[normalize_subdomain], validators=[DataRequired()])


@bp.route("/find-shop", methods=["GET", "POST"])
def find_shop():
    """Staff who land on the public site get pointed to their shop's login."""
    form = FindShopForm()
    if form.validate_on_submit():
        if shop_exists(form.subdomain.data):
            return redirect(url_for("auth.login", shop=form.subdomain.data))
        form.subdomain.errors = ["We could not find a shop at that address."]
    return render_template("onboarding/find_shop.html", form=form, base_host=base_host()), (400 if form.errors else 200)
