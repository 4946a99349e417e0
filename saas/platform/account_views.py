"""Console: the logged-in admin's own account (their second factor and recovery codes)."""

from __future__ import annotations

from flask import after_this_request, render_template, url_for
from flask_login import current_user

from saas.core.extensions import limiter
from saas.core.requests import FormPage, keep_changes, private_page
from saas.platform import audit, totp
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.login_views import CodeForm

# Every console role holds "shops.view": the account page is every admin's own.
ANY_ADMIN = "shops.view"


def _account_page(form: CodeForm) -> FormPage:
    admin = current_user._get_current_object()
    form.code.render_kw = {**form.code.render_kw, "autofocus": False}  # a page to read first, not a login step
    return FormPage(
        lambda: render_template(
            "platform/account.html",
            admin=admin,
            form=form,
            codes_left=totp.recovery_codes_left(admin),
            codes_total=totp.RECOVERY_CODE_COUNT,
        ),
        form,
    )


@bp.route("/account")
@console_required(ANY_ADMIN)
def account():
    """The admin's second factor: since when, how many recovery codes are left, make new ones."""
    return _account_page(CodeForm()).show()


@bp.route("/account/recovery-codes", methods=["POST"])
@console_required(ANY_ADMIN)
@limiter.limit("10 per minute")
def account_recovery_codes():
    """New recovery codes (the old ones stop working), confirmed with a current code of the authenticator app."""
    form = CodeForm()
    page = _account_page(form)
    if form.validate_on_submit():
        admin = current_user._get_current_object()
        codes = totp.regenerate_recovery_codes(admin, form.code.data)
        if codes is None:
            audit.record("recovery_codes.regenerate_refused", detail="TOTP code not accepted")
            keep_changes()
            form.code.errors = [
                *form.code.errors,
                "That code is wrong or was already used. Enter the code your authenticator app shows now "
                "(a recovery code does not work here).",
            ]
            return page.show(400)
        audit.record("recovery_codes.regenerated", detail=f"{len(codes)} new codes; the earlier ones no longer work")
        after_this_request(private_page)
        return render_template("platform/recovery_codes.html", codes=codes, continue_url=url_for("platform.account"))
    return page.show()
