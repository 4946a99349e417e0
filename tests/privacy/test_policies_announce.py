"""A material change of a shop's policy: announced through the task queue in batches, one shop's jobs
at a time, to customers who agreed to marketing; their consent waits for a re-confirmation by link."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from saas.core.extensions import db
from saas.core.tasks.queue import enqueue
from saas.customers.models import Customer
from saas.privacy.announcements import announcement_job
from saas.privacy.shop_models import ShopPolicyVersion
from tests.factories import log_in
from tests.fixtures.clients import host_client
from tests.fixtures.database import shop_session
from tests.fixtures.mail import Outbox
from tests.privacy.policy_helpers import (
    add_customer,
    anonymize,
    customer_state,
    path_of,
    publish,
    reconfirm_links,
    reconfirmations_of,
    save_settings,
    versions_of,
)
from tests.tasks.helpers import run_pending_jobs

BATCH = 2


@pytest.fixture
def queue_app(make_app):
    """The app as production runs it (mail through the queue), announcing two customers per job."""
    return make_app(MAIL_QUEUE=True, POLICY_MAIL_BATCH_SIZE=BATCH)


@pytest.fixture
def queue_outbox(queue_app) -> Outbox:
    return Outbox(queue_app.config["MAIL_OUTBOX_DIR"])


@pytest.fixture
def owner_at(queue_app, factory):
    """`owner_at("acme")`: that shop's owner, logged in on its host, on the queue app."""

    def make(subdomain: str):
        client = host_client(queue_app, f"{subdomain}.workbay.test")
        log_in(client, f"owner@{subdomain}.example.com")
        return client

    return make


def job_rows(owner_engine, task_name: str) -> list[dict]:
    with owner_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT task_name, status, args, lock FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = :task ORDER BY id"
            ),
            {"task": task_name},
        ).mappings()
        return [dict(row) for row in rows]


@pytest.fixture
def announced(queue_app, factory, owner_at, queue_outbox):
    """acme with five opted-in customers (one without e-mail, one erased), one who did not opt in; bravo
    with an opted-in customer of its own. acme publishes version 1, then a material version 2."""
    acme, bravo = factory.tenant("acme"), factory.tenant("bravo")
    people = {
        "ann": add_customer(queue_app, acme, "Ann", "ann@example.com", marketing=True),
        "bob": add_customer(queue_app, acme, "Bob", "bob@example.com", marketing=True),
        "cat": add_customer(queue_app, acme, "Cat", "cat@example.com", marketing=True),
        "dan": add_customer(queue_app, acme, "Dan", None, marketing=True),
        "eve": add_customer(queue_app, acme, "Eve", "eve@example.com", marketing=False),
        "fay": add_customer(queue_app, acme, "Fay", "fay@example.com", marketing=True),
        "bravo": add_customer(queue_app, bravo, "Bravo Person", "bravo@example.com", marketing=True),
    }
    anonymize(queue_app, people["fay"])
    owner = owner_at("acme")
    publish(owner)
    save_settings(owner, policy_additions="We now also keep photos of the dashboard.")
    publish(owner, material=True, summary="We keep photos of the dashboard.")
    return acme, bravo, people, owner


def test_publishing_a_material_version_queues_one_job_for_the_shop(announced, owner_engine, queue_outbox):
    acme, *_ = announced
    [job] = job_rows(owner_engine, "privacy.announce_policy")
    assert job["status"] == "todo" and job["args"]["tenant_id"] == acme.id
    assert job["lock"] == f"privacy.announce_policy:{acme.id}"
    assert queue_outbox.messages == []  # nothing leaves before the worker runs


