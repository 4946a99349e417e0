"""The privacy center on a shop's subdomain: asking, the mailed confirmation link, what confirming does,
and the same answer for every address, so the center tells no one who is a customer."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from saas.auth.tokens import make_token
from saas.core.db import utcnow
from saas.core.extensions import db, limiter
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.customers.services import save_customer, set_marketing_consent
from saas.privacy.request_models import PrivacyRequest, PrivacyRequestCustomer
from saas.privacy.requests import MAX_UNCONFIRMED_PER_ADDRESS, TOKEN_PURPOSE
from tests.fixtures.pages import field_errors, link_path, redirect_path, tampered
from tests.fixtures.shops import update_shop
from tests.privacy.center_helpers import ask, event_actions

ADA = "ada@example.com"


@pytest.fixture
def acme(shop_client, shop):
    """A visitor (no account) on acme's host."""
    return shop_client("acme")


@pytest.fixture
def ada(factory, shop):
    """Ada, acme's customer with the address ada@example.com."""
    return factory.customer(shop, name="Ada Lovelace", email=ADA)


def stored(app, tenant_id: int) -> list[PrivacyRequest]:
    with app.test_request_context(), tenant_scope(tenant_id):
        rows = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)).all()
        db.session.expunge_all()
        return rows


def matched_customers(app, tenant_id: int, request_id: int) -> list[int]:
    with app.test_request_context(), tenant_scope(tenant_id):
        return list(
            db.session.scalars(
                select(PrivacyRequestCustomer.customer_id)
                .where(PrivacyRequestCustomer.request_id == request_id)
                .order_by(PrivacyRequestCustomer.customer_id)
            )
        )


def customer_row(app, tenant_id: int, customer_id: int) -> Customer:
    with app.test_request_context(), tenant_scope(tenant_id):
        customer = db.session.get(Customer, (tenant_id, customer_id))
        db.session.expunge(customer)
        return customer


def give_marketing_consent(app, tenant_id: int, customer_id: int) -> None:
    with app.test_request_context(), tenant_scope(tenant_id):
        set_marketing_consent(db.session.get(Customer, (tenant_id, customer_id)), True, "counter")
        db.session.commit()


def without_references(body: str) -> str:
    """A mail's text with what differs between any two requests (link, number) blanked."""
    return re.sub(r"#\d+", "#N", re.sub(r"https?://\S+", "LINK", body))


# --- the page -----------------------------------------------------------------------------


def test_the_center_explains_in_plain_words_and_offers_every_right(acme, shop):
    response = acme.get("/privacy")

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


def test_a_californian_shop_promises_45_days(app, acme, shop, owner_client):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})

    assert "within 45 days" in acme.get("/privacy").get_data(as_text=True)


def test_every_shop_page_links_to_its_privacy_center(acme, shop):
    assert 'href="/privacy">Your privacy at Shop acme</a>' in acme.get("/book").get_data(as_text=True)


# --- asking: the same answer for everyone -------------------------------------------------


def test_a_known_and_an_unknown_address_get_the_same_answer_the_same_mail_and_the_same_work(
    app, acme, shop, ada, outbox, count_queries
):
    with count_queries() as known_queries:
        known = ask(acme, "access", ADA)
    with count_queries() as unknown_queries:
        unknown = ask(acme, "access", "nobody@example.com")

    assert (
        (known.status_code, redirect_path(known))
        == (unknown.status_code, redirect_path(unknown))
        == (303, "/privacy/sent")
    )
    assert known_queries.statements == unknown_queries.statements  # no lookup that could take longer for one
    to_known, to_unknown = outbox.last_to(ADA), outbox.last_to("nobody@example.com")
    assert to_known["Subject"] == to_unknown["Subject"] == "Please confirm your privacy request – Shop acme"
    assert without_references(to_known.get_content()) == without_references(to_unknown.get_content())
    sent = acme.get("/privacy/sent")
    assert sent.status_code == 200 and "Check your inbox" in sent.get_data(as_text=True)


