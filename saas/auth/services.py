"""Staff accounts: login, password reset, e-mail verification, invitations, roles.

Services flush and never commit: the request layer (or a CLI command) commits once, and mail
is delivered after that commit. The links we mail are read back by `user_for_reset_token`,
`verify_email`, `user_for_handoff` and `invitation_for_token`, which answer None for a link
that is broken, tampered with, expired, used or made for another shop.
"""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from sqlalchemy import func, select

from saas.auth import session_store
from saas.auth.models import Invitation, StaffSession, User
from saas.auth.passwords import hash_password, verify_password
from saas.auth.roles import Role, assignable_roles
from saas.auth.signals import login_failed, staff_changed
from saas.auth.tokens import (
    InvalidToken,
    fingerprint,
    hash_random_token,
    make_token,
    new_random_token,
    read_token,
)
from saas.core import limits
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant_id
from saas.core.tenant import Tenant


class AuthError(ServiceError):
    """A rule about accounts was broken; the message is safe to show."""


def normalize_email(email: str) -> str:
    """E-mail addresses are compared lower-cased and trimmed."""
    return (email or "").strip().lower()


def email_problem(email: str) -> str | None:
    """Why `email` cannot be a login address (the same rule as the forms), or None."""
    try:
        validate_email(email or "", check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def find_user_by_email(email: str) -> User | None:
    """The current shop's staff member with this e-mail, if any."""
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, name: str, password: str | None, role: Role) -> User:
    """Add a staff member to the current shop."""
    user = User(
        email=normalize_email(email),
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active staff member these credentials belong to, or None (and the refusal is reported)."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        report_failed_login(email, user, "wrong password" if user else "no account with this e-mail")
        return None
    if not user.is_active:
        report_failed_login(email, user, "the account is deactivated")
        return None
    return user


def report_failed_login(email: str, user: User | None, reason: str) -> None:
    """Tell the features above that a login at this shop was refused (the access log keeps it).

    `email` is the address as typed (the form checked it is one); the password is never passed on.
    """
    login_failed.send(
        active_tenant_id(), user_id=user.id if user else None, email=normalize_email(email), reason=reason
    )


def record_login(user: User) -> None:
    """Remember when the user last logged in."""
    user.last_login_at = utcnow()


def set_password(user: User, password: str) -> None:
    """Change the password and end every session of this user (the session version moves on, which
    revokes their session rows: saas.auth.session_store)."""
    user.password_hash = hash_password(password)
    user.session_version += 1


def shop_of(user: User) -> Tenant:
    """The shop a staff member belongs to."""
    return db.session.get(Tenant, user.tenant_id)


def _shop_url(shop: Tenant, endpoint: str, **values) -> str:
    return url_for(endpoint, shop=shop.subdomain, _external=True, **values)


# --- password reset ----------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address is staff here; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    token = make_token("password-reset", {"t": user.tenant_id, "u": user.id, "h": fingerprint(user.password_hash)})
    shop = shop_of(user)
    send_mail(
        user.email,
        f"Reset your {shop.name} password",
        "auth/email/password_reset",
        user=user,
        shop=shop,
        link=_shop_url(shop, "auth.reset_password", token=token),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link was made for, or None if it is bad, old or used."""
    payload = _link_payload("password-reset", token, "PASSWORD_RESET_MAX_AGE")
    user = _link_user(payload)
    if user is None or payload.get("h") != fingerprint(user.password_hash):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link (`user_for_reset_token`); the link cannot be used again."""
    set_password(user, password)
    user.email_verified_at = user.email_verified_at or utcnow()  # they proved they read the inbox


def _link_payload(purpose: str, token: str, max_age_setting: str) -> dict | None:
    """What a signed link of `purpose` carries, or None if it is broken, tampered with or too old."""
    try:
        return read_token(purpose, token, current_app.config[max_age_setting])
    except InvalidToken:
        return None


def _link_user(payload: dict | None) -> User | None:
    """The active staff member of the current shop a link was made for, or None."""
    if payload is None or payload.get("t") != active_tenant_id():
        return None
    user = db.session.scalar(select(User).where(User.id == payload.get("u")))
    return user if user is not None and user.is_active else None


# --- e-mail verification and signup handoff ----------------------------------------------


def send_verification_email(user: User) -> None:
    """E-mail a link that confirms the address belongs to the user."""
    token = make_token("verify-email", {"t": user.tenant_id, "u": user.id, "e": user.email})
    shop = shop_of(user)
    send_mail(
        user.email,
        "Confirm your e-mail address for Workbay",
        "auth/email/verify_email",
        user=user,
        shop=shop,
        link=_shop_url(shop, "auth.verify_email", token=token),
    )


def verify_email(token: str) -> User | None:
    """Mark the address verified; None (nothing changed) for a bad or outdated link."""
    payload = _link_payload("verify-email", token, "EMAIL_VERIFICATION_MAX_AGE")
    user = _link_user(payload)
    if user is None or payload.get("e") != user.email:
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def make_handoff_token(user: User) -> str:
    """A short-lived link that logs a new owner in on their shop's host right after signup."""
    return make_token("signup-handoff", {"t": user.tenant_id, "u": user.id})


def user_for_handoff(token: str) -> User | None:
    """The new owner behind a handoff link; valid once, before their first login (else None)."""
    user = _link_user(_link_payload("signup-handoff", token, "SIGNUP_HANDOFF_MAX_AGE"))
    if user is None or user.last_login_at is not None:
        return None
    return user


# --- invitations -------------------------------------------------------------------------


def invite_staff(inviter: User, email: str, role: str) -> Invitation:
    """Invite someone to the shop with `role`; replaces any open invitation for that address."""
    email = normalize_email(email)
    if Role(role) not in assignable_roles(inviter.role):
        raise AuthError("You cannot give that role.", field="role")
    if find_user_by_email(email) is not None:
        raise AuthError("This person is already on your staff.", field="email")
    limits.require("staff_seats")  # the plan may refuse: a friendly page with an upgrade button
    for old in open_invitations_for(email):
        old.revoked_at = utcnow()
    token, token_hash = new_random_token()
    invitation = Invitation(
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    _seats_changed()
    shop = shop_of(inviter)
    send_mail(
        email,
        f"{inviter.name} invited you to {shop.name} on Workbay",
        "auth/email/invitation",
        inviter=inviter,
        shop=shop,
        role=Role(role).label,
        link=_shop_url(shop, "auth.accept_invitation", token=token),
        days=current_app.config["INVITATION_DAYS"],
    )
    return invitation


def open_invitations_for(email: str) -> list[Invitation]:
    """Open invitations of the current shop for one address."""
    return db.session.scalars(
        select(Invitation).where(
            Invitation.email == normalize_email(email),
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    ).all()


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation behind a link, or None."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_random_token(token)))
    return invitation if invitation is not None and invitation.is_open else None


def accept_invitation(invitation: Invitation, name: str, password: str) -> User:
    """Create the invitee's account from an open invitation (`invitation_for_token`); its link then stops working."""
    if find_user_by_email(invitation.email) is not None:
        raise AuthError("An account with this e-mail already exists here. Please log in.")
    user = create_user(invitation.email, name, password, Role(invitation.role))
    user.email_verified_at = utcnow()  # the link reached their inbox
    invitation.accepted_at = utcnow()
    return user


def revoke_invitation(invitation: Invitation) -> None:
    """Withdraw an invitation that was not accepted yet."""
    if invitation.accepted_at is not None:
        raise AuthError("This invitation was already accepted.")
    invitation.revoked_at = invitation.revoked_at or utcnow()
    _seats_changed()


# --- staff roles -------------------------------------------------------------------------


def _owner_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.role == Role.OWNER, User.is_active_account.is_(True))
    )


def active_owners() -> list[User]:
    """The current shop's owners whose accounts are active: who the shop's own mail goes to."""
    return db.session.scalars(
        select(User).where(User.role == Role.OWNER, User.is_active_account.is_(True)).order_by(User.id)
    ).all()


def _check_may_manage(actor: User, member: User) -> None:
    if actor.id == member.id:
        raise AuthError("You cannot change your own role or access.")
    if Role(member.role) not in assignable_roles(actor.role):
        raise AuthError("You cannot change a staff member with that role.")


def change_role(actor: User, member: User, role: str) -> None:
    """Give `member` a new role, within what `actor` may assign; a shop keeps an owner."""
    _check_may_manage(actor, member)
    if Role(role) not in assignable_roles(actor.role):
        raise AuthError("You cannot give that role.")
    if member.role == Role.OWNER and role != Role.OWNER and _owner_count() <= 1:
        raise AuthError("A shop needs at least one owner.")
    member.role = role


def set_active(actor: User, member: User, active: bool) -> None:
    """Deactivate (ending their sessions: the version bump revokes their rows) or reactivate a staff member."""
    _check_may_manage(actor, member)
    if not active and member.role == Role.OWNER and _owner_count() <= 1:
        raise AuthError("A shop needs at least one owner.")
    if member.is_active_account != active:
        member.is_active_account = active
        member.session_version += 1
        db.session.flush()
        _seats_changed()


def end_staff_session(actor: User, row: StaffSession) -> User:
    """Log out one session: `actor`'s own, or one of a staff member `actor` may manage; its owner answered."""
    member = actor if row.user_id == actor.id else db.session.scalar(select(User).where(User.id == row.user_id))
    if member is not actor:
        if not actor.can("staff.manage"):
            raise AuthError("You can log out only your own sessions.", status=403)
        _check_may_manage(actor, member)
    session_store.revoke(row)
    return member


def _seats_changed() -> None:
    staff_changed.send(active_tenant_id())
