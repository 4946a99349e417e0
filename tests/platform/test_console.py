"""The platform console: admins only, every shop at a glance, searchable, paginated, and every listing audited."""

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenant import Tenant, TenantStatus
from tests.factories import PASSWORD, fresh_totp_code, log_in
from tests.fixtures.pages import flashes, redirect_path
from tests.fixtures.shops import user_by_email
from tests.platform.helpers import audit_entries, shop_lines

REFUSAL = "Those credentials do not match a platform admin."


def test_admin_logs_in_with_the_second_factor_and_lands_on_the_shops_list(admin_client, admin):
    response = admin_client.post("/login", data={"email": admin.email, "password": PASSWORD})
    assert redirect_path(response) == "/login/second-factor"

    code = fresh_totp_code(admin_client, admin.email)
    assert redirect_path(admin_client.post("/login/second-factor", data={"code": code})) == "/"
    page = admin_client.get("/")
    assert page.status_code == 200
    assert "Shops" in page.get_data(as_text=True)


def test_admin_login_is_audited(admin_client, admin, app):
    log_in(admin_client, admin.email)

    [entry] = audit_entries(app, "login")
    assert (entry.admin_id, entry.ip_address) == (admin.id, "127.0.0.1")


def test_wrong_admin_password_is_refused(admin_client, admin):
    response = admin_client.post("/login", data={"email": admin.email, "password": "not-the-password"})

    assert response.status_code == 401
    assert REFUSAL in flashes(response)


def test_shop_staff_credentials_do_not_work_at_the_console(admin_client, factory):
    shop = factory.tenant("acme")

    response = admin_client.post("/login", data={"email": factory.owner(shop).email, "password": PASSWORD})

    assert response.status_code == 401
    assert REFUSAL in flashes(response)
    assert redirect_path(admin_client.get("/")).startswith("/login")


def test_console_sends_visitors_who_are_not_logged_in_to_its_login(admin_client):
    response = admin_client.get("/?q=acme")

    target = urlsplit(response.headers["Location"])
    assert response.status_code == 302
    assert target.netloc in ("", "admin.workbay.test")
    assert target.path == "/login"
    assert parse_qs(target.query) == {"next": ["/?q=acme"]}


def test_logging_out_of_the_console_ends_the_session(console):
    assert redirect_path(console.post("/logout")) == "/login"
    assert redirect_path(console.get("/")).startswith("/login")


def set_status(app, subdomain: str, status: TenantStatus) -> None:
    with app.app_context():
        db.session.execute(update(Tenant).where(Tenant.subdomain == subdomain).values(status=status))
        db.session.commit()


def test_shops_list_shows_name_subdomain_status_trial_end_and_active_staff(console, factory, login_as, app):
    acme = factory.tenant("acme", name="Acme Repairs")
    for role in (Role.MANAGER, Role.TECHNICIAN, Role.TECHNICIAN):
        factory.user(acme, role)
    globex = factory.tenant("globex", name="Globex Garage")
    leaver = factory.user(globex, Role.TECHNICIAN)
    login_as(factory.owner(globex), "globex").post(f"/staff/{leaver.id}/access", data={"active": "0"})
    factory.tenant("initech", name="Initech & Sons")
    set_status(app, "initech", TenantStatus.PAST_DUE)

    lines = {line.subdomain: line for line in shop_lines(console.get("/"))}

    assert set(lines) == {"acme", "globex", "initech"}
    assert (lines["acme"].name, lines["acme"].status, lines["acme"].staff) == ("Acme Repairs", "trialing", 4)
    assert (lines["globex"].name, lines["globex"].staff) == ("Globex Garage", 1)
    assert (lines["initech"].name, lines["initech"].status, lines["initech"].staff) == ("Initech & Sons", "past due", 1)
    with app.app_context():
        trial_end = db.session.get(Tenant, acme.id).trial_ends_at
    assert lines["acme"].trial_ends == f"{trial_end:%d %b %Y}"
    assert 'Shops <span class="muted">(3)</span>' in console.get("/").get_data(as_text=True)


