"""What personal data a shop holds in Workbay, why, on what legal basis, and for how long.

The declarations below are the one source of a shop's record of processing activities (GDPR
Art. 30, saas.privacy.records) and of the matching sections of its generated privacy policy
(saas.privacy.shop_policy). Each table that holds a shop's data is either declared in a
`Holding` or listed in `OUTSIDE_THE_RECORD` with the reason; tests/privacy/test_records.py
fails for a new table that is neither, so the record cannot silently fall behind the schema.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Activity:
    """A processing activity: what is done with the data, why, on which basis, for how long."""

    key: str
    name: str
    purpose: str
    legal_basis: str
    subjects: tuple[str, ...]
    retention: str


@dataclass(frozen=True)
class Holding:
    """A table's personal data, in the activity it serves.

    `counted`: the record shows how many rows the shop holds; `only_where`: a boolean column the
    count is limited to (e.g. customers who agreed to marketing).
    """

    activity: str
    table: str
    label: str
    categories: tuple[str, ...]
    counted: bool = True
    only_where: str | None = None

    @property
    def key(self) -> str:
        return f"{self.table}.{self.only_where}" if self.only_where else self.table


CONTRACT = "The contract with the customer: needed to carry out the repair they asked for (GDPR Art. 6(1)(b))"
LEGAL_OBLIGATION = "Legal obligation: tax and accounting law (GDPR Art. 6(1)(c))"
CONSENT = "Consent, which can be withdrawn at any time (GDPR Art. 6(1)(a))"
LEGITIMATE = "legitimate interests (GDPR Art. 6(1)(f))"

ACTIVITIES: tuple[Activity, ...] = (
    Activity(
        "customers",
        "Customer records",
        "Knowing who a customer is, how to reach them and which vehicles or devices are theirs",
        f"{CONTRACT}; {LEGITIMATE} in keeping the history of past repairs for warranty and follow-up work",
        ("customers",),
        "Kept while the customer uses the shop; the shop deletes or anonymizes a customer on request, "
        "except what must stay on issued invoices",
    ),
    Activity(
        "repairs",
        "Repairs, estimates and inspections",
        "Diagnosing and repairing, sending estimates, recording the customer's approval",
        f"{CONTRACT}; {LEGITIMATE} in proving what the customer approved, in case of a dispute",
        ("customers",),
        "Kept with the customer record; approvals as long as a claim about the work is possible",
    ),
    Activity(
        "invoicing",
        "Invoices and payments",
        "Billing the work and recording payments",
        LEGAL_OBLIGATION,
        ("customers",),
        "As long as the tax and accounting law of the shop's country requires (for example 8 years in "
        "Germany, 10 in France); issued invoices are never changed",
    ),
    Activity(
        "documents",
        "Documents and photos",
        "Keeping photos of the vehicle or device and documents handed in (including copies of ID "
        "documents where the shop checks who collects a vehicle)",
        f"{CONTRACT}; {LEGITIMATE} in checking who collects a vehicle or device",
        ("customers",),
        "With the customer record; ID documents until the retention date set when they are uploaded "
        "({sensitive_days} days by default) and only office staff see them",
    ),
    Activity(
        "appointments",
        "Appointments and reminders",
        "Booking visits, online or by staff, and reminding the customer the day before",
        "Steps the customer asks for before a contract (GDPR Art. 6(1)(b))",
        ("customers", "people booking online"),
        "Kept with the customer record",
    ),
    Activity(
        "marketing",
        "Offers and news",
        "Sending offers and news to customers who agreed to receive them",
        CONSENT,
        ("customers who agreed to marketing",),
        "Until the customer withdraws consent; a consent given under an earlier policy version waits "
        "for re-confirmation after a material change",
    ),
    Activity(
        "security",
        "Access log",
        "Recording which staff member opened or exported whose personal data, when and from where",
        "Legitimate interests (GDPR Art. 6(1)(f)) in the security of the data and in accountability (Art. 5(2), Art. 32)",
        ("customers", "the shop's staff"),
        "Kept with the shop's account",
    ),
    Activity(
        "privacy",
        "Privacy requests, exports and erasure",
        "Answering people who ask to see, take, correct or erase their data, or to limit its use; "
        "keeping what a legal claim needs while a legal hold is in force",
        "Legal obligation: data protection law (GDPR Art. 12-22, Art. 6(1)(c)); legitimate interests "
        "(Art. 6(1)(f)) in establishing or defending legal claims",
        ("customers", "people who make a privacy request"),
        "Requests and their history are kept as proof of the answer; an export's download is deleted when its "
        "link expires; an erasure's record keeps no personal data",
    ),
    Activity(
        "website",
        "Visits to the shop's pages",
        "Showing the booking, estimate and privacy pages and keeping them secure",
        "Legitimate interests (GDPR Art. 6(1)(f)) in running the pages securely; consent (Art. 6(1)(a)) for any statistics or marketing cookies",
        ("visitors",),
        "Session cookies end with the browser session; a record of cookie choices is kept as proof of consent",
    ),
)

HOLDINGS: tuple[Holding, ...] = (
    Holding("customers", "customers", "Customers", ("name", "e-mail address", "phone number", "postal address",
            "notes", "preferred way of contact")),
    Holding("customers", "assets", "Vehicles and devices", ("make, model and year", "VIN and licence plate",
            "mileage", "device type", "serial number or IMEI")),
    Holding("repairs", "work_orders", "Work orders", ("the customer's concern", "diagnosis", "internal notes",
            "mileage at drop-off", "promised date")),
    Holding("repairs", "jobs", "Jobs", ("work done", "the customer's approval of each job"), counted=False),
    Holding("repairs", "job_lines", "Job lines", ("parts and labour",), counted=False),
    Holding("repairs", "work_order_events", "Status history", ("status changes", "notes"), counted=False),
    Holding("repairs", "work_order_technicians", "Technicians on a job", ("which staff member worked on it",),
            counted=False),
    Holding("repairs", "estimate_approvals", "Estimate approvals", ("signed name", "answers per job", "time",
            "IP address", "browser")),
    Holding("repairs", "inspections", "Inspections", ("checks of the vehicle or device",)),
    Holding("repairs", "inspection_items", "Inspection findings", ("rating", "notes"), counted=False),
    Holding("invoicing", "invoices", "Invoices and credit notes", ("billing name", "billing e-mail",
            "billing address", "work and amounts")),
    Holding("invoicing", "invoice_lines", "Invoice lines", ("work and amounts",), counted=False),
    Holding("invoicing", "payments", "Payments", ("amount", "method", "reference", "date")),
    Holding("documents", "documents", "Documents and photos", ("photos", "files", "file names")),
    Holding("documents", "documents", "ID documents (office only)", ("copies of ID cards or driving licences",),
            only_where="sensitive"),
    Holding("appointments", "appointments", "Appointments", ("date and time", "service", "notes")),
    Holding("marketing", "customers", "Customers who agreed to marketing", ("when and how consent was given",),
            only_where="marketing_consent"),
    Holding("marketing", "marketing_reconfirmations", "Requests to re-confirm marketing consent",
            ("earlier consent's date and source", "the customer's answer")),
    Holding("privacy", "privacy_requests", "Privacy requests", ("e-mail address", "what was asked", "the answer")),
    Holding("privacy", "privacy_request_customers", "Customers a request matched", ("which customer record",),
            counted=False),
    Holding("privacy", "privacy_request_events", "History of each request", ("who did what, when",), counted=False),
    Holding("privacy", "data_exports", "Data exports", ("the archive of a person's data, until its link expires",)),
    Holding("privacy", "data_export_subjects", "Whose data an export holds", ("which customer record",),
            counted=False),
    Holding("privacy", "erasure_records", "Erasures", ("when a customer was erased", "what was kept and why")),
    Holding("privacy", "legal_holds", "Legal holds", ("whose data is kept", "the reason")),
    Holding("website", "cookie_consents", "Cookie choices", ("an anonymous consent id", "categories allowed",
            "a hashed IP address", "browser")),
    Holding("security", "access_log_entries", "Access log entries", ("staff member", "whose record", "action",
            "time", "IP address", "browser")),
)  # fmt: skip

# Tables of a shop that hold no personal data of its customers, or whose controller is not the shop.
OUTSIDE_THE_RECORD: dict[str, str] = {
    "users": "Staff accounts: Workbay is their controller (see Workbay's privacy policy)",
    "invitations": "Staff invitations: Workbay is their controller",
    "staff_sessions": "Staff logins (browser, IP address, times; deleted once ended): Workbay is their controller",
    "policy_acceptances": "Staff acceptances of Workbay's terms: Workbay is their controller",
    "subscriptions": "The shop's subscription to Workbay: Workbay is its controller",
    "number_sequences": "Invoice and work order numbering: no personal data",
    "opening_hours": "The shop's opening hours: no personal data",
    "bookable_services": "Services offered for booking: no personal data",
    "canned_jobs": "Job templates: no personal data",
    "canned_job_lines": "Job template lines: no personal data",
    "inspection_templates": "Inspection templates: no personal data",
    "inspection_template_items": "Inspection template items: no personal data",
    "shop_privacy_settings": "The shop's privacy settings: no personal data",
    "shop_policy_versions": "The shop's privacy policy versions: no personal data of customers",
    "shop_analytics_settings": "The shop's analytics settings: no personal data",
    "privacy_request_settings": "The shop's deadline rules for privacy requests: no personal data",
    "retention_rules": "The shop's retention periods: no personal data",
    "retention_runs": "The log of retention runs (counts per kind of data): no personal data",
    "shop_exports": "Exports of all of the shop's data for its owner: the archive is a copy of the tables above",
    "support_visits": "Visits of Workbay support to the shop's pages: Workbay staff's data, Workbay is its controller",
    "support_visit_pages": "The pages a support visit opened (paths only): no personal data of customers",
}


def holdings_of(activity_key: str) -> list[Holding]:
    """The holdings declared for one activity, in declaration order."""
    return [holding for holding in HOLDINGS if holding.activity == activity_key]
