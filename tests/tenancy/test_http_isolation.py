"""Alpha's owner, logged in at alpha, tries every shop route that takes an id with bravo's ids."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import log_in
from tests.fixtures.database import snapshot
from tests.tenancy.helpers import Shop, refilled

# Which table each id argument of the shop's routes points into, and the routes that take it.
# A new route with an id must be listed (test_every_shop_route_with_an_id_has_a_cross_tenant_case);
# a route with several ids goes straight into CROSS_TENANT_TARGETS as {endpoint: {arg: table, ...}}.
_ROUTES_BY_ID = {
    ("user_id", "users"): ("auth.staff_member", "auth.staff_access"),
    ("invitation_id", "invitations"): ("auth.revoke_invitation",),
    ("session_id", "staff_sessions"): ("auth.end_session",),
    ("customer_id", "customers"): (
        "customers.show",
        "customers.edit",
        "customers.delete",
        "customers.export",
        "customers.new_asset",
        "documents.customer",
        "privacy_exports.start",
        "privacy_exports.erase",
        "privacy_retention.place_hold",
    ),
    ("hold_id", "legal_holds"): ("privacy_retention.release_hold",),
    ("export_id", "data_exports"): ("privacy_exports.progress", "privacy_exports.staff_download"),
    ("export_id", "shop_exports"): ("shopdata.export_progress", "shopdata.download_export"),
    ("asset_id", "assets"): ("customers.edit_asset", "documents.asset"),
    ("appointment_id", "appointments"): (
        "appointments.show",
        "appointments.cancel",
        "appointments.complete",
        "appointments.confirm",
        "appointments.move",
        "appointments.no_show",
    ),
    ("service_id", "bookable_services"): ("appointments.edit_service",),
    ("invoice_id", "invoices"): (
        "invoicing.show",
        "invoicing.credit_note",
        "invoicing.email",
        "invoicing.record_payment",
        "invoicing.pdf",
        "invoicing.void",
    ),
    ("work_order_id", "work_orders"): (
        "invoicing.from_work_order",
        "estimates.send",
        "workorders.show",
        "workorders.edit",
        "workorders.add_job",
        "workorders.add_canned_job",
        "workorders.change_status",
        "documents.work_order",
        "inspections.start",
    ),
    ("canned_job_id", "canned_jobs"): (
        "workorders.canned_job",
        "workorders.delete_canned_job",
        "workorders.add_canned_line",
    ),
    ("line_id", "canned_job_lines"): ("workorders.edit_canned_line", "workorders.delete_canned_line"),
    ("job_id", "jobs"): ("workorders.edit_job", "workorders.delete_job", "workorders.add_line"),
    ("line_id", "job_lines"): ("workorders.edit_line", "workorders.delete_line"),
    ("document_id", "documents"): ("documents.download", "documents.delete"),
    ("template_id", "inspection_templates"): ("inspections.add_template_item", "inspections.delete_template"),
    ("item_id", "inspection_template_items"): ("inspections.delete_template_item",),
    ("inspection_id", "inspections"): ("inspections.show", "inspections.finish"),
    ("item_id", "inspection_items"): ("inspections.save_item", "inspections.add_photo"),
    ("request_id", "privacy_requests"): (
        "privacy_requests.show",
        "privacy_requests.start",
        "privacy_requests.extend",
        "privacy_requests.complete",
        "privacy_requests.refuse",
        "privacy_requests.export",
        "privacy_requests.erase",
    ),
}
CROSS_TENANT_TARGETS = {
    endpoint: {arg: table} for (arg, table), endpoints in _ROUTES_BY_ID.items() for endpoint in endpoints
} | {"privacy_requests.correct": {"request_id": "privacy_requests", "customer_id": "customers"}}
# Fields of the shop's forms, so a POST would change something if the row were reachable.
HOSTILE_FORM = {
    "name": "Hijacked",
    "email": "hijack@example.com",
    "notes": "hijacked",
    "role": "manager",
    "active": "0",
    "status": "cancelled",
    "amount": "1.00",
    "reason": "hijacked",
}


def _routes_with_ids(app):
    """Routes served on a shop's host (every blueprint mounted at `<shop>`) with an int argument."""
    return [rule for rule in app.url_map.iter_rules() if rule.subdomain == "<shop>" and "<int:" in rule.rule]


