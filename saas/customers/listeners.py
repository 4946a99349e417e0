"""How customers plugs into the features below it: the access log names its customers, and a
customer's data export includes who accessed their data."""

from __future__ import annotations

from sqlalchemy import select

from saas.audit.services import access_log_of_customer
from saas.audit.signals import subject_names
from saas.core.extensions import db
from saas.customers import signals
from saas.customers.models import Customer


@subject_names.connect_via("customer")
def _customer_names(sender, ids, **details) -> dict[int, str]:
    return dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all())


@signals.data_exported.connect
def _access_log_export(customer: Customer, **details) -> dict:
    return {"access_log": access_log_of_customer(customer.id)}
