"""Console sign-in: the password, then the second factor (TOTP or a recovery code); the first login
enrols it. Logout, and the end of sessions left idle.

Between the password and the code nothing is logged in. The session holds a *pending login* (the
admin's id, when the password was right, where to go afterwards) for PENDING_SECONDS; the code step
takes MAX_WRONG_CODES wrong codes, then the password is asked again. Wrong codes are counted in the
audit trail, on the server: the session is a signed cookie, and replaying an older one must not give
more tries.

A console session is never a "remember me" one, and ends after ADMIN_IDLE_MINUTES without a request
(`end_idle_console_session`). Each login is a session row (`saas.platform.listeners.log_in_admin`, in a
fresh session); logging out, the idle limit and "log out everywhere" revoke rows, so a copied cookie
stops working too. The password step is limited per address and per account, with a back-off that
spares the admin's known browsers (`saas.auth.login_limits`); every refusal is in the audit trail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask import abort, after_this_request, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from saas.auth import login_limits
from saas.auth.decorators import safe_next_url
from saas.auth.forms import LoginForm
from saas.auth.passwords import verify_password
from saas.core.errors import wants_json
from saas.core.extensions import db, limiter
from saas.core.requests import FormPage, keep_changes, private_page
from saas.platform import admins, audit, totp
from saas.platform.blueprint import bp
from saas.platform.listeners import log_in_admin
from saas.platform.models import PlatformAdmin, PlatformAuditEntry

PENDING_KEY = "platform_pending_login"
SEEN_KEY = "platform_seen_at"  # when this console session last made a request (seconds since the epoch)
PENDING_SECONDS = 5 * 60
MAX_WRONG_CODES = 5
REFUSAL = "Those credentials do not match a platform admin."
WRONG_CODE = "That code is wrong or was already used. Wait for the next code of your authenticator app."
WRONG_RECOVERY_CODE = "That recovery code is wrong or was already used."
LIMIT_SCOPE = "console"  # the accounts of the login limits (saas.auth.login_limits): console e-mails


def now() -> float:
    """Seconds since the epoch: the clock of pending logins and idle sessions (tests move it)."""
    return time.time()


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app (or, where accepted, a recovery code)."""

    code = StringField(
        "Code",
        validators=[
            DataRequired(message="Enter the code."),
            Length(max=64, message="That is not a code: enter the 6 digits your app shows, or a recovery code."),
        ],
        render_kw={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off", "spellcheck": "false"},
    )


# --- the pending login, between the password and the code ---------------------------------


@dataclass(frozen=True)
class PendingLogin:
    """A password step that is waiting for its code."""

    admin: PlatformAdmin
    mark: int  # the newest audit entry when the password was right: wrong codes are counted after it
    next: str | None
    enrolled_at: str | None  # set once this login has enrolled the second factor


def _start_pending_login(admin: PlatformAdmin, next_url: str | None) -> None:
    mark = db.session.scalar(select(func.coalesce(func.max(PlatformAuditEntry.id), 0)))
    session[PENDING_KEY] = {"admin_id": admin.id, "since": now(), "mark": mark, "next": next_url}


def _restart(message: str, next_url: str | None = None, category: str = "info"):
    """Back to the password step, with why."""
    session.pop(PENDING_KEY, None)
    flash(message, category)
    return redirect(url_for("platform.login", next=next_url))


def _pending_login() -> tuple[PendingLogin | None, object | None]:
    """The pending login, or (None, a redirect to the password step) when there is none that still counts."""
    data = session.get(PENDING_KEY)
    try:
        admin_id, since, mark = int(data["admin_id"]), float(data["since"]), int(data["mark"])
        next_url = safe_next_url(data.get("next"))
    except (KeyError, TypeError, ValueError):
        return None, _restart("Log in with your e-mail and password first.")
    if not 0 <= now() - since <= PENDING_SECONDS:
        return None, _restart("That took too long. Log in again.", next_url)
    admin = db.session.get(PlatformAdmin, admin_id)
    if admin is None or not admin.is_active:
        return None, _restart("Log in again.")
    return PendingLogin(admin, mark, next_url, data.get("enrolled_at")), None


def _wrong_codes(pending: PendingLogin) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(PlatformAuditEntry)
        .where(
            PlatformAuditEntry.admin_id == pending.admin.id,
            PlatformAuditEntry.action == "login.second_factor_failed",
            PlatformAuditEntry.id > pending.mark,
        )
    )


