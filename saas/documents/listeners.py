"""How documents plug into the pages of customers, work orders and settings, and into a deletion."""

from __future__ import annotations

from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.export import row
from saas.customers.models import Customer
from saas.documents import services
from saas.documents.sections import document_section
from saas.settings import signals as settings_signals
from saas.workorders import signals as work_order_signals
from saas.workorders.models import WorkOrder


@customer_signals.page_panels.connect
def _customer_documents(customer: Customer, user, **details) -> Panel:
    section = document_section(user, "customer", customer.id)
    return Panel("documents/_section.html", {"doc_section": section, "customer": customer}, order=50)


@work_order_signals.page_panels.connect
def _work_order_documents(work_order: WorkOrder, user, **details) -> Panel:
    section = document_section(user, "work_order", work_order.id)
    return Panel("documents/_section.html", {"doc_section": section}, order=40)


@customer_signals.deleting.connect
def _delete_customer_documents(customer: Customer, **details) -> None:
    services.delete_documents_of_customer(customer.id)


@settings_signals.page_panels.connect
def _storage_panel(shop, user, **details) -> Panel:
    return Panel(
        "documents/_storage.html",
        {"usage": services.storage_usage(), "quota": services.storage_quota_bytes(shop)},
        order=10,
    )


@customer_signals.erasing.connect
def _erase_documents(customer: Customer, **details) -> customer_signals.ErasureNote | None:
    deleted = services.delete_documents_of_customer(customer.id)
    return (
        customer_signals.ErasureNote("Documents", erased=f"{deleted} documents and photos deleted from storage")
        if deleted
        else None
    )


@customer_signals.data_exported.connect
def _documents_export(customer: Customer, **details) -> dict:
    return {
        "documents": [
            {
                **row(document, "id", "kind", "filename", "content_type", "size_bytes", "created_at", "retain_until"),
                "file": f"documents/{document.id}-{document.filename}",
            }
            for document in services.documents_of_customer(customer.id)
        ]
    }


@customer_signals.files_exported.connect
def _export_documents(customer: Customer, **details) -> list[customer_signals.ExportedFile]:
    return services.exported_files_of_customer(customer.id)