def test_nothing_is_matched_disclosed_or_queued_before_the_link_is_followed(app, acme, shop, ada, outbox, owner_client):
    ask(acme, "erasure", ADA, "Please erase everything")

    [request] = stored(app, shop.id)
    assert (request.status, request.email, request.details) == ("received", ADA, "Please erase everything")
    assert matched_customers(app, shop.id, request.id) == []
    assert [m["To"] for m in outbox.messages] == [ADA]  # the owner hears nothing yet
    assert "No open requests" in owner_client.get("/privacy-requests").get_data(as_text=True)


def test_the_address_is_stored_as_customers_addresses_are(app, acme, shop, outbox):
    ask(acme, "access", "  Ada@Example.COM ")

    assert stored(app, shop.id)[0].email == ADA
    assert outbox.last_to(ADA)


# --- the link -----------------------------------------------------------------------------


def test_the_link_asks_for_a_click_and_opening_it_changes_nothing(app, acme, shop, ada, outbox):
    ask(acme, "access", ADA)

    page = acme.get(link_path(outbox.link_in_last_to(ADA)))

    assert page.status_code == 200
    assert "Confirm your request" in page.get_data(as_text=True)
    assert "See my data and get a copy" in page.get_data(as_text=True)
    assert stored(app, shop.id)[0].status == "received"


