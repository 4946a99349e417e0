"""Login, logout, password reset, e-mail verification, invitations, the staff page and one's own account.

A mailed link that no longer works (broken, expired, used, another shop's) is answered with a
message and a redirect to where the person can go on: `_link_refused`.

Every login opens a session row (`saas.auth.sessions.log_in_staff`); logging out revokes it, so a
copy of the cookies stops working. The login form is limited per address and per account, with a
back-off that spares the account's known devices (`saas.auth.login_limits`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from saas.auth import login_limits, session_store
from saas.auth import services as auth
from saas.auth.decorators import permission_required, safe_next_url
from saas.auth.forms import (
    AcceptInvitationForm,
    ForgotPasswordForm,
    InviteForm,
    LoginForm,
    ResetPasswordForm,
    StaffRoleForm,
    role_choices,
)
from saas.auth.models import Invitation, StaffSession, User
from saas.auth.roles import assignable_roles
from saas.auth.sessions import log_in_staff
from saas.core.db import utcnow
from saas.core.extensions import db, limiter
from saas.core.requests import BackTo, FormPage
from saas.core.tenancy import current_tenant, get_or_404

bp = Blueprint("auth", __name__, template_folder="templates")


def _log_in(user: User, remember: bool = False) -> None:
    """A fresh session with a new row, and this browser becomes one of the account's known devices."""
    log_in_staff(user, remember)
    login_limits.remember_device(_limit_scope(), user.email)
    auth.record_login(user)


def _limit_scope() -> str:
    return f"shop:{current_tenant.id}"


def _link_refused(message: str, endpoint: str, category: str = "error"):
    """A mailed link that no longer works: say so and send the person on to `endpoint`."""
    flash(message, category)
    return redirect(url_for(endpoint))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limits.PER_ADDRESS, methods=["POST"])
def login():
    """Staff log in to their shop (an account that failed too often waits: 429, the password unchecked)."""
    if current_user.is_authenticated:
        return redirect(url_for("shop.dashboard"))
    form = LoginForm()
    page = FormPage(lambda: render_template("auth/login.html", form=form), form)
    if form.validate_on_submit():
        attempt = login_limits.attempt(_limit_scope(), form.email.data)
        if attempt.refused:
            auth.report_failed_login(
                form.email.data, auth.find_user_by_email(form.email.data), "too many failed logins"
            )
            flash(f"{login_limits.wait_message(attempt.wait_seconds)} Or reset your password by e-mail.", "error")
            body, _ = page.show()
            return body, 429, {"Retry-After": str(attempt.wait_seconds)}
        user = auth.authenticate(form.email.data, form.password.data)
        if user is None:
            attempt.failed()
            flash("That e-mail and password do not match an account at this shop.", "error")
            return page.show(401)
        attempt.succeeded()
        _log_in(user, form.remember.data)
        flash(f"Welcome back, {user.name}.", "success")
        return redirect(safe_next_url(request.args.get("next")) or url_for("shop.dashboard"))
    return page.show()


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session (POST, so a link elsewhere cannot log you out): its row is revoked, so a copy of
    this browser's cookies no longer works either."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    """Ask for a reset link by e-mail."""
    form = ForgotPasswordForm()
    page = FormPage(lambda: render_template("auth/forgot_password.html", form=form), form)
    if form.validate_on_submit():
        auth.request_password_reset(form.email.data)
        flash("If that address belongs to staff here, a reset link is on its way. It works for one hour.", "info")
        return redirect(url_for("auth.login"))
    return page.show()


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an e-mailed link (single use, expires)."""
    user = auth.user_for_reset_token(token)
    if user is None:
        return _link_refused(
            "This reset link is invalid, expired or already used. Ask for a new one.", "auth.forgot_password"
        )
    form = ResetPasswordForm()
    form.known_email = user.email
    page = FormPage(lambda: render_template("auth/reset_password.html", form=form, user=user), form)
    if form.validate_on_submit():
        auth.reset_password(user, form.password.data)
        _log_in(user)
        flash("Your password is changed. Other devices were logged out.", "success")
        return redirect(url_for("shop.dashboard"))
    return page.show()


@bp.route("/verify-email/<token>")
def verify_email(token: str):
    """Confirm an e-mail address from the link we sent."""
    if auth.verify_email(token) is None:
        return _link_refused("This confirmation link is invalid or expired.", "auth.login")
    flash("Thank you, your e-mail address is confirmed.", "success")
    return redirect(url_for("shop.dashboard"))


@bp.route("/welcome/<token>")
def welcome(token: str):
    """Right after signup: log the new owner in on their shop's own host."""
    user = auth.user_for_handoff(token)
    if user is None:
        return _link_refused("Please log in with the e-mail and password you chose.", "auth.login", "info")
    _log_in(user)
    flash(f"Welcome to Workbay, {user.name}! Your {current_tenant.name} trial has started.", "success")
    return redirect(url_for("shop.dashboard"))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """An invitee sets their name and password and joins the shop."""
    invitation = auth.invitation_for_token(token)
    if invitation is None:
        return _link_refused("This invitation is no longer valid. Ask the shop for a new one.", "auth.login")
    form = AcceptInvitationForm()
    form.known_email = invitation.email
    page = FormPage(lambda: render_template("auth/accept_invitation.html", form=form, invitation=invitation), form)
    if form.validate_on_submit():
        BackTo(url_for("auth.login"))  # an account with this address exists already: log in instead
        user = auth.accept_invitation(invitation, form.name.data, form.password.data)
        _log_in(user)
        flash(f"Welcome to {current_tenant.name}, {user.name}.", "success")
        return redirect(url_for("shop.dashboard"))
    return page.show()