def test_the_worker_mails_every_opted_in_customer_in_batches_and_sets_their_consent_aside(
    queue_app, announced, owner_engine, queue_outbox
):
    acme, bravo, people, _ = announced
    run_pending_jobs(queue_app)

    jobs = job_rows(owner_engine, "privacy.announce_policy")
    assert [job["status"] for job in jobs] == ["succeeded", "succeeded"]  # 3 customers, 2 per job
    assert sorted(m["To"] for m in queue_outbox.messages) == ["ann@example.com", "bob@example.com", "cat@example.com"]
    mail = queue_outbox.last_to("ann@example.com")
    assert mail["Subject"] == "Shop acme has updated its privacy policy"
    body = mail.get_content()
    assert "We keep photos of the dashboard." in body and "http://acme.workbay.test/privacy/policy" in body
    for name in ("ann", "bob", "cat"):
        assert customer_state(queue_app, people[name])["consent"] is False
    # No e-mail: nothing to send, nothing set aside. Erased, or never agreed: left alone.
    assert customer_state(queue_app, people["dan"])["consent"] is True
    assert customer_state(queue_app, people["eve"])["consent"] is False
    assert "fay@example.com" not in [m["To"] for m in queue_outbox.messages]
    rows = reconfirmations_of(queue_app, acme.id)
    assert sorted(row["customer_id"] for row in rows) == sorted(people[n].id for n in ("ann", "bob", "cat"))
    assert {row["consent_source"] for row in rows} == {"staff form"}  # the earlier consent, kept
    version = versions_of(queue_app, acme.id)[-1]
    assert version["material"] and version["notified_at"] is not None
    # Bravo's customer is bravo's: untouched.
    assert customer_state(queue_app, people["bravo"])["consent"] is True
    assert reconfirmations_of(queue_app, bravo.id) == []


def test_running_the_worker_again_sends_nothing_twice(queue_app, announced, queue_outbox, owner_engine):
    run_pending_jobs(queue_app)
    acme, *_ = announced
    with queue_app.app_context():
        version_id = versions_of(queue_app, acme.id)[-1]["id"]
        enqueue(db.session.connection(), [announcement_job(acme.id, version_id)])
        db.session.commit()
    run_pending_jobs(queue_app)
    assert len(queue_outbox.messages) == 3


def test_the_customer_re_confirms_through_the_link_with_their_age(queue_app, announced, queue_outbox):
    _, _, people, _ = announced
    run_pending_jobs(queue_app)
    [link] = reconfirm_links(queue_outbox, "ann@example.com")
    visitor = host_client(queue_app, "acme.workbay.test")

    page = visitor.get(path_of(link))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Hello Ann" in page.get_data(as_text=True) and "I am at least 13 years old" in page.get_data(as_text=True)

    without_age = visitor.post(path_of(link), data={"answer": "yes"})
    assert without_age.status_code == 400 and "Please confirm that you are at least 13" in without_age.get_data(
        as_text=True
    )
    assert customer_state(queue_app, people["ann"])["consent"] is False

    response = visitor.post(path_of(link), data={"answer": "yes", "age_confirmed": "y"})
    assert response.status_code == 303
    state = customer_state(queue_app, people["ann"])
    assert state["consent"] is True and state["source"] == "re-confirmed by e-mail link (policy v2)"
    assert "you will keep receiving our offers" in visitor.get(path_of(link)).get_data(as_text=True)

    # Changing one's mind is as easy, through the same link.
    visitor.post(path_of(link), data={"answer": "no"})
    assert customer_state(queue_app, people["ann"])["consent"] is False
    answers = {row["customer_id"]: row["answer"] for row in reconfirmations_of(queue_app, announced[0].id)}
    assert answers[people["ann"].id] == "declined"


def test_the_owner_sees_how_customers_answered(queue_app, announced, queue_outbox):
    _, _, _, owner = announced
    run_pending_jobs(queue_app)
    [link] = reconfirm_links(queue_outbox, "bob@example.com")
    host_client(queue_app, "acme.workbay.test").post(path_of(link), data={"answer": "yes", "age_confirmed": "y"})
    page = owner.get("/settings/privacy/policy").get_data(as_text=True)
    assert "3 asked · 1 confirmed · 0 declined · 2 waiting" in page and "announced" in page


def test_the_customer_page_says_the_consent_waits_for_re_confirmation(queue_app, announced):
    _, _, people, owner = announced
    run_pending_jobs(queue_app)
    page = owner.get(f"/customers/{people['cat'].id}").get_data(as_text=True)
    assert "Waiting for the customer to re-confirm" in page and "version 2" in page


def test_the_customers_export_includes_the_re_confirmation(queue_app, announced):
    _, _, people, owner = announced
    run_pending_jobs(queue_app)
    data = owner.get(f"/customers/{people['cat'].id}/export").get_json()
    [row] = data["marketing_reconfirmations"]
    assert row["policy_version"] == 2 and row["consent_source"] == "staff form" and row["answer"] is None


