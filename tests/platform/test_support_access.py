"""Support access: an admin enters a shop as one of its staff, with a reason, for a limited time, read-only
unless the owner allows changes, under a banner on every page; the link in works once and on its shop only."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, text

from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers import services as customer_services
from saas.customers.models import Customer
from saas.platform.models import SupportVisit, SupportVisitPage
from tests.factories import log_in
from tests.fixtures.database import shop_session, snapshot
from tests.fixtures.pages import field_errors, flashes, redirect_path
from tests.fixtures.shops import update_shop
from tests.platform.helpers import audit_entries

REASON = "The owner asked why an invoice total looks wrong (ticket 4711)."
BANNER = "Workbay support visit:"
READ_ONLY = "read-only support visit"


# --- helpers (also used by test_support_access_log.py) ------------------------------------------


def start_visit(console, shop, user, reason: str = REASON, minutes: int | None = 30, confirm: bool = True):
    """POST the console's form "Enter the shop as…"; answers the console's response."""
    data = {"user_id": str(user.id), "reason": reason}
    if minutes is not None:
        data["minutes"] = str(minutes)
    if confirm:
        data["confirm"] = "y"
    return console.post(f"/shops/{shop.id}/support", data=data)


def enter_link(response) -> str:
    """The path of the one-time link the console sends the admin's browser to."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return urlsplit(response.headers["Location"]).path


def enter_shop(console, shop_client, shop, user, **form):
    """Start a visit and follow its link on the shop's host: that host's client, in the visit."""
    response = start_visit(console, shop, user, **form)
    assert urlsplit(response.headers["Location"]).netloc == f"{shop.subdomain}.workbay.test"
    browser = shop_client(shop.subdomain)
    entered = browser.get(enter_link(response))
    assert redirect_path(entered) == "/", entered.status_code
    return browser


def visits(app, tenant_id: int) -> list[SupportVisit]:
    """The shop's visits, oldest first, with their pages."""
    with shop_session(app, tenant_id) as session:
        found = session.scalars(select(SupportVisit).order_by(SupportVisit.id)).all()
        for visit in found:
            _ = visit.pages
        session.expunge_all()
        return list(found)


def run_out(superuser_engine, tenant_id: int) -> None:
    """Every visit of the shop reached its end time a minute ago."""
    with superuser_engine.begin() as conn:
        conn.execute(
            text("UPDATE support_visits SET expires_at = now() - interval '1 minute' WHERE tenant_id = :t"),
            {"t": tenant_id},
        )


def add_visits(app, tenant_id: int, user_id: int, count: int, first: int = 0) -> None:
    """`count` finished visits (numbered from `first`) with two pages each, straight into the shop's tables."""
    with app.test_request_context(), tenant_scope(tenant_id):
        start = utcnow() - timedelta(days=1)
        for n in range(first, first + count):
            visit = SupportVisit(
                admin_id=None,
                admin_name=f"Admin {n}",
                admin_email=f"admin{n}@workbay.example.com",
                user_id=user_id,
                reason=f"Looking into ticket {n} for the owner",
                started_at=start + timedelta(minutes=n),
                expires_at=start + timedelta(minutes=n + 30),
                entered_at=start + timedelta(minutes=n),
                ended_at=start + timedelta(minutes=n + 5),
            )
            db.session.add(visit)
            db.session.flush()
            for path in ("/", "/customers"):
                db.session.add(SupportVisitPage(visit_id=visit.id, method="GET", path=path, status=200))
        db.session.commit()


def customer_count(app, tenant_id: int) -> int:
    with app.test_request_context(), tenant_scope(tenant_id):
        return db.session.scalar(select(func.count()).select_from(Customer))


# --- starting a visit ------------------------------------------------------------------------


def test_admin_enters_a_shop_as_its_technician_and_sees_the_dashboard_under_the_banner(
    console, shop_client, shop, technician, app
):
    browser = enter_shop(console, shop_client, shop, technician)

    page = browser.get("/").get_data(as_text=True)
    assert BANNER in page
    assert "Root is here as Theo Tech" in page and "read-only" in page
    assert "Theo Tech · Technician" in page  # every permission works as the technician
    [visit] = visits(app, shop.id)
    assert (visit.user_id, visit.reason, visit.write_allowed) == (technician.id, REASON, False)
    assert visit.entered_at is not None and visit.ended_at is None
    assert round((visit.expires_at - visit.started_at).total_seconds()) == 30 * 60


def test_a_visit_lasts_thirty_minutes_unless_the_admin_chooses(console, shop, technician, app):
    form = console.get(f"/shops/{shop.id}/support").get_data(as_text=True)
    assert re.search(r'name="minutes"[^>]*value="30"', form)

    start_visit(console, shop, technician, minutes=45)

    [visit] = visits(app, shop.id)
    assert round((visit.expires_at - visit.started_at).total_seconds()) == 45 * 60