# --- staff management --------------------------------------------------------------------


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.role.choices = role_choices(assignable_roles(current_user.role))
    return form


def _staff_page(form: InviteForm) -> FormPage:
    """The staff page (members, open invitations, the invitation form) as the request's page."""

    def render() -> str:
        members = db.session.scalars(select(User).order_by(User.is_active_account.desc(), User.name)).all()
        invitations = db.session.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc())
        ).all()
        return render_template("auth/staff.html", members=members, invitations=invitations, form=form)

    return FormPage(render, form)


@bp.route("/staff")
@permission_required("staff.view")
def staff():
    """The shop's staff and open invitations."""
    return _staff_page(_invite_form()).show()


@bp.route("/staff/invite", methods=["POST"])
@permission_required("staff.manage")
def invite():
    """Send an invitation e-mail."""
    form = _invite_form()
    page = _staff_page(form)
    if not form.validate_on_submit():
        flash("Please correct the invitation below.", "error")
        return page.show()
    auth.invite_staff(current_user, form.email.data, form.role.data)
    flash(f"Invitation sent to {form.email.data}.", "success")
    return redirect(url_for("auth.staff"))


@bp.route("/staff/invitations/<int:invitation_id>/revoke", methods=["POST"])
@permission_required("staff.manage")
def revoke_invitation(invitation_id: int):
    """Withdraw an open invitation."""
    invitation = get_or_404(Invitation, invitation_id)
    BackTo(url_for("auth.staff"))
    auth.revoke_invitation(invitation)
    flash(f"Invitation for {invitation.email} withdrawn.", "info")
    return redirect(url_for("auth.staff"))


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@permission_required("staff.manage")
def staff_member(user_id: int):
    """Change a staff member's role."""
    member = get_or_404(User, user_id)
    form = StaffRoleForm(obj=member)
    form.role.choices = role_choices(assignable_roles(current_user.role))
    page = FormPage(
        lambda: render_template(
            "auth/staff_member.html", member=member, form=form, sessions=session_store.open_sessions(member)
        ),
        form,
    )
    if form.validate_on_submit():
        auth.change_role(current_user, member, form.role.data)
        flash(f"{member.name} is now {member.role_label.lower()}.", "success")
        return redirect(url_for("auth.staff"))
    return page.show()


@bp.route("/staff/<int:user_id>/access", methods=["POST"])
@permission_required("staff.manage")
def staff_access(user_id: int):
    """Deactivate or reactivate a staff member."""
    member = get_or_404(User, user_id)
    BackTo(url_for("auth.staff_member", user_id=member.id))
    activate = request.form.get("active") == "1"
    auth.set_active(current_user, member, activate)
    flash(f"{member.name} can {'now' if activate else 'no longer'} log in.", "success")
    return redirect(url_for("auth.staff"))


@bp.route("/account/verification", methods=["POST"])
@login_required
def resend_verification():
    """Send the e-mail confirmation link again."""
    if current_user.email_verified_at is None:
        auth.send_verification_email(current_user)
        flash(f"We sent a new confirmation link to {current_user.email}.", "info")
    return redirect(url_for("shop.dashboard"))


# --- one's own account and sessions -------------------------------------------------------


@bp.route("/account")
@login_required
def account():
    """The staff member's own account: where they are logged in, with a "Log out" for each and for all."""
    return render_template(
        "auth/account.html",
        sessions=session_store.open_sessions(current_user._get_current_object()),
        current=session_store.current_session(),
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    """Log out one session (one's own, or, for those who manage staff, a staff member's)."""
    row = get_or_404(StaffSession, session_id)
    own = row.user_id == current_user.id
    back = url_for("auth.account") if own else url_for("auth.staff_member", user_id=row.user_id)
    BackTo(back)
    if row is session_store.current_session():
        logout_user()  # this browser: revoked on the way out
        flash("You are logged out.", "info")
        return redirect(url_for("auth.login"))
    member = auth.end_staff_session(current_user, row)
    flash("That session is logged out." if own else f"{member.name} is logged out of that session.", "success")
    return redirect(back)


@bp.route("/account/sessions/end-all", methods=["POST"])
@login_required
def end_all_sessions():
    """Log out everywhere, this browser too: every session row of the account is revoked."""
    session_store.end_every_session(current_user._get_current_object())
    logout_user()
    flash("You are logged out everywhere, on this device too.", "info")
    return redirect(url_for("auth.login"))