def test_confirming_matches_the_shops_customers_with_that_address_and_tells_the_owner_and_the_requester(
    app, factory, acme, shop, other_shop, ada, outbox
):
    twin = factory.customer(shop, name="Ada L.", email=ADA)
    factory.customer(shop, name="Someone else", email="else@example.com")
    factory.customer(other_shop, name="Bravo's Ada", email=ADA)
    with app.test_request_context(), tenant_scope(shop.id):  # an erased customer never comes back
        erased = save_customer(None, name="Erased", email=ADA, phone=None, notes="")
        erased.anonymized_at = utcnow()
        db.session.commit()
    ask(acme, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    confirmed = acme.post(link)

    [request] = stored(app, shop.id)
    assert (confirmed.status_code, redirect_path(confirmed)) == (303, link)
    assert request.status == "verified" and request.verified_at is not None
    assert matched_customers(app, shop.id, request.id) == sorted([ada.id, twin.id])
    assert event_actions(app, shop.id, request.id) == ["received", "verified"]
    to_owner = outbox.last_to("owner@acme.example.com")
    assert to_owner["Subject"] == f"New privacy request #{request.number} – Shop acme"
    assert "Matched to 2 customers" in to_owner.get_content()
    assert f"/privacy-requests/{request.id}" in to_owner.get_content()
    acknowledged = outbox.last_to(ADA)
    assert acknowledged["Subject"] == f"We have your privacy request #{request.number} – Shop acme"
    assert request.due_on.strftime("%d %B %Y") in acknowledged.get_content()
    page = acme.get(link).get_data(as_text=True)
    assert "your request is confirmed" in page and request.due_on.strftime("%d %B %Y") in page


def test_following_the_link_twice_confirms_once(app, acme, shop, ada, outbox):
    ask(acme, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    acme.post(link)
    again = acme.post(link)

    [request] = stored(app, shop.id)
    assert again.status_code == 303
    assert event_actions(app, shop.id, request.id) == ["received", "verified"]
    assert len([m for m in outbox.messages if m["To"] == "owner@acme.example.com"]) == 1


def test_an_unknown_address_is_confirmed_like_any_other_and_staff_see_no_matching_customer(
    app, acme, shop, outbox, owner_client
):
    ask(acme, "access", "nobody@example.com")

    acme.post(link_path(outbox.link_in_last_to("nobody@example.com")))

    [request] = stored(app, shop.id)
    assert request.status == "verified" and matched_customers(app, shop.id, request.id) == []
    assert "No customer has this address" in outbox.last_to("owner@acme.example.com").get_content()
    assert "No matching customer" in owner_client.get("/privacy-requests").get_data(as_text=True)
    assert "No matching customer" in owner_client.get(f"/privacy-requests/{request.id}").get_data(as_text=True)


def test_a_repeated_request_needs_its_own_confirmation(app, acme, shop, ada, outbox):
    ask(acme, "access", ADA)
    first_link = link_path(outbox.link_in_last_to(ADA))
    acme.post(first_link)

    ask(acme, "erasure", ADA)
    acme.post(first_link)  # the first request's link, followed again

    first, second = stored(app, shop.id)
    assert (first.status, second.status) == ("verified", "received")
    assert matched_customers(app, shop.id, second.id) == []
    second_link = link_path(outbox.link_in_last_to(ADA))
    assert second_link != first_link
    acme.post(second_link)
    assert stored(app, shop.id)[1].status == "verified"


def test_a_link_made_for_one_request_with_anothers_id_is_refused(app, acme, shop, ada, outbox):
    ask(acme, "access", ADA)
    ask(acme, "erasure", ADA)
    first, second = stored(app, shop.id)
    with app.app_context():  # signed with the real key, but the secret is not the second request's
        forged = make_token(TOKEN_PURPOSE, {"t": shop.id, "r": second.id, "k": "guessed-secret"})

    response = acme.post(f"/privacy/confirm/{forged}")

    assert response.status_code == 404
    assert stored(app, shop.id)[1].status == "received"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_or_made_up_link_is_a_clear_404(app, acme, shop, ada, outbox, method):
    ask(acme, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    for path in (tampered(link), "/privacy/confirm/not-a-token", "/privacy/confirm/" + "A" * 3000):
        response = acme.open(path, method=method)
        assert response.status_code == 404, path
        assert "This confirmation link is not valid here" in response.get_data(as_text=True)
    assert stored(app, shop.id)[0].status == "received"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_expired_link_says_so_and_confirms_nothing(app, acme, shop, ada, outbox, clock_ahead, method):
    ask(acme, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    with clock_ahead(49 * 3600):
        response = acme.open(link, method=method)

    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This confirmation link has expired" in page and 'href="/privacy"' in page
    assert stored(app, shop.id)[0].status == "received"


def test_an_expired_link_of_a_confirmed_request_still_shows_it_confirmed(app, acme, shop, ada, outbox, clock_ahead):
    ask(acme, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))
    acme.post(link)

    with clock_ahead(49 * 3600):
        response = acme.get(link)

    assert response.status_code == 200 and "your request is confirmed" in response.get_data(as_text=True)


def test_a_shops_link_opened_on_another_shops_host_is_404_and_leaves_no_trace(
    app, acme, shop, other_shop, ada, outbox, shop_client
):
    ask(acme, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))
    bravo = shop_client("bravo")

    responses = [bravo.get(link), bravo.post(link)]

    assert [response.status_code for response in responses] == [404, 404]
    assert stored(app, shop.id)[0].status == "received"
    assert stored(app, other_shop.id) == []
    assert [m["To"] for m in outbox.messages] == [ADA]


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "sell_my_data", "email": ADA}, "kind", "Choose what you would like us to do."),
        ({"kind": "", "email": ADA}, "kind", "Choose what you would like us to do."),
        ({"email": ADA}, "kind", "Choose what you would like us to do."),
        (
            {"kind": "access", "email": ""},
            "email",
            "Enter your e-mail address: the link to confirm your request goes there.",
        ),
        ({"kind": "access", "email": "not-an-address"}, "email", "Enter your e-mail address, like name@example.com."),
        ({"kind": "access", "email": "a" * 300 + "@example.com"}, "email", None),
        ({"kind": "access", "email": "ada\x00@example.com"}, "email", None),
        ({"kind": "access", "email": ADA, "details": "x" * 2001}, "details", None),
        ({"kind": "access", "email": ADA, "details": "nul \x00 byte"}, "details", None),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored_or_sent(
    app, acme, shop, outbox, data, field, message
):
    response = acme.post("/privacy", data=data)

    assert response.status_code == 400
    errors = field_errors(response)
    assert errors, response.get_data(as_text=True)[:2000]
    if message:
        assert message in errors
    assert f'name="{field}"' in response.get_data(as_text=True)
    assert stored(app, shop.id) == []
    assert outbox.messages == []


def test_a_huge_body_is_refused_before_anything_is_read(acme, shop, outbox):
    response = acme.post("/privacy", data={"kind": "access", "email": ADA, "details": "x" * (21 * 1024 * 1024)})

    assert response.status_code == 413
    assert outbox.messages == []


def test_asking_is_rate_limited(make_app, factory):
    limited = make_app(RATELIMIT_ENABLED=True)
    factory.tenant("acme")
    client = limited.test_client()

    try:
        statuses = [
            client.post(
                "/privacy", base_url="http://acme.workbay.test", data={"kind": "access", "email": ADA}
            ).status_code
            for _ in range(6)
        ]
    finally:  # the limiter is one object for every app: switch it off again for the other tests
        limiter.enabled = False
        limiter.reset()

    assert statuses == [303] * 5 + [429]