def test_a_visit_needs_a_reason_and_a_confirmation(console, shop, technician, app, outbox):
    no_reason = start_visit(console, shop, technician, reason="")
    unconfirmed = start_visit(console, shop, technician, confirm=False)

    assert no_reason.status_code == unconfirmed.status_code == 400
    assert "Say why: the reason goes into the audit trail." in field_errors(no_reason)
    assert "Tick the box to confirm." in field_errors(unconfirmed)
    assert visits(app, shop.id) == [] and outbox.messages == []
    assert audit_entries(app, "shops.support_access") == []


def test_a_visit_longer_than_two_hours_is_refused(console, shop, technician, app):
    response = start_visit(console, shop, technician, minutes=500)

    assert response.status_code == 400
    assert "Choose between 5 and 120 minutes." in field_errors(response)
    assert visits(app, shop.id) == []


def test_every_active_owner_is_mailed_who_why_and_until_when(console, factory, shop, technician, owner, outbox):
    second_owner = factory.user(shop, Role.OWNER, name="Olga Owner")
    factory.user(shop, Role.MANAGER)

    start_visit(console, shop, technician)

    assert sorted(m["To"] for m in outbox.messages) == sorted([owner.email, second_owner.email])
    body = outbox.last_to(second_owner.email).get_content()
    assert "Root of Workbay support (root@workbay.example.com) is entering Shop acme as Theo Tech" in body
    assert REASON in body
    assert "The visit lasts 30 minutes, until" in body and "read-only" in body
    assert "http://acme.workbay.test/settings/support-access" in body


def test_starting_a_visit_is_in_the_platform_audit_trail_with_its_reason(console, shop, technician, admin, app):
    start_visit(console, shop, technician)

    [entry] = audit_entries(app, "shops.support_access")
    assert (entry.admin_id, entry.shop_id, entry.reason) == (admin.id, shop.id, REASON)
    assert entry.after["user_id"] == technician.id and entry.after["write_allowed"] is False


def test_a_staff_member_of_another_shop_cannot_be_chosen(console, shop, other_shop, factory, app, outbox):
    stranger = factory.user(other_shop, Role.OWNER)

    response = start_visit(console, shop, stranger)

    assert response.status_code == 400
    assert "Choose an active staff member of this shop." in field_errors(response)
    assert visits(app, shop.id) == [] and visits(app, other_shop.id) == [] and outbox.messages == []


def test_a_staff_member_who_left_cannot_be_chosen(console, shop, technician, owner_client, app):
    owner_client.post(f"/staff/{technician.id}/access", data={"active": "0"})

    response = start_visit(console, shop, technician)

    assert response.status_code == 400
    assert "Choose an active staff member of this shop." in field_errors(response)
    assert visits(app, shop.id) == []


def test_a_suspended_shop_cannot_be_entered(console, shop, technician, app):
    update_shop(app, shop.id, suspended_at=utcnow())

    response = start_visit(console, shop, technician)

    assert response.status_code == 409
    assert "This shop is suspended" in response.get_data(as_text=True)
    assert visits(app, shop.id) == []


def test_an_unknown_shop_is_404(console, technician):
    assert console.post("/shops/999999/support", data={"user_id": technician.id, "reason": REASON}).status_code == 404


def test_a_support_role_admin_may_start_a_visit(admin_client, factory, shop_client, shop, technician, app):
    helper = factory.platform_admin("helper@workbay.example.com", role="support")
    log_in(admin_client, helper.email)

    enter_shop(admin_client, shop_client, shop, technician)

    [visit] = visits(app, shop.id)
    assert visit.admin_email == "helper@workbay.example.com"


def test_anonymous_visitors_and_shop_staff_cannot_use_the_console_support_routes(
    admin_client, shop_client, owner_client, shop, technician, app
):
    assert redirect_path(admin_client.get(f"/shops/{shop.id}/support")).startswith("/login")
    assert redirect_path(start_visit(admin_client, shop, technician)).startswith("/login")
    # On the shop's own host the console's routes do not exist; the shop's session is worthless on the console.
    assert start_visit(owner_client, shop, technician).status_code == 404
    cookie = owner_client.get_cookie("workbay_session", domain="acme.workbay.test")
    admin_client.set_cookie("workbay_session", cookie.value, domain="admin.workbay.test")
    assert redirect_path(start_visit(admin_client, shop, technician)).startswith("/login")
    assert visits(app, shop.id) == []


def test_the_consoles_shop_page_offers_the_shops_active_staff_and_lists_recent_visits(
    console, shop_client, shop, other_shop, factory, technician
):
    factory.user(other_shop, Role.TECHNICIAN, name="Bravo Person")
    enter_shop(console, shop_client, shop, technician)

    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "Enter the shop as this person" in page
    assert "Theo Tech (Technician)" in page and "Bravo Person" not in page
    assert REASON in page  # the recent visits