def test_shops_list_shows_the_newest_shop_first(console, factory):
    for subdomain in ("first", "second", "third"):
        factory.tenant(subdomain)

    assert [line.subdomain for line in shop_lines(console.get("/"))] == ["third", "second", "first"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("garage", ["gx"]),
        ("GARAGE", ["gx"]),
        ("acme", ["acme"]),
        ("initech", ["initech"]),
    ],
)
def test_search_finds_shops_by_name_or_subdomain(console, factory, search, found):
    factory.tenant("acme", name="Acme Repairs")
    factory.tenant("gx", name="Globex Garage")
    factory.tenant("initech", name="Office Fixers")

    response = console.get("/", query_string={"q": search})

    assert [line.subdomain for line in shop_lines(response)] == found


def test_search_without_a_match_says_so(console, factory):
    factory.tenant("acme")

    page = console.get("/", query_string={"q": "nothing-like-this"}).get_data(as_text=True)

    assert "No shop matches “nothing-like-this”." in page


def test_search_takes_percent_and_underscore_literally(console, factory):
    factory.tenant("tyres", name="100% Tyres")
    factory.tenant("bikes", name="1000 Bikes")
    factory.tenant("fix-it", name="Fix_It")
    factory.tenant("fixit", name="FixIt")

    assert [line.subdomain for line in shop_lines(console.get("/", query_string={"q": "100%"}))] == ["tyres"]
    assert [line.subdomain for line in shop_lines(console.get("/", query_string={"q": "fix_"}))] == ["fix-it"]


def test_shops_list_shows_25_shops_a_page(console, factory):
    for number in range(1, 28):
        factory.tenant(f"shop{number:02d}")

    first = console.get("/")
    second = console.get("/", query_string={"page": 2})

    assert [line.subdomain for line in shop_lines(first)] == [f"shop{number:02d}" for number in range(27, 2, -1)]
    assert [line.subdomain for line in shop_lines(second)] == ["shop02", "shop01"]
    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert "Page 2 of 2" in second.get_data(as_text=True)
    assert shop_lines(console.get("/", query_string={"page": 99})) == shop_lines(second)
    assert shop_lines(console.get("/", query_string={"page": "x"})) == shop_lines(first)


def test_every_listing_is_audited_with_admin_search_page_and_address(console, admin, factory, app):
    factory.tenant("acme")

    console.get("/")
    console.get("/", query_string={"q": "acme", "page": 1}, environ_base={"REMOTE_ADDR": "198.51.100.7"})

    entries = audit_entries(app, "shops.list")
    assert [(entry.admin_id, entry.detail, entry.ip_address) for entry in entries] == [
        (admin.id, "all shops; page 1", "127.0.0.1"),
        (admin.id, "q=acme; page 1", "198.51.100.7"),
    ]


def test_the_console_changes_nothing_in_the_shops(console, factory, app):
    shop = factory.tenant("acme")
    owner = factory.owner(shop)

    console.get("/")

    assert user_by_email(app, shop.id, owner.email).last_login_at is None


def test_public_site_and_shop_hosts_do_not_serve_the_console(console, client, factory, shop_client):
    factory.tenant("acme", name="Acme Repairs")

    landing = client.get("/")
    assert landing.status_code == 200 and shop_lines(landing) == []
    assert client.get("/login").status_code == 404
    shop_home = shop_client("acme").get("/")
    assert redirect_path(shop_home).startswith("/login")


def test_admin_credentials_do_not_work_at_a_shop(admin, factory, shop_client):
    factory.tenant("acme")

    response = shop_client("acme").post("/login", data={"email": admin.email, "password": PASSWORD})

    assert response.status_code == 401


def test_an_admin_session_is_worthless_at_a_shop(console, factory, shop_client):
    factory.tenant("acme")
    cookie = console.get_cookie("workbay_session", domain="admin.workbay.test")
    shop = shop_client("acme")

    shop.set_cookie("workbay_session", cookie.value, domain="acme.workbay.test")

    assert redirect_path(shop.get("/")).startswith("/login")


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/invitations/some-token"), ("POST", "/forgot-password"), ("GET", "/customers"), ("GET", "/staff")],
)
def test_the_console_host_does_not_serve_shop_pages(console, method, path):
    response = console.open(path, method=method, data={"email": "someone@example.com"})

    assert response.status_code == 404
