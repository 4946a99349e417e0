"""Console: the logged-in admin's own account (their second factor and recovery codes, where they are
logged in, with a "Log out" for each login and for all)."""

from __future__ import annotations

from flask import abort, after_this_request, flash, redirect, render_template, url_for
from flask_login import current_user

from saas.auth import session_store
from saas.core.extensions import limiter
from saas.core.requests import FormPage, keep_changes, private_page
from saas.platform import audit, totp
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.login_views import CodeForm, end_console_session

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
            sessions=session_store.open_sessions(admin),
            current=session_store.current_session(),
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


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@console_required(ANY_ADMIN)
def account_end_session(session_id: int):
    """Log out one of the admin's own console logins (another admin's, or an ended one, is a 404)."""
    admin = current_user._get_current_object()
    row = session_store.open_session_of(admin, session_id)
    if row is None:
        abort(404)
    if row is session_store.current_session():
        end_console_session("logout")
        flash("You are logged out.", "info")
        return redirect(url_for("platform.login"))
    session_store.revoke(row)
    audit.record("session.revoked", detail=f"console session {row.id} ({row.device}, {row.ip_address or 'no address'})")
    flash("That session is logged out.", "success")
    return redirect(url_for("platform.account"))


@bp.route("/account/sessions/end-all", methods=["POST"])
@console_required(ANY_ADMIN)
def account_end_all_sessions():
    """Log out of the console everywhere, this browser too."""
    admin = current_user._get_current_object()
    session_store.end_every_session(admin)
    end_console_session("logout.everywhere")
    flash("You are logged out of the console everywhere, on this device too.", "info")
    return redirect(url_for("platform.login"))