def _pending_admin_key() -> str:
    """Rate-limit key of the code step: the admin being logged in (so changing address does not help)."""
    data = session.get(PENDING_KEY)
    if isinstance(data, dict):
        return f"pending-admin:{data.get('admin_id')}"
    return f"no-pending-login:{get_remote_address()}"  # not the address alone: that is the other limit's key


def _refuse_code(pending: PendingLogin, form: CodeForm, page: FormPage, message: str, detail: str):
    """A wrong code: recorded (kept although the answer is 4xx), and after MAX_WRONG_CODES the login starts over."""
    audit.record("login.second_factor_failed", admin=pending.admin, detail=detail)
    keep_changes()
    wrong = _wrong_codes(pending)
    if wrong >= MAX_WRONG_CODES:
        return _restart("Too many wrong codes. Log in again.", pending.next, "error")
    left = MAX_WRONG_CODES - wrong
    form.code.errors = [*form.code.errors, f"{message} {left} {'try' if left == 1 else 'tries'} left."]
    return page.show(401)


def _complete_login(admin: PlatformAdmin, pending: PendingLogin, how: str):
    """The second factor is answered: now, and only now, the admin is logged in (never remembered), in a
    fresh session (the pending login goes with the rest) with a new session row."""
    log_in_admin(admin)
    session.permanent = False
    session[SEEN_KEY] = now()
    login_limits.remember_device(LIMIT_SCOPE, admin.email)
    admins.record_admin_login(admin)
    audit.record("login", admin=admin, detail=how)
    return redirect(pending.next or url_for("platform.shops"))


# --- the views ----------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limits.PER_ADDRESS, methods=["POST"])
def login():
    """Platform admins log in here (shop staff accounts do not work): the password first."""
    if current_user.is_authenticated:
        return redirect(url_for("platform.shops"))
    form = LoginForm()
    page = FormPage(lambda: render_template("platform/login.html", form=form), form)
    if form.validate_on_submit():
        admin = admins.find_admin(form.email.data)
        attempt = login_limits.attempt(LIMIT_SCOPE, form.email.data)
        if attempt.refused:
            _record_refusal(admin, form.email.data, "too many failed logins")
            flash(login_limits.wait_message(attempt.wait_seconds), "error")
            body, _ = page.show()
            return body, 429, {"Retry-After": str(attempt.wait_seconds)}
        if not verify_password(admin.password_hash if admin else None, form.password.data):
            attempt.failed()
            _record_refusal(admin, form.email.data, "wrong password" if admin else "no admin with this e-mail")
            flash(REFUSAL, "error")
            return page.show(401)
        attempt.succeeded()
        if not admin.is_active:
            audit.record("login.refused", admin=admin, detail="the account is deactivated")
            keep_changes()
            flash("This console account is deactivated. Ask an owner of the platform.", "error")
            return page.show(403)
        _start_pending_login(admin, safe_next_url(request.args.get("next")))
        if admin.has_second_factor:
            return redirect(url_for("platform.login_second_factor"))
        totp.begin_enrolment(admin)
        return redirect(url_for("platform.login_enrol"))
    return page.show()


@bp.route("/login/second-factor", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_pending_admin_key)
def login_second_factor():
    """The code step: a TOTP code, or a recovery code (which is then used up)."""
    if current_user.is_authenticated:
        return redirect(url_for("platform.shops"))
    pending, refusal = _pending_login()
    if refusal:
        return refusal
    admin = pending.admin
    if not admin.has_second_factor:  # reset since the password step
        return redirect(url_for("platform.login_enrol"))
    form = CodeForm()
    page = FormPage(lambda: render_template("platform/second_factor.html", form=form, admin=admin), form)
    if form.validate_on_submit():
        check = totp.accept_code(admin, form.code.data)
        if not check.accepted:
            if check.recovery:
                return _refuse_code(pending, form, page, WRONG_RECOVERY_CODE, "recovery code not accepted")
            return _refuse_code(pending, form, page, WRONG_CODE, "TOTP code not accepted")
        if check.recovery:
            left = check.recovery_codes_left
            audit.record("recovery_code.used", admin=admin, detail=f"{left} left")
            flash(_recovery_codes_left_message(left), "info" if left > 2 else "error")
            return _complete_login(admin, pending, "recovery code")
        return _complete_login(admin, pending, "authenticator code")
    return page.show()


def _record_refusal(admin: PlatformAdmin | None, email: str, why: str) -> None:
    """A refused password step in the audit trail (kept although the answer is 4xx); an e-mail that is no
    admin is named in the detail (the form checked it is an address; the password never is)."""
    audit.record("login.refused", admin=admin, detail=why if admin else f"{why}: {email.strip().lower()}")
    keep_changes()


