"""Invitations: owners and managers invite staff by e-mail with a role; the link works once, until it expires."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.auth.models import Invitation
from saas.auth.roles import Role
from saas.core.db import utcnow
from tests.auth.helpers import invitations_of
from tests.factories import PASSWORD
from tests.fixtures.database import shop_session
from tests.fixtures.pages import field_errors, flashes, redirect_path, tampered
from tests.fixtures.shops import user_by_email

INVITEE = "ivy@example.com"
INVITEE_PASSWORD = "ivy-secret-password"
LISTED = f"{INVITEE} · Manager"  # how the staff page lists Ivy's open invitation
NO_LONGER_VALID = "This invitation is no longer valid. Ask the shop for a new one."


def invite(client, email: str = INVITEE, role: Role | str = Role.TECHNICIAN):
    return client.post("/staff/invite", data={"email": email, "role": str(role)})


def accept(client, link: str, name: str = "Ivy Newcomer", password: str = INVITEE_PASSWORD):
    return client.post(link, data={"name": name, "password": password, "confirm": password})


@pytest.fixture
def invitation_link(owner_client, outbox):
    """Acme's owner invites Ivy as a manager; the link from her mail."""
    invite(owner_client, role=Role.MANAGER)
    return outbox.link_in_last_to(INVITEE)


def open_invitation_count_on_dashboard(client) -> int:
    page = client.get("/").get_data(as_text=True)
    return int(re.search(r'stat-value">(\d+)</span><span class="stat-label">open invitations', page).group(1))


def test_owner_invites_someone_who_gets_a_mail_with_a_link(owner_client, outbox):
    response = invite(owner_client, role=Role.MANAGER)

    assert redirect_path(response) == "/staff"
    assert f"Invitation sent to {INVITEE}." in flashes(owner_client.get("/staff"))
    mail = outbox.last_to(INVITEE)
    assert mail["Subject"] == "Owner acme invited you to Acme Repairs on Workbay"
    assert "as manager" in mail.get_content()
    assert outbox.link_in_last_to(INVITEE).startswith("http://acme.workbay.test/invitations/")


def test_open_invitation_is_listed_on_the_staff_page(invitation_link, owner_client):
    assert LISTED in owner_client.get("/staff").get_data(as_text=True)


def test_invitee_sets_name_and_password_and_joins_with_the_role_logged_in(invitation_link, shop_client, app, shop):
    client = shop_client("acme")
    form = client.get(invitation_link)
    assert form.status_code == 200
    assert INVITEE in form.get_data(as_text=True)

    response = accept(client, invitation_link)

    assert redirect_path(response) == "/"
    dashboard = client.get("/")
    assert "Welcome to Acme Repairs, Ivy Newcomer." in flashes(dashboard)
    assert "Ivy Newcomer · Manager" in dashboard.get_data(as_text=True)
    member = user_by_email(app, shop.id, INVITEE)
    assert (member.name, member.role, member.is_active_account) == ("Ivy Newcomer", Role.MANAGER, True)
    assert member.email_verified_at is not None
    assert shop_client("acme").post("/login", data={"email": INVITEE, "password": INVITEE_PASSWORD}).status_code == 302


def test_invitation_link_works_only_once(invitation_link, shop_client, app, shop):
    accept(shop_client("acme"), invitation_link)
    client = shop_client("acme")

    opened_again = client.get(invitation_link)
    used_again = accept(client, invitation_link, name="Someone Else", password="another-password")

    assert redirect_path(opened_again) == redirect_path(used_again) == "/login"
    assert NO_LONGER_VALID in flashes(client.get("/login"))
    assert user_by_email(app, shop.id, INVITEE).name == "Ivy Newcomer"


def test_withdrawn_invitation_link_no_longer_works(invitation_link, owner_client, shop_client, app, shop):
    invitation = invitations_of(app, shop.id)[0]

    response = owner_client.post(f"/staff/invitations/{invitation.id}/revoke", follow_redirects=True)

    assert f"Invitation for {INVITEE} withdrawn." in flashes(response)
    assert LISTED not in response.get_data(as_text=True)
    client = shop_client("acme")
    assert redirect_path(accept(client, invitation_link)) == "/login"
    assert NO_LONGER_VALID in flashes(client.get("/login"))
    assert user_by_email(app, shop.id, INVITEE) is None


def test_inviting_the_same_address_again_replaces_the_earlier_link(owner_client, outbox, shop_client, app, shop):
    invite(owner_client, role=Role.TECHNICIAN)
    first_link = outbox.link_in_last_to(INVITEE)
    invite(owner_client, role=Role.SERVICE_ADVISOR)
    second_link = outbox.link_in_last_to(INVITEE)

    assert redirect_path(accept(shop_client("acme"), first_link)) == "/login"
    assert redirect_path(accept(shop_client("acme"), second_link)) == "/"
    assert user_by_email(app, shop.id, INVITEE).role == Role.SERVICE_ADVISOR