def test_the_consoles_support_panel_takes_as_many_queries_for_30_visits_as_for_3(
    console, shop, technician, app, count_queries
):
    add_visits(app, shop.id, technician.id, 3)
    with count_queries() as few:
        assert console.get(f"/shops/{shop.id}").status_code == 200
    add_visits(app, shop.id, technician.id, 27, first=3)
    with count_queries() as many:
        page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "Looking into ticket 29" in page and "Looking into ticket 19" not in page  # the latest ten
    assert many.count == few.count


# --- during the visit ----------------------------------------------------------------------------


def test_the_banner_shows_on_every_page_while_the_visit_lasts(console, shop_client, shop, owner, customer):
    browser = enter_shop(console, shop_client, shop, owner)

    for path in (
        "/",
        "/customers",
        f"/customers/{customer.id}",
        "/work-orders",
        "/settings",
        "/settings/support-access",
    ):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert BANNER in response.get_data(as_text=True), path
        assert 'action="/support/end"' in response.get_data(as_text=True), path


def test_a_read_only_visit_refuses_writes_and_changes_nothing(
    console, shop_client, shop, owner, superuser_engine, tenant_tables
):
    browser = enter_shop(console, shop_client, shop, owner)
    before = snapshot(superuser_engine, tenant_tables, shop.id)

    created = browser.post("/customers/new", data={"name": "Not Allowed"})
    settings = browser.post("/settings", data={"name": "Renamed by support"})

    for response in (created, settings):
        assert response.status_code == 403
        assert READ_ONLY in response.get_data(as_text=True).lower()
        assert "Settings › Support access" in response.get_data(as_text=True)
    after = snapshot(superuser_engine, tenant_tables, shop.id)
    pages = after.pop("support_visit_pages")
    before.pop("support_visit_pages")
    assert after == before
    assert [(p["method"], p["path"], p["status"]) for p in pages] == [
        ("POST", "/customers/new", 403),
        ("POST", "/settings", 403),
    ]


def test_a_visit_may_make_changes_when_the_owner_allowed_it(console, shop_client, shop, owner, app):
    update_shop(app, shop.id, support_write_allowed=True)
    browser = enter_shop(console, shop_client, shop, owner)

    response = browser.post("/customers/new", data={"name": "Added By Support"})

    assert response.status_code == 302
    assert customer_count(app, shop.id) == 1
    assert "changes allowed" in browser.get("/").get_data(as_text=True)


def test_a_refused_request_of_a_visit_is_kept_in_its_log_but_its_changes_are_not(
    console, shop_client, shop, owner, app, monkeypatch
):
    update_shop(app, shop.id, support_write_allowed=True)
    browser = enter_shop(console, shop_client, shop, owner)
    save_customer = customer_services.save_customer

    def save_then_refuse(*args, **kwargs):
        save_customer(*args, **kwargs)  # flushed into the request's transaction
        raise ServiceError("Refused after saving.", status=409)

    monkeypatch.setattr(customer_services, "save_customer", save_then_refuse)

    response = browser.post("/customers/new", data={"name": "Half Saved"})

    assert response.status_code == 409
    assert customer_count(app, shop.id) == 0
    [visit] = visits(app, shop.id)
    assert [(p.method, p.path, p.status) for p in visit.pages] == [("POST", "/customers/new", 409)]


def test_the_owners_choice_applies_to_visits_started_afterwards(
    console, shop_client, shop, owner, owner_client, technician, app
):
    browser = enter_shop(console, shop_client, shop, owner)

    owner_client.post("/settings/support-access", data={"write_allowed": "on"})

    assert browser.post("/customers/new", data={"name": "Still Refused"}).status_code == 403
    later = enter_shop(console, shop_client, shop, owner)
    assert later.post("/customers/new", data={"name": "Now Allowed"}).status_code == 302
    assert customer_count(app, shop.id) == 1


def test_support_cannot_allow_itself_to_make_changes(console, shop_client, shop, owner, app):
    browser = enter_shop(console, shop_client, shop, owner)

    response = browser.post("/settings/support-access", data={"write_allowed": "on"})

    assert response.status_code == 403
    with shop_session(app, shop.id) as session:
        assert session.scalar(text("SELECT support_write_allowed FROM tenants")) is False


def test_support_cannot_change_the_switch_even_with_changes_allowed(console, shop_client, shop, owner, app):
    update_shop(app, shop.id, support_write_allowed=True)
    browser = enter_shop(console, shop_client, shop, owner)

    response = browser.post("/settings/support-access", data={})

    assert response.status_code == 403
    assert "Only the shop's own staff can change this, not Workbay support." in flashes(response)
    with shop_session(app, shop.id) as session:
        assert session.scalar(text("SELECT support_write_allowed FROM tenants")) is True


