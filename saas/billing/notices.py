"""The e-mails billing sends to a shop's owners (payment failed, payment to confirm, trial ending)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from saas.auth.models import User
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant


def _owners() -> list[User]:
    return db.session.scalars(
        select(User).where(User.role == Role.OWNER, User.is_active_account.is_(True)).order_by(User.id)
    ).all()


def mail_owners(subject: str, template: str, **context) -> None:
    """E-mail every active owner of the active shop, with a link to its billing page."""
    tenant = active_tenant()
    link = url_for("billing.index", shop=tenant.subdomain, _external=True)
    for owner in _owners():
        send_mail(owner.email, subject, template, owner=owner, shop=tenant, billing_link=link, **context)