def _requests(app):
    """(endpoint, method, rule) for every mapped route and each method it allows."""
    for rule in sorted(_routes_with_ids(app), key=lambda r: r.endpoint):
        if rule.endpoint in CROSS_TENANT_TARGETS:  # unmapped ones fail the coverage test below
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule


def _send(app, client, rule, method: str, target: Shop) -> str:
    """Request `rule` on the client's own host (alpha's) with the ids of `target`'s rows; the status."""
    values = {arg: target.ids[table] for arg, table in CROSS_TENANT_TARGETS[rule.endpoint].items()}
    path = app.url_map.bind(app.config["SERVER_NAME"], subdomain="alpha").build(
        rule.endpoint, {"shop": "alpha", **values}
    )
    assert path.startswith("/"), path  # a path: the request goes to the client's host
    response = client.open(path, method=method, data=HOSTILE_FORM if method == "POST" else None)
    return f"{response.status_code} {urlsplit(response.location or '').path}".strip()


@pytest.fixture
def alpha_owner(shops, shop_client):
    client = shop_client("alpha")
    log_in(client, shops.alpha.owner.email)
    return client


def test_every_shop_route_with_an_id_has_a_cross_tenant_case(app):
    routes = {rule.endpoint: set(rule.arguments) - {"shop"} for rule in _routes_with_ids(app)}

    assert routes == {endpoint: set(args) for endpoint, args in CROSS_TENANT_TARGETS.items()}


def test_staff_of_another_shop_gets_404_for_every_route_with_an_id_and_leaves_no_trace(
    app, shops, alpha_owner, superuser_engine, tenant_tables
):
    before = snapshot(superuser_engine, tenant_tables, shops.bravo.id)

    statuses = {
        (endpoint, method): _send(app, alpha_owner, rule, method, shops.bravo)
        for endpoint, method, rule in _requests(app)
    }

    assert len(statuses) >= len(CROSS_TENANT_TARGETS)
    assert statuses == dict.fromkeys(statuses, "404")
    assert snapshot(superuser_engine, tenant_tables, shops.bravo.id) == before


def test_the_same_requests_with_the_shops_own_ids_are_served_and_change_its_data(
    app, shops, alpha_owner, superuser_engine, tenant_tables
):
    """The control: these paths find the right shop's rows, and the snapshot notices what the forms change."""
    before = snapshot(superuser_engine, tenant_tables, shops.alpha.id)

    statuses = {
        # refilled: a delete route earlier in the loop must not turn a later request into a 404
        (endpoint, method): _send(
            app, alpha_owner, rule, method, refilled(superuser_engine, tenant_tables, shops.alpha)
        )
        for endpoint, method, rule in _requests(app)
    }

    assert {attempt: status for attempt, status in statuses.items() if status in ("404", "302 /login")} == {}
    assert snapshot(superuser_engine, tenant_tables, shops.alpha.id) != before


@pytest.mark.parametrize(
    ("path", "own", "others"),
    [
        ("/customers", ["Customer of alpha"], ["Customer of bravo"]),
        ("/staff", ["owner@alpha.example.com", "invitee@alpha"], ["owner@bravo.example.com", "invitee@bravo"]),
    ],
)
def test_list_pages_show_only_the_shops_own_rows(alpha_owner, path, own, others):
    page = alpha_owner.get(path).get_data(as_text=True)

    assert ([text in page for text in own], [text in page for text in others]) == (
        [True] * len(own),
        [False] * len(others),
    )
