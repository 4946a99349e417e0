"""Console actions on a shop: extend the trial, set or comp a plan, suspend and reactivate. Each one is
confirmed, says why, and leaves an audit entry with the shop's state before and after."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.billing.access import access_for
from saas.billing.models import Subscription
from saas.billing.trial import end_due_comp
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant, TenantStatus
from tests.factories import log_in
from tests.fixtures.pages import field_errors, flashes
from tests.platform.helpers import audit_entries
from tests.platform.test_shops_list import change_shop, subscribe

REASON = "The owner asked on the phone, ticket 4521"


def reasoned(prefix: str, **fields) -> dict:
    return {f"{prefix}-reason": REASON, f"{prefix}-confirm": "y", **{f"{prefix}-{k}": v for k, v in fields.items()}}


def shop_state(app, tenant_id: int) -> tuple[Tenant, Subscription | None]:
    with app.test_request_context(), tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        subscription = db.session.scalar(select(Subscription))
        db.session.expunge_all()
        return tenant, subscription


def test_extending_a_trial_moves_its_end_and_is_audited_with_before_and_after(console, app, admin, shop):
    before, _ = shop_state(app, shop.id)

    response = console.post(f"/shops/{shop.id}/trial", data=reasoned("trial", days="10"))

    after, _ = shop_state(app, shop.id)
    assert response.status_code == 303
    assert after.trial_ends_at == before.trial_ends_at + timedelta(days=10)
    [entry] = audit_entries(app, "shops.extend_trial")
    assert (entry.admin_id, entry.shop_id, entry.reason) == (admin.id, shop.id, REASON)
    assert entry.before["trial_ends_at"] != entry.after["trial_ends_at"]
    assert "trial now ends on" in flashes(console.get(f"/shops/{shop.id}"))[0]


def test_a_trial_that_ended_starts_again_from_today(console, app, shop):
    change_shop(app, "acme", status=TenantStatus.READ_ONLY, trial_ends_at=utcnow() - timedelta(days=30))

    console.post(f"/shops/{shop.id}/trial", data=reasoned("trial", days="7"))

    tenant, _ = shop_state(app, shop.id)
    assert tenant.status == TenantStatus.TRIALING
    assert timedelta(days=6) < tenant.trial_ends_at - utcnow() <= timedelta(days=7)


def test_a_shop_paying_through_stripe_has_no_trial_to_extend(console, app, shop):
    subscribe(app, shop.id, plan="pro", status="active", stripe_subscription_id="sub_1")

    response = console.post(f"/shops/{shop.id}/trial", data=reasoned("trial", days="7"))

    assert response.status_code == 409
    assert "no trial to extend" in response.get_data(as_text=True)
    assert audit_entries(app, "shops.extend_trial") == []


def test_comping_a_plan_gives_it_free_of_charge_until_the_date(console, app, shop):
    until = (utcnow() + timedelta(days=90)).date()

    response = console.post(
        f"/shops/{shop.id}/plan", data=reasoned("plan", plan="enterprise", comped_until=until.isoformat())
    )

    tenant, subscription = shop_state(app, shop.id)
    assert response.status_code == 303
    assert (subscription.plan, tenant.status, subscription.comped_until.date()) == ("enterprise", "active", until)
    assert access_for(tenant, subscription).read_only is False
    [entry] = audit_entries(app, "shops.comp_plan")
    assert (entry.before["plan"], entry.after["plan"]) == (None, "enterprise")


def test_a_comped_plan_ends_read_only_and_the_daily_job_says_so(console, app, shop):
    until = (utcnow() + timedelta(days=3)).date()
    console.post(f"/shops/{shop.id}/plan", data=reasoned("plan", plan="pro", comped_until=until.isoformat()))
    tenant, subscription = shop_state(app, shop.id)
    later = subscription.comped_until + timedelta(seconds=1)

    assert "ends on" in access_for(tenant, subscription, utcnow()).banner
    assert access_for(tenant, subscription, later).read_only is True
    with app.test_request_context(), tenant_scope(shop.id):
        assert end_due_comp(utcnow()) == "not yet"
        assert end_due_comp(later) == "comp ended: read-only"
        db.session.commit()
    assert shop_state(app, shop.id)[0].status == TenantStatus.READ_ONLY


def test_setting_a_plan_without_an_end_is_a_plan_paid_outside_stripe(console, app, shop):
    console.post(f"/shops/{shop.id}/plan", data=reasoned("plan", plan="starter"))

    tenant, subscription = shop_state(app, shop.id)
    assert (subscription.plan, subscription.comped_until, tenant.status) == ("starter", None, "active")
    assert [entry.action for entry in audit_entries(app)][-1:] == ["shops.set_plan"]


def test_a_comp_in_the_past_is_refused_under_its_field(console, app, shop):
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()

    response = console.post(f"/shops/{shop.id}/plan", data=reasoned("plan", plan="pro", comped_until=yesterday))

    assert response.status_code == 400
    assert "A complimentary plan must end in the future." in field_errors(response)
    assert shop_state(app, shop.id)[1] is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"trial-days": "7", "trial-confirm": "y"}, "Say why: the reason goes into the audit trail."),
        ({"trial-days": "7", "trial-confirm": "y", "trial-reason": "because"}, "Write between 10 and 500 characters."),
        ({"trial-days": "7", "trial-reason": REASON}, "Tick the box to confirm."),
        ({"trial-days": "900", "trial-reason": REASON, "trial-confirm": "y"}, "Number must be between 1 and 90."),
        ({"trial-days": "²", "trial-reason": REASON, "trial-confirm": "y"}, "Not a valid integer value."),
    ],
)
def test_a_forged_or_incomplete_action_form_changes_nothing_and_says_why(console, app, shop, data, message):
    before, _ = shop_state(app, shop.id)

    response = console.post(f"/shops/{shop.id}/trial", data=data)

    assert response.status_code == 400
    assert message in field_errors(response)
    assert shop_state(app, shop.id)[0].trial_ends_at == before.trial_ends_at
    assert audit_entries(app, "shops.extend_trial") == []


@pytest.mark.parametrize("action", ["trial", "plan", "suspend", "reactivate"])
def test_an_action_on_an_unknown_shop_is_404(console, action):
    assert console.post(f"/shops/424242/{action}", data=reasoned(action)).status_code == 404


@pytest.mark.parametrize("action", ["trial", "plan", "suspend", "reactivate"])
def test_support_admins_may_not_act_on_a_shop(factory, admin_client, app, shop, action):
    support = factory.platform_admin("help@workbay.example.com", role="support")
    log_in(admin_client, support.email)

    assert admin_client.post(f"/shops/{shop.id}/{action}", data=reasoned("suspend")).status_code == 403
    assert shop_state(app, shop.id)[0].suspended_at is None


def test_support_admins_see_the_shop_page_without_the_action_forms(factory, admin_client, shop):
    support = factory.platform_admin("help@workbay.example.com", role="support")
    log_in(admin_client, support.email)

    page = admin_client.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "Open privacy requests" in page and "Suspend the shop" not in page


def test_suspending_and_reactivating_keeps_the_plans_status(console, app, shop):
    change_shop(app, "acme", status=TenantStatus.ACTIVE)

    console.post(f"/shops/{shop.id}/suspend", data=reasoned("suspend"))
    suspended, _ = shop_state(app, shop.id)
    console.post(f"/shops/{shop.id}/reactivate", data=reasoned("suspend"))
    reactivated, _ = shop_state(app, shop.id)

    assert suspended.suspended_at is not None and suspended.status == TenantStatus.ACTIVE
    assert reactivated.suspended_at is None and reactivated.status == TenantStatus.ACTIVE
    suspend, reactivate = audit_entries(app, "shops.suspend") + audit_entries(app, "shops.reactivate")
    assert suspend.before["suspended_at"] is None and suspend.after["suspended_at"]
    assert reactivate.reason == REASON and reactivate.after["suspended_at"] is None


def test_suspending_twice_or_reactivating_an_active_shop_is_refused(console, app, shop):
    assert console.post(f"/shops/{shop.id}/reactivate", data=reasoned("suspend")).status_code == 409
    console.post(f"/shops/{shop.id}/suspend", data=reasoned("suspend"))
    refused = console.post(f"/shops/{shop.id}/suspend", data=reasoned("suspend"))

    assert refused.status_code == 409
    assert "This shop is suspended already." in flashes(refused)
    assert len(audit_entries(app, "shops.suspend")) == 1


def test_every_action_is_shown_on_the_shops_page_with_who_and_why(console, shop):
    console.post(f"/shops/{shop.id}/trial", data=reasoned("trial", days="5"))

    page = console.get(f"/shops/{shop.id}").get_data(as_text=True)

    assert "shops.extend_trial" in page and REASON in page and "Root" in page