def test_an_address_with_open_confirmation_links_gets_no_more_mail_but_the_same_answer(app, acme, shop, outbox):
    answers = [ask(acme, "access", ADA) for _ in range(MAX_UNCONFIRMED_PER_ADDRESS + 1)]

    assert {(answer.status_code, redirect_path(answer)) for answer in answers} == {(303, "/privacy/sent")}
    assert len(stored(app, shop.id)) == len(outbox.messages) == MAX_UNCONFIRMED_PER_ADDRESS


# --- what confirming does by kind ---------------------------------------------------------


def test_stopping_marketing_takes_effect_at_once_and_completes_itself(app, acme, shop, ada, outbox):
    give_marketing_consent(app, shop.id, ada.id)
    ask(acme, "marketing_opt_out", ADA)

    acme.post(link_path(outbox.link_in_last_to(ADA)))

    [request] = stored(app, shop.id)
    customer = customer_row(app, shop.id, ada.id)
    assert (customer.marketing_consent, customer.marketing_consent_at) == (False, None)
    assert request.status == "completed" and request.closed_at is not None
    assert event_actions(app, shop.id, request.id) == ["received", "verified", "marketing_withdrawn", "completed"]
    done = outbox.last_to(ADA)
    assert done["Subject"] == f"Your privacy request #{request.number} is done – Shop acme"
    assert "we will not send you marketing" in done.get_content()
    assert "Done at once" in outbox.last_to("owner@acme.example.com").get_content()


def test_withdrawing_consent_stops_marketing_at_once_and_stays_open_for_staff(app, acme, shop, ada, outbox):
    give_marketing_consent(app, shop.id, ada.id)
    ask(acme, "withdraw_consent", ADA, "Also the photos on your website")

    acme.post(link_path(outbox.link_in_last_to(ADA)))

    [request] = stored(app, shop.id)
    assert customer_row(app, shop.id, ada.id).marketing_consent is False
    assert request.status == "verified"
    assert "marketing_withdrawn" in event_actions(app, shop.id, request.id)


@pytest.mark.parametrize(
    ("kind", "column"), [("restriction", "processing_restricted_at"), ("objection", "objected_at")]
)
def test_a_restriction_or_objection_is_flagged_on_the_customer_at_once(
    app, acme, shop, ada, outbox, owner_client, kind, column
):
    ask(acme, kind, ADA)

    acme.post(link_path(outbox.link_in_last_to(ADA)))

    [request] = stored(app, shop.id)
    assert getattr(customer_row(app, shop.id, ada.id), column) is not None
    assert event_actions(app, shop.id, request.id) == ["received", "verified", "limit_set"]
    assert request.status == "verified"
    page = owner_client.get(f"/customers/{ada.id}").get_data(as_text=True)
    assert ("Processing restricted" if kind == "restriction" else "Objected to processing") in page
    assert f"#{request.number}" in page  # the customer's privacy requests, on their page


def test_a_read_only_shop_still_takes_and_confirms_requests(app, acme, shop, ada, outbox):
    update_shop(app, shop.id, trial_ends_at=utcnow() - timedelta(hours=1))

    asked = ask(acme, "access", ADA)
    confirmed = acme.post(link_path(outbox.link_in_last_to(ADA)))

    assert (asked.status_code, confirmed.status_code) == (303, 303)
    assert stored(app, shop.id)[0].status == "verified"


def test_the_requests_of_two_shops_are_numbered_and_kept_apart(app, acme, shop, other_shop, shop_client, outbox):
    ask(acme, "access", ADA)
    ask(shop_client("bravo"), "access", ADA)

    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(func.count()).select_from(PrivacyRequest)) == 1
    assert [r.number for r in stored(app, shop.id)] == [r.number for r in stored(app, other_shop.id)] == [1]
    links = [re.search(r"https?://\S+", message.get_content()).group(0) for message in outbox.messages]
    assert links[0].startswith("http://acme.workbay.test/privacy/confirm/")
    assert links[1].startswith("http://bravo.workbay.test/privacy/confirm/")
