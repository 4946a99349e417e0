"""The processors a shop uses: Workbay itself, its hosting, document storage and mail (from the
configuration), and whatever other features answer for the shop (`saas.core.processors`).

Stripe is not among them: it bills the shop's own subscription to Workbay (Workbay is that data's
controller) and no data about the shop's customers reaches it; payments from customers are
recorded by the shop, not taken online.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from saas.core.processors import Processor, processors_for
from saas.core.tenant import Tenant

WORKBAY = Processor(
    "workbay",
    "Workbay",
    "The software the shop keeps its records in: runs the service on the shop's instructions only",
    "",
    data="everything described in the shop's privacy policy",
    safeguards="data processing terms (GDPR Art. 28) in Workbay's terms of service",
)


def hosting() -> Processor:
    """Where the servers and the database run (HOSTING_PROVIDER, HOSTING_LOCATION)."""
    config = current_app.config
    files = " and uploaded files" if config.get("STORAGE_BACKEND", "local") != "s3" else ""
    return Processor(
        "hosting",
        config.get("HOSTING_PROVIDER") or "Workbay's hosting provider",
        f"Runs Workbay's servers and database, which hold the shop's records{files}",
        config.get("HOSTING_LOCATION") or "",
        data="all records the shop keeps in Workbay",
    )


def document_storage() -> Processor | None:
    """Amazon S3 (or an S3-compatible store) when documents live there; None for the local folder."""
    config = current_app.config
    if config.get("STORAGE_BACKEND", "local") != "s3":
        return None
    endpoint = urlsplit(config.get("S3_ENDPOINT_URL") or "").hostname
    name = f"S3-compatible storage at {endpoint}" if endpoint else "Amazon Web Services (Amazon S3)"
    sse = config.get("S3_SSE") or ""
    return Processor(
        "storage",
        name,
        "Stores uploaded documents and photos",
        config.get("S3_REGION") or "",
        data="documents and photos, including ID documents where the shop keeps them",
        safeguards=f"encrypted at rest ({sse})" if sse else "",
        activities=("documents", "repairs"),
    )


def mail_delivery() -> Processor:
    """The e-mail provider (MAIL_PROVIDER, else named after SMTP_HOST)."""
    config = current_app.config
    if config.get("MAIL_BACKEND") == "smtp":
        name = config.get("MAIL_PROVIDER") or f"E-mail delivery through {config.get('SMTP_HOST')}"
    else:
        name = config.get("MAIL_PROVIDER") or "Workbay's own mail outbox (this installation sends no mail out)"
    return Processor(
        "mail",
        name,
        "Delivers the shop's e-mails: confirmations, estimates, invoices, reminders and, with consent, offers",
        config.get("MAIL_PROVIDER_LOCATION") or "",
        data="name, e-mail address and the content of each message",
        activities=("customers", "repairs", "invoicing", "appointments", "marketing"),
    )


def shop_processors(shop: Tenant) -> list[Processor]:
    """Workbay's sub-processors for `shop`, then what other features answer (e.g. analytics), by key once."""
    found = [hosting(), document_storage(), mail_delivery(), *processors_for(shop)]
    unique: dict[str, Processor] = {}
    for processor in found:
        if processor is not None:
            unique.setdefault(processor.key, processor)
    return list(unique.values())


def serves(processor: Processor, activity_key: str) -> bool:
    """True if `processor` takes part in the activity (an empty list means all of them)."""
    return not processor.activities or activity_key in processor.activities