def test_a_forged_link_is_a_404_and_an_expired_one_a_410(queue_app, announced, queue_outbox, clock_ahead):
    _, _, people, _ = announced
    run_pending_jobs(queue_app)
    [link] = reconfirm_links(queue_outbox, "ann@example.com")
    visitor = host_client(queue_app, "acme.workbay.test")
    forged = visitor.get(path_of(link)[:-3] + "abc")
    assert forged.status_code == 404 and "This link is not valid" in forged.get_data(as_text=True)
    assert visitor.get("/privacy/marketing/not-a-token").status_code == 404
    with clock_ahead(61 * 24 * 3600):
        expired = visitor.post(path_of(link), data={"answer": "yes", "age_confirmed": "y"})
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    assert customer_state(queue_app, people["ann"])["consent"] is False


def test_a_link_does_not_work_on_another_shops_host_nor_for_an_erased_customer(queue_app, announced, queue_outbox):
    _, bravo, people, _ = announced
    run_pending_jobs(queue_app)
    [link] = reconfirm_links(queue_outbox, "bob@example.com")
    on_bravo = host_client(queue_app, "bravo.workbay.test")
    assert on_bravo.post(path_of(link), data={"answer": "yes", "age_confirmed": "y"}).status_code == 404
    assert customer_state(queue_app, people["bob"])["consent"] is False
    assert customer_state(queue_app, people["bravo"])["consent"] is True

    anonymize(queue_app, people["bob"])
    assert host_client(queue_app, "acme.workbay.test").get(path_of(link)).status_code == 404


def test_a_deleted_customer_takes_their_re_confirmation_with_them(queue_app, announced, queue_outbox):
    acme, _, people, _ = announced
    run_pending_jobs(queue_app)
    [link] = reconfirm_links(queue_outbox, "cat@example.com")
    with shop_session(queue_app, acme.id) as session:
        session.delete(session.get(Customer, (acme.id, people["cat"].id)))
        session.commit()
    assert people["cat"].id not in [row["customer_id"] for row in reconfirmations_of(queue_app, acme.id)]
    assert host_client(queue_app, "acme.workbay.test").get(path_of(link)).status_code == 404


def test_a_consent_given_after_the_new_version_is_not_asked_again(queue_app, factory, owner_at, queue_outbox):
    acme = factory.tenant("acme")
    owner = owner_at("acme")
    publish(owner)
    save_settings(owner, policy_additions="Changed.")
    publish(owner, material=True, summary="A change.")
    add_customer(queue_app, acme, "Late", "late@example.com", marketing=True)
    run_pending_jobs(queue_app)
    assert queue_outbox.messages == [] and versions_of(queue_app, acme.id)[-1]["notified_at"] is not None


def test_a_change_that_is_not_material_mails_nobody(queue_app, factory, owner_at, owner_engine, queue_outbox):
    acme = factory.tenant("acme")
    add_customer(queue_app, acme, "Ann", "ann@example.com", marketing=True)
    owner = owner_at("acme")
    publish(owner)
    save_settings(owner, policy_additions="A small clarification.")
    publish(owner, summary="Wording.")
    run_pending_jobs(queue_app)
    assert job_rows(owner_engine, "privacy.announce_policy") == [] and queue_outbox.messages == []


def test_a_job_naming_one_shop_and_another_shops_version_touches_nothing(
    queue_app, factory, owner_at, owner_engine, queue_outbox
):
    acme, bravo = factory.tenant("acme"), factory.tenant("bravo")
    add_customer(queue_app, acme, "Ann", "ann@example.com", marketing=True)
    bravo_person = add_customer(queue_app, bravo, "Bravo Person", "bravo@example.com", marketing=True)
    bravo_owner = owner_at("bravo")
    publish(bravo_owner)
    save_settings(bravo_owner, policy_additions="Bravo changed.")
    publish(bravo_owner, summary="Not material.")
    with shop_session(queue_app, bravo.id) as session:  # material, but with no announcement of its own queued
        session.execute(update(ShopPolicyVersion).values(material=True))
        session.commit()
    bravo_version = versions_of(queue_app, bravo.id)[-1]
    with queue_app.app_context():
        enqueue(db.session.connection(), [announcement_job(acme.id, bravo_version["id"])])
        db.session.commit()
    run_pending_jobs(queue_app)
    assert [job["status"] for job in job_rows(owner_engine, "privacy.announce_policy")] == ["succeeded"]
    assert queue_outbox.messages == []
    assert customer_state(queue_app, bravo_person)["consent"] is True
    assert versions_of(queue_app, bravo.id)[-1] == bravo_version
