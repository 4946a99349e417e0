"""The privacy center on a shop's subdomain: the page, asking with the same answer for every address
(so the center tells no one who is a customer), and what confirming a request does, kind by kind."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.privacy.request_models import PrivacyRequest
from tests.fixtures.pages import link_path, redirect_path
from tests.fixtures.shops import update_shop
from tests.privacy.center_helpers import (
    ADA,
    ask,
    customer_row,
    event_actions,
    give_marketing_consent,
    matched_customers,
    stored,
)


def without_references(body: str) -> str:
    """A mail's text with what differs between any two requests (link, number) blanked."""
    return re.sub(r"#\d+", "#N", re.sub(r"https?://\S+", "LINK", body))


# --- the page -----------------------------------------------------------------------------


def test_the_center_explains_in_plain_words_and_offers_every_right(visitor, shop):
    response = visitor.get("/privacy")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your privacy at Shop acme" in page and "What we keep about you" in page
    for label in (
        "See my data and get a copy",
        "Correct my data",
        "Erase my data",
        "Restrict the use of my data",
        "Object to the use of my data",
        "Withdraw my consent",
        "Stop marketing",
    ):
        assert label in page
    assert "within one month" in page
    assert 'href="http://workbay.test/privacy"' in page  # the platform's own policy, on the public site
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


def test_a_californian_shop_promises_45_days(app, visitor, shop, owner_client):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})

    assert "within 45 days" in visitor.get("/privacy").get_data(as_text=True)


def test_every_shop_page_links_to_its_privacy_center(visitor, shop):
    assert 'href="/privacy">Your privacy at Shop acme</a>' in visitor.get("/book").get_data(as_text=True)


# --- asking: the same answer for everyone -------------------------------------------------


def test_a_known_and_an_unknown_address_get_the_same_answer_the_same_mail_and_the_same_work(
    app, visitor, shop, ada, outbox, count_queries
):
    with count_queries() as known_queries:
        known = ask(visitor, "access", ADA)
    with count_queries() as unknown_queries:
        unknown = ask(visitor, "access", "nobody@example.com")

    assert (
        (known.status_code, redirect_path(known))
        == (unknown.status_code, redirect_path(unknown))
        == (303, "/privacy/sent")
    )
    assert known_queries.statements == unknown_queries.statements  # no lookup that could take longer for one
    to_known, to_unknown = outbox.last_to(ADA), outbox.last_to("nobody@example.com")
    assert to_known["Subject"] == to_unknown["Subject"] == "Please confirm your privacy request – Shop acme"
    assert without_references(to_known.get_content()) == without_references(to_unknown.get_content())
    sent = visitor.get("/privacy/sent")
    assert sent.status_code == 200 and "Check your inbox" in sent.get_data(as_text=True)


def test_nothing_is_matched_disclosed_or_queued_before_the_link_is_followed(
    app, visitor, shop, ada, outbox, owner_client
):
    ask(visitor, "erasure", ADA, "Please erase everything")

    [request] = stored(app, shop.id)
    assert (request.status, request.email, request.details) == ("received", ADA, "Please erase everything")
    assert matched_customers(app, shop.id, request.id) == []
    assert [m["To"] for m in outbox.messages] == [ADA]  # the owner hears nothing yet
    assert "No open requests" in owner_client.get("/privacy-requests").get_data(as_text=True)


def test_the_address_is_stored_as_customers_addresses_are(app, visitor, shop, outbox):
    ask(visitor, "access", "  Ada@Example.COM ")

    assert stored(app, shop.id)[0].email == ADA
    assert outbox.last_to(ADA)


# --- what confirming does by kind ---------------------------------------------------------


def test_stopping_marketing_takes_effect_at_once_and_completes_itself(app, visitor, shop, ada, outbox):
    give_marketing_consent(app, shop.id, ada.id)
    ask(visitor, "marketing_opt_out", ADA)

    visitor.post(link_path(outbox.link_in_last_to(ADA)))

    [request] = stored(app, shop.id)
    customer = customer_row(app, shop.id, ada.id)
    assert (customer.marketing_consent, customer.marketing_consent_at) == (False, None)
    assert request.status == "completed" and request.closed_at is not None
    assert event_actions(app, shop.id, request.id) == ["received", "verified", "marketing_withdrawn", "completed"]
    done = outbox.last_to(ADA)
    assert done["Subject"] == f"Your privacy request #{request.number} is done – Shop acme"
    assert "we will not send you marketing" in done.get_content()
    assert "Done at once" in outbox.last_to("owner@acme.example.com").get_content()


def test_withdrawing_consent_stops_marketing_at_once_and_stays_open_for_staff(app, visitor, shop, ada, outbox):
    give_marketing_consent(app, shop.id, ada.id)
    ask(visitor, "withdraw_consent", ADA, "Also the photos on your website")

    visitor.post(link_path(outbox.link_in_last_to(ADA)))

    [request] = stored(app, shop.id)
    assert customer_row(app, shop.id, ada.id).marketing_consent is False
    assert request.status == "verified"
    assert "marketing_withdrawn" in event_actions(app, shop.id, request.id)


@pytest.mark.parametrize(
    ("kind", "column"), [("restriction", "processing_restricted_at"), ("objection", "objected_at")]
)
def test_a_restriction_or_objection_is_flagged_on_the_customer_at_once(
    app, visitor, shop, ada, outbox, owner_client, kind, column
):
    ask(visitor, kind, ADA)

    visitor.post(link_path(outbox.link_in_last_to(ADA)))

    [request] = stored(app, shop.id)
    assert getattr(customer_row(app, shop.id, ada.id), column) is not None
    assert event_actions(app, shop.id, request.id) == ["received", "verified", "limit_set"]
    assert request.status == "verified"
    page = owner_client.get(f"/customers/{ada.id}").get_data(as_text=True)
    assert ("Processing restricted" if kind == "restriction" else "Objected to processing") in page
    assert f"#{request.number}" in page  # the customer's privacy requests, on their page


def test_a_read_only_shop_still_takes_and_confirms_requests(app, visitor, shop, ada, outbox):
    update_shop(app, shop.id, trial_ends_at=utcnow() - timedelta(hours=1))

    asked = ask(visitor, "access", ADA)
    confirmed = visitor.post(link_path(outbox.link_in_last_to(ADA)))

    assert (asked.status_code, confirmed.status_code) == (303, 303)
    assert stored(app, shop.id)[0].status == "verified"


def test_the_requests_of_two_shops_are_numbered_and_kept_apart(app, visitor, shop, other_shop, shop_client, outbox):
    ask(visitor, "access", ADA)
    ask(shop_client("bravo"), "access", ADA)

    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 1
    assert [r.number for r in stored(app, shop.id)] == [r.number for r in stored(app, other_shop.id)] == [1]
    links = [re.search(r"https?://\S+", message.get_content()).group(0) for message in outbox.messages]
    assert links[0].startswith("http://acme.workbay.test/privacy/confirm/")
    assert links[1].startswith("http://bravo.workbay.test/privacy/confirm/")
