"""Staff answer a privacy request: mark it in progress, extend it, complete or refuse it (the requester is
told), correct a customer from it through the customers' rules (logged)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saas.privacy.deadlines import add_months
from tests.fixtures.pages import field_errors, flashes, redirect_path
from tests.privacy.center_helpers import ADA, access_log, ago, customer_row, event_actions, load, make_request

# --- the actions --------------------------------------------------------------------------


def test_marking_in_progress_is_recorded_with_who_did_it(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "access", ADA)

    response = owner_client.post(f"/privacy-requests/{request_id}/start")
    again = owner_client.post(f"/privacy-requests/{request_id}/start")

    assert response.status_code == 303 and load(app, shop.id, request_id).status == "in_progress"
    assert again.status_code == 303 and "Only a new request can be marked in progress." in flashes(
        owner_client.get(redirect_path(again))
    )
    assert event_actions(app, shop.id, request_id) == ["received", "verified", "started"]
    assert "Owner acme</strong>: marked it in progress" in owner_client.get(f"/privacy-requests/{request_id}").get_data(
        as_text=True
    )


def test_extending_moves_the_deadline_by_what_the_law_allows_and_tells_the_requester_why(
    app, shop, ada, owner_client, outbox
):
    request_id = make_request(app, shop, "access", ADA, when=ago(2))
    before = load(app, shop.id, request_id)

    response = owner_client.post(
        f"/privacy-requests/{request_id}/extend",
        data={"extend-extension": "2", "extend-reason": "Your records span three of our systems."},
    )

    after = load(app, shop.id, request_id)
    assert response.status_code == 303
    assert after.due_on == add_months(before.received_on, 3)
    assert (after.status, after.extension_reason) == ("extended", "Your records span three of our systems.")
    told = outbox.last_to(ADA)
    assert told["Subject"] == f"Your privacy request #{after.number} needs more time – Shop acme"
    assert "Your records span three of our systems." in told.get_content()
    assert after.due_on.strftime("%d %B %Y") in told.get_content()
    again = owner_client.post(
        f"/privacy-requests/{request_id}/extend", data={"extend-extension": "1", "extend-reason": "Once more"}
    )
    assert again.status_code == 409 and "the law allows one extension" in again.get_data(as_text=True)
    assert load(app, shop.id, request_id).due_on == after.due_on


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"extend-extension": "2", "extend-reason": ""}, "This field is required."),
        ({"extend-extension": "12", "extend-reason": "Busy"}, "Choose one of the extensions offered."),
        ({"extend-extension": "2", "extend-reason": "nul\x00"}, None),
    ],
)
def test_an_extension_needs_a_reason_and_an_offered_length(app, shop, ada, owner_client, outbox, data, message):
    request_id = make_request(app, shop, "access", ADA, when=ago(2))
    due = load(app, shop.id, request_id).due_on

    response = owner_client.post(f"/privacy-requests/{request_id}/extend", data=data)

    assert response.status_code == 400
    if message:
        assert message in field_errors(response)
    assert load(app, shop.id, request_id).due_on == due
    assert [m["Subject"] for m in outbox.messages if "needs more time" in m["Subject"]] == []


def test_an_extension_after_the_deadline_is_refused(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "access", ADA, when=ago(40))

    response = owner_client.post(
        f"/privacy-requests/{request_id}/extend", data={"extend-extension": "1", "extend-reason": "Late"}
    )

    assert response.status_code == 409
    assert "The deadline has passed" in response.get_data(as_text=True)
    assert "can no longer be extended" in owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)


def test_a_californian_shop_has_45_days_and_45_more(app, shop, ada, owner_client):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    request_id = make_request(app, shop, "access", ADA, when=ago(2))
    received = load(app, shop.id, request_id)
    assert (received.jurisdiction, received.due_on) == ("ccpa", received.received_on + timedelta(days=45))

    owner_client.post(
        f"/privacy-requests/{request_id}/extend", data={"extend-extension": "45", "extend-reason": "Busy"}
    )

    assert load(app, shop.id, request_id).due_on == received.received_on + timedelta(days=90)


def test_completing_needs_a_note_which_the_requester_gets(app, shop, ada, owner_client, outbox):
    request_id = make_request(app, shop, "access", ADA)

    empty = owner_client.post(f"/privacy-requests/{request_id}/complete", data={"complete-note": "  "})
    done = owner_client.post(
        f"/privacy-requests/{request_id}/complete", data={"complete-note": "We sent you your data as a JSON file."}
    )
    twice = owner_client.post(f"/privacy-requests/{request_id}/complete", data={"complete-note": "Again"})

    request = load(app, shop.id, request_id)
    assert empty.status_code == 400 and "This field is required." in field_errors(empty)
    assert done.status_code == 303
    assert (request.status, request.resolution) == ("completed", "We sent you your data as a JSON file.")
    mail = outbox.last_to(ADA)
    assert mail["Subject"] == f"Your privacy request #{request.number} is done – Shop acme"
    assert "We sent you your data as a JSON file." in mail.get_content()
    assert twice.status_code == 409 and "is completed; it cannot be changed now" in twice.get_data(as_text=True)
    assert event_actions(app, shop.id, request_id) == ["received", "verified", "completed"]


def test_refusing_gives_the_reason_and_the_right_to_complain_and_lifts_a_restriction(
    app, shop, ada, owner_client, outbox
):
    request_id = make_request(app, shop, "restriction", ADA)
    assert customer_row(app, shop.id, ada.id).processing_restricted_at is not None

    response = owner_client.post(
        f"/privacy-requests/{request_id}/refuse", data={"refuse-note": "We must keep using it to finish your repair."}
    )

    request = load(app, shop.id, request_id)
    assert response.status_code == 303 and request.status == "refused"
    assert customer_row(app, shop.id, ada.id).processing_restricted_at is None
    mail = outbox.last_to(ADA).get_content()
    assert "We must keep using it to finish your repair." in mail
    assert "data protection supervisory authority" in mail and "court" in mail
    assert event_actions(app, shop.id, request_id)[-2:] == ["limit_lifted", "refused"]


def test_a_californian_refusal_points_to_californias_agency(app, shop, ada, owner_client, outbox):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    request_id = make_request(app, shop, "erasure", ADA)

    owner_client.post(f"/privacy-requests/{request_id}/refuse", data={"refuse-note": "Invoices are kept by law."})

    assert "California Privacy Protection Agency" in outbox.last_to(ADA).get_content()


def test_a_refusal_needs_a_reason(app, shop, ada, owner_client, outbox):
    request_id = make_request(app, shop, "erasure", ADA)

    response = owner_client.post(f"/privacy-requests/{request_id}/refuse", data={"refuse-note": ""})

    assert response.status_code == 400 and "This field is required." in field_errors(response)
    assert load(app, shop.id, request_id).status == "verified"


def test_an_unconfirmed_request_cannot_be_worked(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "access", ADA, verify=False)

    response = owner_client.post(f"/privacy-requests/{request_id}/complete", data={"complete-note": "Done"})

    assert response.status_code == 409 and "not confirmed yet" in response.get_data(as_text=True)
    assert load(app, shop.id, request_id).status == "received"


# --- correction ---------------------------------------------------------------------------


def test_a_correction_edits_the_customer_through_the_customers_rules_logged_twice(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "correction", ADA, details="New phone and address")
    number = load(app, shop.id, request_id).number
    path = f"/privacy-requests/{request_id}/customers/{ada.id}/correct"

    form = owner_client.get(path)
    response = owner_client.post(
        path, data={"name": "Ada Lovelace", "email": ADA, "phone": "(217) 555-0199", "address": "12 St James's Square"}
    )

    customer = customer_row(app, shop.id, ada.id)
    assert form.status_code == 200 and "New phone and address" in form.get_data(as_text=True)
    assert response.status_code == 303
    assert (customer.phone, customer.address) == ("+12175550199", "12 St James's Square")
    assert event_actions(app, shop.id, request_id)[-1] == "corrected"
    log = access_log(app, shop.id)
    assert ("view", "customer", ada.id, f"Opened for correction (privacy request #{number})") in log
    assert ("edit", "customer", ada.id, f"Corrected from privacy request #{number}") in log
    page = owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)
    assert "Ada Lovelace: phone, address corrected." in page


def test_a_correction_with_a_bad_phone_is_refused_under_the_field_and_changes_nothing(app, shop, ada, owner_client):
    request_id = make_request(app, shop, "correction", ADA)

    response = owner_client.post(
        f"/privacy-requests/{request_id}/customers/{ada.id}/correct",
        data={"name": "Ada Byron", "email": ADA, "phone": "12", "address": ""},
    )

    assert response.status_code == 400 and field_errors(response)
    assert customer_row(app, shop.id, ada.id).name == "Ada Lovelace"
    assert event_actions(app, shop.id, request_id)[-1] == "verified"


def test_only_an_open_correction_request_corrects_and_only_its_own_customers(app, factory, shop, ada, owner_client):
    other = factory.customer(shop, name="Not Asked", email="other@example.com")
    correction = make_request(app, shop, "correction", ADA)
    access = make_request(app, shop, "access", ADA)
    data = {"name": "Changed", "email": ADA}

    not_theirs = owner_client.post(f"/privacy-requests/{correction}/customers/{other.id}/correct", data=data)
    wrong_kind = owner_client.get(f"/privacy-requests/{access}/customers/{ada.id}/correct")
    owner_client.post(f"/privacy-requests/{correction}/complete", data={"complete-note": "Nothing to change"})
    closed = owner_client.post(f"/privacy-requests/{correction}/customers/{ada.id}/correct", data=data)

    assert not_theirs.status_code == 404
    assert wrong_kind.status_code == 409 and "Only a correction request" in wrong_kind.get_data(as_text=True)
    assert closed.status_code == 409
    assert {customer_row(app, shop.id, ada.id).name, customer_row(app, shop.id, other.id).name} == {
        "Ada Lovelace",
        "Not Asked",
    }
