"""Imports every feature's models so the metadata (migrations, tests) sees all tables."""

from saas.appointments.models import Appointment, BookableService, OpeningHours
from saas.audit.models import AccessLogEntry
from saas.auth.models import Invitation, User
from saas.billing.models import StripeCustomer, StripeEvent, Subscription
from saas.consent.models import AnalyticsSettings, CookieConsent, PlatformCookieConsent
from saas.core.sequences import NumberSequence
from saas.core.tenant import Tenant
from saas.customers.models import Asset, Customer
from saas.documents.models import Document
from saas.inspections.models import Inspection, InspectionItem, InspectionTemplate, InspectionTemplateItem
from saas.invoicing.models import Invoice, InvoiceLine, Payment
from saas.platform.models import PlatformAdmin, PlatformAuditEntry, RecoveryCode, SupportVisit, SupportVisitPage
from saas.privacy.erasure import ErasureRecord
from saas.privacy.exports import DataExport, DataExportSubject
from saas.privacy.holds import LegalHold
from saas.privacy.models import PolicyAcceptance
from saas.privacy.request_models import (
    PrivacyRequest,
    PrivacyRequestCustomer,
    PrivacyRequestEvent,
    PrivacyRequestSettings,
)
from saas.privacy.retention import RetentionRule, RetentionRun
from saas.privacy.shop_models import MarketingReconfirmation, ShopPolicyVersion, ShopPrivacySettings
from saas.shopdata.models import ShopExport
from saas.workorders.models import (
    CannedJob,
    CannedJobLine,
    EstimateApproval,
    Job,
    JobLine,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderTechnician,
)

__all__ = [
    "AccessLogEntry", "Appointment", "Asset", "BookableService", "CannedJob", "CannedJobLine", "Customer",
    "DataExport", "DataExportSubject", "Document", "ErasureRecord", "EstimateApproval", "Inspection",
    "InspectionItem", "InspectionTemplate", "InspectionTemplateItem", "Invitation", "Invoice", "InvoiceLine", "Job",
    "JobLine", "LegalHold", "MarketingReconfirmation", "NumberSequence", "OpeningHours", "Payment", "PlatformAdmin",
    "PlatformAuditEntry", "PolicyAcceptance", "PrivacyRequest", "PrivacyRequestCustomer", "PrivacyRequestEvent",
    "PrivacyRequestSettings", "RetentionRule", "RetentionRun", "ShopPolicyVersion", "ShopPrivacySettings",
    "StripeCustomer", "StripeEvent",
    "Subscription", "Tenant", "User", "WorkOrder",
    "WorkOrderEvent", "WorkOrderTechnician",
    "AnalyticsSettings", "CookieConsent", "PlatformCookieConsent",
    "RecoveryCode", "ShopExport", "SupportVisit", "SupportVisitPage",
]  # fmt: skip