# --- the end of a visit ----------------------------------------------------------------------------


def test_the_visit_ends_when_its_time_is_up(console, shop_client, shop, technician, superuser_engine):
    browser = enter_shop(console, shop_client, shop, technician)
    run_out(superuser_engine, shop.id)

    response = browser.get("/customers")

    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Support visit ended" in page and BANNER not in page
    assert redirect_path(browser.get("/customers")).startswith("/login")


def test_ending_the_visit_logs_out_and_returns_to_the_consoles_shop_page(console, shop_client, shop, technician, app):
    browser = enter_shop(console, shop_client, shop, technician)

    response = browser.post("/support/end")

    assert response.status_code == 303
    assert response.headers["Location"] == f"http://admin.workbay.test/shops/{shop.id}"
    assert redirect_path(browser.get("/")).startswith("/login")
    [visit] = visits(app, shop.id)
    assert visit.ended_at is not None
    assert console.get(response.headers["Location"]).status_code == 200


def test_logging_out_during_a_visit_ends_it(console, shop_client, shop, technician, app):
    browser = enter_shop(console, shop_client, shop, technician)

    assert redirect_path(browser.post("/logout")) == "/login"

    [visit] = visits(app, shop.id)
    assert visit.ended_at is not None


def test_ending_a_visit_needs_one(shop_client, owner_client, shop):
    assert shop_client("acme").post("/support/end").status_code == 404
    assert owner_client.post("/support/end").status_code == 404


# --- the one-time link ------------------------------------------------------------------------------


def test_the_link_into_the_shop_works_once(console, shop_client, shop, technician):
    link = enter_link(start_visit(console, shop, technician))
    assert redirect_path(shop_client("acme").get(link)) == "/"

    replayed = shop_client("acme")
    response = replayed.get(link)

    assert response.status_code == 404
    assert redirect_path(replayed.get("/")).startswith("/login")


def test_the_link_of_one_shop_logs_nobody_in_on_another(console, shop_client, shop, other_shop, technician, app):
    link = enter_link(start_visit(console, shop, technician))
    elsewhere = shop_client("bravo")

    assert elsewhere.get(link).status_code == 404
    assert redirect_path(elsewhere.get("/")).startswith("/login")
    [visit] = visits(app, shop.id)
    assert visit.entered_at is None  # still good for its own shop
    assert redirect_path(shop_client("acme").get(link)) == "/"


def test_an_old_or_tampered_link_logs_nobody_in(console, shop_client, shop, technician, clock_ahead):
    link = enter_link(start_visit(console, shop, technician))
    head, _, token = link.rpartition("/")

    assert shop_client("acme").get(f"{head}/{'B' if token[0] == 'A' else 'A'}{token[1:]}").status_code == 404
    with clock_ahead(3 * 60):
        assert shop_client("acme").get(link).status_code == 404


def test_a_link_of_a_visit_that_ran_out_before_it_was_used_is_refused(
    console, shop_client, shop, technician, superuser_engine
):
    link = enter_link(start_visit(console, shop, technician))
    run_out(superuser_engine, shop.id)

    assert shop_client("acme").get(link).status_code == 404


def test_a_support_session_cookie_replayed_on_another_shops_host_logs_nobody_in(
    console, shop_client, shop, other_shop, technician, factory
):
    factory.user(other_shop, Role.TECHNICIAN)
    browser = enter_shop(console, shop_client, shop, technician)
    cookie = browser.get_cookie("workbay_session", domain="acme.workbay.test")
    elsewhere = shop_client("bravo")
    elsewhere.set_cookie("workbay_session", cookie.value, domain="bravo.workbay.test")

    response = elsewhere.get("/")

    assert redirect_path(response).startswith("/login")
    assert BANNER in browser.get("/").get_data(as_text=True)  # the visit itself goes on in its shop


def test_a_visit_that_ended_cannot_be_resumed_by_its_old_cookie(console, shop_client, shop, technician, app):
    browser = enter_shop(console, shop_client, shop, technician)
    cookie = browser.get_cookie("workbay_session", domain="acme.workbay.test")
    browser.post("/support/end")
    replayed = shop_client("acme")
    replayed.set_cookie("workbay_session", cookie.value, domain="acme.workbay.test")

    response = replayed.get("/")

    assert response.status_code == 401 and BANNER not in response.get_data(as_text=True)


def test_deactivating_the_staff_member_ends_the_visit(console, shop_client, shop, technician, app):
    browser = enter_shop(console, shop_client, shop, technician)
    with shop_session(app, shop.id) as session:
        session.execute(text("UPDATE users SET is_active_account = false WHERE id = :u"), {"u": technician.id})
        session.commit()

    assert browser.get("/").status_code == 401
