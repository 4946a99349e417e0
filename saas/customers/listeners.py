"""How customers plugs into the features below it: the access log names its customers."""

from __future__ import annotations

from sqlalchemy import select

from saas.audit.signals import subject_names
from saas.core.extensions import db
from saas.customers.models import Customer


@subject_names.connect_via("customer")
def _customer_names(sender, ids, **details) -> dict[int, str]:
    return dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all())
