"""The e-mails billing sends to a shop's owners (payment failed, payment to confirm, trial ending)."""

from __future__ import annotations

from flask import url_for

from saas.auth.services import active_owners
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant


def mail_owners(subject: str, template: str, **context) -> None:
    """E-mail every active owner of the active shop, with a link to its billing page."""
    tenant = active_tenant()
    link = url_for("billing.index", shop=tenant.subdomain, _external=True)
    for owner in active_owners():
        send_mail(owner.email, subject, template, owner=owner, shop=tenant, billing_link=link, **context)
