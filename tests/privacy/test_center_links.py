"""The privacy center's mailed links and bad input: a click confirms, each request on its own; forged,
expired and other shops' links get a clear 4xx page; malformed, huge or unstorable input is refused."""

from __future__ import annotations

import pytest

from saas.auth.tokens import make_token
from saas.core.db import utcnow
from saas.core.extensions import db, limiter
from saas.core.tenancy import tenant_scope
from saas.customers.services import save_customer
from saas.privacy.requests import MAX_UNCONFIRMED_PER_ADDRESS, TOKEN_PURPOSE
from tests.fixtures.pages import field_errors, link_path, redirect_path, tampered
from tests.privacy.center_helpers import ADA, ask, event_actions, matched_customers, stored

# --- the link -----------------------------------------------------------------------------


def test_the_link_asks_for_a_click_and_opening_it_changes_nothing(app, visitor, shop, ada, outbox):
    ask(visitor, "access", ADA)

    page = visitor.get(link_path(outbox.link_in_last_to(ADA)))

    assert page.status_code == 200
    assert "Confirm your request" in page.get_data(as_text=True)
    assert "See my data and get a copy" in page.get_data(as_text=True)
    assert stored(app, shop.id)[0].status == "received"


def test_confirming_matches_the_shops_customers_with_that_address_and_tells_the_owner_and_the_requester(
    app, factory, visitor, shop, other_shop, ada, outbox
):
    twin = factory.customer(shop, name="Ada L.", email=ADA)
    factory.customer(shop, name="Someone else", email="else@example.com")
    factory.customer(other_shop, name="Bravo's Ada", email=ADA)
    with app.test_request_context(), tenant_scope(shop.id):  # an erased customer never comes back
        erased = save_customer(None, name="Erased", email=ADA, phone=None, notes="")
        erased.anonymized_at = utcnow()
        db.session.commit()
    ask(visitor, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    confirmed = visitor.post(link)

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
    page = visitor.get(link).get_data(as_text=True)
    assert "your request is confirmed" in page and request.due_on.strftime("%d %B %Y") in page


def test_following_the_link_twice_confirms_once(app, visitor, shop, ada, outbox):
    ask(visitor, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    visitor.post(link)
    again = visitor.post(link)

    [request] = stored(app, shop.id)
    assert again.status_code == 303
    assert event_actions(app, shop.id, request.id) == ["received", "verified"]
    assert len([m for m in outbox.messages if m["To"] == "owner@acme.example.com"]) == 1


def test_an_unknown_address_is_confirmed_like_any_other_and_staff_see_no_matching_customer(
    app, visitor, shop, outbox, owner_client
):
    ask(visitor, "access", "nobody@example.com")

    visitor.post(link_path(outbox.link_in_last_to("nobody@example.com")))

    [request] = stored(app, shop.id)
    assert request.status == "verified" and matched_customers(app, shop.id, request.id) == []
    assert "No customer has this address" in outbox.last_to("owner@acme.example.com").get_content()
    assert "No matching customer" in owner_client.get("/privacy-requests").get_data(as_text=True)
    assert "No matching customer" in owner_client.get(f"/privacy-requests/{request.id}").get_data(as_text=True)


def test_a_repeated_request_needs_its_own_confirmation(app, visitor, shop, ada, outbox):
    ask(visitor, "access", ADA)
    first_link = link_path(outbox.link_in_last_to(ADA))
    visitor.post(first_link)

    ask(visitor, "erasure", ADA)
    visitor.post(first_link)  # the first request's link, followed again

    first, second = stored(app, shop.id)
    assert (first.status, second.status) == ("verified", "received")
    assert matched_customers(app, shop.id, second.id) == []
    second_link = link_path(outbox.link_in_last_to(ADA))
    assert second_link != first_link
    visitor.post(second_link)
    assert stored(app, shop.id)[1].status == "verified"


def test_a_link_made_for_one_request_with_anothers_id_is_refused(app, visitor, shop, ada, outbox):
    ask(visitor, "access", ADA)
    ask(visitor, "erasure", ADA)
    first, second = stored(app, shop.id)
    with app.app_context():  # signed with the real key, but the secret is not the second request's
        forged = make_token(TOKEN_PURPOSE, {"t": shop.id, "r": second.id, "k": "guessed-secret"})

    response = visitor.post(f"/privacy/confirm/{forged}")

    assert response.status_code == 404
    assert stored(app, shop.id)[1].status == "received"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_tampered_or_made_up_link_is_a_clear_404(app, visitor, shop, ada, outbox, method):
    ask(visitor, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    for path in (tampered(link), "/privacy/confirm/not-a-token", "/privacy/confirm/" + "A" * 3000):
        response = visitor.open(path, method=method)
        assert response.status_code == 404, path
        assert "This confirmation link is not valid here" in response.get_data(as_text=True)
    assert stored(app, shop.id)[0].status == "received"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_expired_link_says_so_and_confirms_nothing(app, visitor, shop, ada, outbox, clock_ahead, method):
    ask(visitor, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))

    with clock_ahead(49 * 3600):
        response = visitor.open(link, method=method)

    page = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "This confirmation link has expired" in page and 'href="/privacy"' in page
    assert stored(app, shop.id)[0].status == "received"


def test_an_expired_link_of_a_confirmed_request_still_shows_it_confirmed(app, visitor, shop, ada, outbox, clock_ahead):
    ask(visitor, "access", ADA)
    link = link_path(outbox.link_in_last_to(ADA))
    visitor.post(link)

    with clock_ahead(49 * 3600):
        response = visitor.get(link)

    assert response.status_code == 200 and "your request is confirmed" in response.get_data(as_text=True)


def test_a_shops_link_opened_on_another_shops_host_is_404_and_leaves_no_trace(
    app, visitor, shop, other_shop, ada, outbox, shop_client
):
    ask(visitor, "access", ADA)
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
    app, visitor, shop, outbox, data, field, message
):
    response = visitor.post("/privacy", data=data)

    assert response.status_code == 400
    errors = field_errors(response)
    assert errors, response.get_data(as_text=True)[:2000]
    if message:
        assert message in errors
    assert f'name="{field}"' in response.get_data(as_text=True)
    assert stored(app, shop.id) == []
    assert outbox.messages == []


def test_a_huge_body_is_refused_before_anything_is_read(visitor, shop, outbox):
    response = visitor.post("/privacy", data={"kind": "access", "email": ADA, "details": "x" * (21 * 1024 * 1024)})

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


def test_an_address_with_open_confirmation_links_gets_no_more_mail_but_the_same_answer(app, visitor, shop, outbox):
    answers = [ask(visitor, "access", ADA) for _ in range(MAX_UNCONFIRMED_PER_ADDRESS + 1)]

    assert {(answer.status_code, redirect_path(answer)) for answer in answers} == {(303, "/privacy/sent")}
    assert len(stored(app, shop.id)) == len(outbox.messages) == MAX_UNCONFIRMED_PER_ADDRESS