def _recovery_codes_left_message(left: int) -> str:
    if left == 0:
        return "You used your last recovery code. Make new ones on your account page now."
    codes = "recovery code is" if left == 1 else "recovery codes are"
    return f"You logged in with a recovery code; it no longer works. {left} {codes} left (see your account page)."


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("10 per minute", methods=["POST"], key_func=_pending_admin_key)
def login_enrol():
    """The first login: scan the QR code (or type the key), confirm with a code, then see the recovery codes."""
    if current_user.is_authenticated:
        return redirect(url_for("platform.shops"))
    pending, refusal = _pending_login()
    if refusal:
        return refusal
    admin = pending.admin
    if admin.has_second_factor:
        return redirect(url_for("platform.login_second_factor"))
    if admin.totp_secret is None:  # reset between the password step and now
        totp.begin_enrolment(admin)
    after_this_request(private_page)  # the secret and the codes are never cached
    form = CodeForm()
    page = FormPage(
        lambda: render_template(
            "platform/enrol.html",
            form=form,
            admin=admin,
            qr=totp.qr_svg(totp.provisioning_uri(admin.totp_secret, admin.email)),
            secret=totp.grouped(admin.totp_secret),
        ),
        form,
    )
    if form.validate_on_submit():
        codes = totp.complete_enrolment(admin, form.code.data)
        if codes is None:
            return _refuse_code(pending, form, page, WRONG_CODE, "enrolment code not accepted")
        audit.record("second_factor.enrolled", admin=admin)
        session[PENDING_KEY] = {**session[PENDING_KEY], "enrolled_at": admin.totp_enrolled_at.isoformat()}
        return render_template(
            "platform/recovery_codes.html", codes=codes, continue_url=url_for("platform.login_enrol_done"), login=True
        )
    return page.show()


@bp.route("/login/enrol/done", methods=["POST"])
def login_enrol_done():
    """ "I have saved them": the login that just enrolled ends here, logged in."""
    if current_user.is_authenticated:
        return redirect(url_for("platform.shops"))
    pending, refusal = _pending_login()
    if refusal:
        return refusal
    admin = pending.admin
    enrolled_here = (
        admin.has_second_factor
        and pending.enrolled_at is not None
        and datetime.fromisoformat(pending.enrolled_at) == admin.totp_enrolled_at
        and (admin.last_login_at is None or admin.last_login_at < admin.totp_enrolled_at)
    )
    if not enrolled_here:  # an older cookie replayed, or enrolled elsewhere: the code it is
        return redirect(url_for("platform.login_second_factor"))
    flash("Your second factor is set up. From now on the console asks for a code at every login.", "success")
    return _complete_login(admin, pending, "enrolment")


@bp.route("/logout", methods=["POST"])
def logout():
    """End the admin session."""
    end_console_session("logout")
    flash("You are logged out.", "info")
    return redirect(url_for("platform.login"))


def end_console_session(action: str, detail: str = "") -> None:
    """Log out (recorded in the audit trail when an admin was logged in) and forget any pending login."""
    admin = current_user._get_current_object()
    if isinstance(admin, PlatformAdmin):
        audit.record(action, admin=admin, detail=detail)
        keep_changes()  # also when the answer is a 401 (an idle JSON client)
    logout_user()
    session.pop(SEEN_KEY, None)
    session.pop(PENDING_KEY, None)


@bp.before_request
def end_idle_console_session():
    """A console request after ADMIN_IDLE_MINUTES without one ends the session: back to the login, and back
    here afterwards. A session without our mark (e.g. one loaded from a remember cookie) and a
    deactivated admin's end too."""
    admin = current_user._get_current_object()
    if not isinstance(admin, PlatformAdmin):  # anonymous (Flask-Login counts a deactivated admin as such too)
        return None
    seen = session.get(SEEN_KEY)
    minutes = current_app.config["ADMIN_IDLE_MINUTES"]
    if not admin.is_active:
        message, why = "This console account is deactivated.", "the account is deactivated"
    elif not isinstance(seen, int | float):
        message, why = "Please log in to continue.", "not a console login"
    elif now() - seen > minutes * 60:
        message = f"You were logged out after {minutes} minutes without activity. Log in again to continue."
        why = f"idle for more than {minutes} minutes"
    else:
        session[SEEN_KEY] = now()
        return None
    end_console_session("session.ended", why)
    if wants_json():
        abort(401)
    flash(message, "info")
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("platform.login", next=back))