def expire_invitations(app, tenant_id: int) -> None:
    """Let every invitation of the shop run out (as if its days had passed)."""
    with shop_session(app, tenant_id) as session:
        for invitation in session.scalars(select(Invitation)):
            invitation.expires_at = utcnow() - timedelta(minutes=1)
        session.commit()


def test_expired_invitation_link_no_longer_works(invitation_link, shop_client, app, shop, owner_client):
    expire_invitations(app, shop.id)

    client = shop_client("acme")
    assert redirect_path(client.get(invitation_link)) == "/login"
    assert redirect_path(accept(client, invitation_link)) == "/login"
    assert user_by_email(app, shop.id, INVITEE) is None
    assert LISTED not in owner_client.get("/staff").get_data(as_text=True)


def test_invitation_lasts_seven_days(invitation_link, app, shop):
    invitation = invitations_of(app, shop.id)[0]

    assert abs(invitation.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)


def test_expired_invitation_is_not_counted_as_open_on_the_dashboard(invitation_link, owner_client, app, shop):
    assert open_invitation_count_on_dashboard(owner_client) == 1

    expire_invitations(app, shop.id)

    assert open_invitation_count_on_dashboard(owner_client) == 0


def test_tampered_invitation_link_does_not_work(invitation_link, shop_client, app, shop):
    client = shop_client("acme")

    assert redirect_path(accept(client, tampered(invitation_link))) == "/login"
    assert user_by_email(app, shop.id, INVITEE) is None


def test_invitee_must_choose_a_proper_password(invitation_link, shop_client, app, shop):
    client = shop_client("acme")

    too_short = accept(client, invitation_link, password="short")
    the_email = accept(client, invitation_link, password=INVITEE)

    assert too_short.status_code == the_email.status_code == 400
    assert "Use at least 10 characters." in field_errors(too_short)
    assert "Your password cannot be your e-mail address." in field_errors(the_email)
    assert user_by_email(app, shop.id, INVITEE) is None


@pytest.mark.parametrize("role", [Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_manager_invites_service_advisors_and_technicians(factory, shop, login_as, outbox, role):
    manager = login_as(factory.user(shop, Role.MANAGER))

    assert redirect_path(invite(manager, role=role)) == "/staff"
    assert outbox.last_to(INVITEE)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.OWNER])
def test_manager_cannot_invite_a_manager_or_an_owner(factory, shop, login_as, outbox, app, role):
    manager = login_as(factory.user(shop, Role.MANAGER))

    response = invite(manager, role=role)

    assert response.status_code == 400
    assert "Please correct the invitation below." in flashes(response)
    assert invitations_of(app, shop.id) == []
    assert outbox.messages == []


@pytest.mark.parametrize("role", [Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_service_advisors_and_technicians_may_not_see_staff_or_invite(factory, shop, login_as, app, role):
    client = login_as(factory.user(shop, role))

    assert client.get("/staff").status_code == 403
    assert invite(client, role=Role.TECHNICIAN).status_code == 403
    assert invitations_of(app, shop.id) == []


def test_inviting_someone_already_on_staff_is_refused(owner_client, factory, shop, outbox, app):
    technician = factory.user(shop, Role.TECHNICIAN)

    response = invite(owner_client, email=technician.email.upper(), role=Role.MANAGER)

    assert response.status_code == 400
    assert "This person is already on your staff." in field_errors(response)
    assert invitations_of(app, shop.id) == []
    assert outbox.messages == []


def test_same_address_invited_at_two_shops_becomes_two_separate_accounts(
    owner_client, login_as, factory, other_shop, outbox, shop_client, app, shop
):
    invite(owner_client, role=Role.TECHNICIAN)
    accept(shop_client("acme"), outbox.link_in_last_to(INVITEE), name="Ivy at Acme", password="acme-password-1")
    invite(login_as(factory.owner(other_shop), "globex"), role=Role.MANAGER)
    accept(shop_client("globex"), outbox.link_in_last_to(INVITEE), name="Ivy at Globex", password="globex-password-1")

    at_acme = user_by_email(app, shop.id, INVITEE)
    at_globex = user_by_email(app, other_shop.id, INVITEE)
    assert at_acme.id != at_globex.id
    assert (at_acme.name, at_acme.role) == ("Ivy at Acme", Role.TECHNICIAN)
    assert (at_globex.name, at_globex.role) == ("Ivy at Globex", Role.MANAGER)

    def logs_in(subdomain: str, password: str) -> bool:
        response = shop_client(subdomain).post("/login", data={"email": INVITEE, "password": password})
        return response.status_code == 302

    assert logs_in("acme", "acme-password-1") and logs_in("globex", "globex-password-1")
    assert not logs_in("acme", "globex-password-1") and not logs_in("globex", "acme-password-1")
    assert not logs_in("acme", PASSWORD)
