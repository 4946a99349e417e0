"""`flask demo seed`: a demo shop with staff and customers plus a platform admin, created once."""

from sqlalchemy import func, select

from saas.auth.models import User
from saas.core.extensions import db
from saas.customers.models import Customer
from saas.platform.models import PlatformAdmin
from tests.fixtures.database import shop_session
from tests.onboarding.helpers import all_tenants, tenant_at


def demo_contents(app) -> dict:
    """What the demo seed leaves in the database."""
    tenant = tenant_at(app, "demo")
    with shop_session(app, tenant.id) as session:
        staff = {(user.email, user.role) for user in session.scalars(select(User))}
        customers = session.scalar(select(func.count()).select_from(Customer))
    with app.app_context():
        admins = list(db.session.scalars(select(PlatformAdmin.email)))
    return {"shop": tenant.name, "staff": staff, "customers": customers, "admins": admins}


def printed_logins(output: str) -> list[tuple[str, str, str]]:
    """(where, e-mail, password) from the lines the command prints after its summary."""
    logins = []
    for line in output.splitlines()[1:]:
        *where, email, password = line.split()
        logins.append((" ".join(where), email, password))
    return logins


def test_seed_creates_the_demo_shop_its_staff_customers_and_an_admin(flask_cli, app):
    result = flask_cli("demo", "seed", "--customers", "5", "--work-orders", "8")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Demo data created."
    assert demo_contents(app) == {
        "shop": "Demo Auto & Device Repair",
        "staff": {
            ("owner@demo.example.com", "owner"),
            ("manager@demo.example.com", "manager"),
            ("advisor@demo.example.com", "service_advisor"),
            ("tech@demo.example.com", "technician"),
            ("tech2@demo.example.com", "technician"),
        },
        "customers": 5,
        "admins": ["admin@workbay.example.com"],
    }


def test_the_printed_demo_logins_work(flask_cli, shop_client, admin_client):
    result = flask_cli("demo", "seed", "--customers", "1", "--work-orders", "2")

    logins = printed_logins(result.output)
    assert [where for where, _, _ in logins] == [
        "platform",
        "Owner",
        "Manager",
        "Service advisor",
        "Technician",
        "Technician",
    ]
    for where, email, password in logins:
        client = admin_client if where == "platform" else shop_client("demo")
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, (where, email)


def test_seeding_again_says_there_is_nothing_to_do_and_changes_nothing(flask_cli, app):
    flask_cli("demo", "seed", "--customers", "5", "--work-orders", "8")
    before = demo_contents(app)

    result = flask_cli("demo", "seed", "--customers", "5", "--work-orders", "8")

    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Demo data already present; nothing to do."
    assert demo_contents(app) == before
    assert [tenant.subdomain for tenant in all_tenants(app)] == ["demo"]
