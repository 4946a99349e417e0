"""Policies: the platform's documents with every version, and each shop's generated, versioned policy."""

from __future__ import annotations

import pytest
from markupsafe import escape

from saas.auth.roles import Role
from saas.privacy.policies import DOCUMENTS, PRIVACY, TERMS
from saas.privacy.shop_policy import normalize, policy_diff, policy_html, text_hash
from tests.fixtures.shops import update_shop
from tests.privacy.policy_helpers import publish, save_settings, seen_hash, versions_of

# --- the platform's documents -----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "document"),
    [("/privacy", PRIVACY), ("/terms", TERMS)],
    ids=["privacy", "terms"],
)
def test_each_platform_document_shows_its_current_version_and_date(client, path, document):
    page = client.get(path).get_data(as_text=True)
    assert document.title in page
    assert f"Version {document.version}" in page and document.current.effective.strftime("%d %B %Y") in page
    assert "This is an earlier version" not in page


def test_every_earlier_version_keeps_its_full_text_and_date_and_points_to_the_current_one(client):
    [first, current] = PRIVACY.versions
    old = client.get(f"/legal/privacy/{first.version}").get_data(as_text=True)
    assert f"Version {first.version}" in old and "This is an earlier version" in old
    # The 1 November text said so; the current one does not: each version is its own text.
    assert "particularly sensitive fields get an additional layer of encryption" in old
    new = client.get("/privacy").get_data(as_text=True)
    assert "additional layer of encryption" not in new and "within one month" in new
    assert f"/legal/privacy/{first.version}" in new and str(escape(current.changes)) in new


def test_an_unknown_document_or_version_is_a_404(client):
    assert client.get("/legal/privacy/1999-01-01").status_code == 404
    assert client.get("/legal/nothing/2026-11-01").status_code == 404


def test_the_cookie_policy_names_the_cookies_the_platform_sets(client, app):
    page = client.get("/cookies").get_data(as_text=True)
    assert app.config["SESSION_COOKIE_NAME"] in page and app.config["REMEMBER_COOKIE_NAME"] in page


def test_every_version_of_every_document_renders(client):
    for document in DOCUMENTS.values():
        for version in document.versions:
            assert client.get(f"/legal/{document.key}/{version.version}").status_code == 200


# --- a shop's generated policy ---------------------------------------------------------


def test_before_any_version_the_public_page_shows_the_policy_generated_from_the_shop_settings(app, shop, shop_client):
    visitor = shop_client("acme")
    update_shop(
        app, shop.id, email="hello@acme.example", phone="+15550100", address="1 Main St\nSpringfield", country="DE"
    )
    page = visitor.get("/privacy/policy").get_data(as_text=True)
    assert "Privacy policy of Shop acme" in page and "has not published a dated version" in page
    assert "hello@acme.example" in page and "+15550100" in page and "1 Main St, Springfield" in page
    assert "Germany" in page
    assert "http://acme.workbay.test/privacy" in page  # where to make a request


def test_the_policy_names_the_processors_the_shop_actually_uses(make_app, factory):
    local = make_app(STORAGE_BACKEND="local", MAIL_BACKEND="smtp", SMTP_HOST="smtp.mailer.example")
    s3 = make_app(
        STORAGE_BACKEND="s3", S3_BUCKET="b", S3_REGION="eu-central-1", MAIL_PROVIDER="Postmark (ActiveCampaign)"
    )
    factory.tenant("acme")
    from tests.fixtures.clients import host_client

    on_local = host_client(local, "acme.workbay.test").get("/privacy/processors").get_data(as_text=True)
    on_s3 = host_client(s3, "acme.workbay.test").get("/privacy/processors").get_data(as_text=True)
    assert "E-mail delivery through smtp.mailer.example" in on_local and "Amazon S3" not in on_local
    assert "Amazon Web Services (Amazon S3)" in on_s3 and "eu-central-1" in on_s3 and "encrypted at rest" in on_s3
    assert "Postmark (ActiveCampaign)" in on_s3
    assert "Stripe" not in on_local + on_s3  # it bills the shop, never sees its customers


def test_owner_publishes_version_one_then_only_a_change_makes_a_new_version(app, shop, owner_client, shop_client):
    visitor = shop_client("acme")
    publish(owner_client)
    [first] = versions_of(app, shop.id)
    assert first["version"] == 1 and first["material"] is False and first["text_hash"] == text_hash(first["text"])
    page = visitor.get("/privacy/policy").get_data(as_text=True)
    assert "Version 1" in page and "has not published" not in page

    owner_page = owner_client.get("/settings/privacy/policy").get_data(as_text=True)
    assert "Version 1 is up to date" in owner_page and "Publish version" not in owner_page
    # Posting anyway: nothing to publish (409), nothing written.
    response = owner_client.post("/settings/privacy/policy", data={"seen_hash": first["text_hash"], "summary": ""})
    assert response.status_code == 409 and "Nothing changed since version 1" in response.get_data(as_text=True)
    assert len(versions_of(app, shop.id)) == 1


def test_a_settings_change_shows_the_diff_and_publishing_keeps_every_version_text_and_date(
    app, shop, owner_client, shop_client
):
    visitor = shop_client("acme")
    publish(owner_client)
    save_settings(owner_client, policy_additions="We film the workshop for safety.")
    page = owner_client.get("/settings/privacy/policy").get_data(as_text=True)
    assert "Changes since version 1" in page
    assert 'class="diff-added"' in page and "We film the workshop for safety." in page
    publish(owner_client, summary="We added a note about the camera.")
    first, second = versions_of(app, shop.id)
    assert "We film the workshop" not in first["text"] and "We film the workshop" in second["text"]
    assert second["version"] == 2 and second["published_at"] >= first["published_at"]

    current = visitor.get("/privacy/policy").get_data(as_text=True)
    assert "Version 2" in current and "What changed since version 1" in current
    assert "We added a note about the camera." in current and "/privacy/policy/1" in current
    old = visitor.get("/privacy/policy/1").get_data(as_text=True)
    assert "This is an earlier version" in old and "We film the workshop" not in old


def test_publishing_what_was_not_reviewed_is_refused(app, shop, owner_client):
    page = owner_client.get("/settings/privacy/policy").get_data(as_text=True)
    reviewed = seen_hash(page)
    save_settings(owner_client, policy_additions="Changed meanwhile.")
    response = owner_client.post("/settings/privacy/policy", data={"seen_hash": reviewed, "summary": ""})
    assert response.status_code == 409 and "changed while you were reviewing" in response.get_data(as_text=True)
    assert versions_of(app, shop.id) == []


def test_a_material_change_needs_a_summary_and_a_first_version_is_never_material(app, shop, owner_client):
    publish(owner_client, material=True)
    [first] = versions_of(app, shop.id)
    assert first["material"] is False  # nobody agreed to an earlier version
    save_settings(owner_client, policy_additions="New purpose.")
    response = publish(owner_client, material=True, summary="", expect=400)
    assert "Say in a few words what changed" in response.get_data(as_text=True)
    assert len(versions_of(app, shop.id)) == 1


def test_an_unknown_version_is_a_404(shop, shop_client):
    visitor = shop_client("acme")
    for number in ("7", "0", "-1", "x", "99999999999999999999"):
        assert visitor.get(f"/privacy/policy/{number}").status_code == 404, number


# --- settings and who may see what ------------------------------------------------------


def test_the_settings_page_saves_the_age_rules_and_the_shops_own_words(app, shop, owner_client):
    update_shop(app, shop.id, country="GB")
    page = owner_client.get("/settings/privacy").get_data(as_text=True)
    assert "The age for consent in United Kingdom: 13" in page
    save_settings(owner_client, booking_age_check="y", booking_minimum_age="16", marketing_minimum_age="16")
    page = owner_client.get("/settings/privacy").get_data(as_text=True)
    assert "asks for 16+" in page and "16+" in page
    assert 'value="16" selected' in page or 'selected value="16"' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"booking_minimum_age": "9"}, "Number must be between 13 and 21."),
        ({"booking_minimum_age": "old"}, "Not a valid integer value."),
        ({"marketing_minimum_age": "12"}, "Not a valid choice."),
        ({"policy_additions": "x" * 4001}, "Field cannot be longer than 4000 characters."),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_is_saved(app, shop, owner_client, fields, message):
    response = save_settings(owner_client, expect=400, **fields)
    assert message in response.get_data(as_text=True)
    assert "asks no age" in owner_client.get("/settings/privacy").get_data(as_text=True)


def test_the_owner_finds_the_privacy_pages_from_the_settings_page(owner_client):
    page = owner_client.get("/settings").get_data(as_text=True)
    assert "/settings/privacy" in page and "/settings/privacy/policy" in page and "/settings/privacy/records" in page


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SERVICE_ADVISOR, Role.TECHNICIAN])
@pytest.mark.parametrize(
    "path",
    ["/settings/privacy", "/settings/privacy/policy", "/settings/privacy/records", "/settings/privacy/records.csv"],
)
def test_only_the_owner_reaches_the_privacy_pages(factory, shop, login_as, role, path):
    client = login_as(factory.user(shop, role))
    assert client.get(path).status_code == 403
    assert client.post("/settings/privacy/policy", data={"seen_hash": "0" * 64}).status_code in (403, 405)


def test_managers_do_not_see_the_privacy_card_on_the_settings_page(factory, shop, login_as):
    manager = login_as(factory.user(shop, Role.MANAGER))
    assert "/settings/privacy/records" not in manager.get("/settings").get_data(as_text=True)


def test_the_privacy_pages_need_a_login(shop, shop_client):
    visitor = shop_client("acme")
    response = visitor.get("/settings/privacy/policy")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_shops_versions_and_settings_stay_its_own(app, shop, other_shop, owner_client, shop_client):
    save_settings(owner_client, policy_additions="Only acme says this.")
    publish(owner_client)
    bravo = shop_client("bravo")
    assert bravo.get("/privacy/policy/1").status_code == 404
    page = bravo.get("/privacy/policy").get_data(as_text=True)
    assert "Only acme says this." not in page and "Shop bravo" in page
    assert versions_of(app, other_shop.id) == []
    # acme's session is host-only: on bravo's host it is nobody.
    session_cookie = owner_client.get_cookie("workbay_session", domain="acme.workbay.test")
    bravo.set_cookie("workbay_session", session_cookie.value, domain="bravo.workbay.test")
    response = bravo.get("/settings/privacy/policy")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the text itself --------------------------------------------------------------------


def test_the_markup_becomes_escaped_headings_lists_and_paragraphs():
    html = str(policy_html("## Title <b>\n- one\n- two & three\nA <script>x</script> paragraph\n"))
    assert html == (
        "<h2>Title &lt;b&gt;</h2>\n<ul>\n<li>one</li>\n<li>two &amp; three</li>\n</ul>\n"
        "<p>A &lt;script&gt;x&lt;/script&gt; paragraph</p>"
    )


def test_the_diff_shows_removed_and_added_lines_with_context_and_gaps():
    old = normalize("\n".join(f"line {n}" for n in range(10)))
    new = old.replace("line 2\n", "line two\n").replace("line 8\n", "")
    kinds = [(line.kind, line.text) for line in policy_diff(old, new)]
    assert kinds == [
        ("gap", "…"),
        ("same", "line 1"),
        ("removed", "line 2"),
        ("added", "line two"),
        ("same", "line 3"),
        ("gap", "…"),
        ("same", "line 7"),
        ("removed", "line 8"),
        ("same", "line 9"),
    ]


def test_equal_settings_give_an_equal_text_and_hash(app, shop):
    from saas.core.tenancy import tenant_scope
    from saas.privacy.policy_versions import current_draft

    with app.test_request_context(), tenant_scope(shop.id):
        first, second = current_draft(), current_draft()
    assert first.text == second.text and first.text_hash == second.text_hash and first.text.endswith("\n")


def test_the_policy_pages_run_the_same_number_of_queries_for_two_or_four_versions(
    app, shop, owner_client, shop_client, count_queries
):
    for n in range(2):
        save_settings(owner_client, policy_additions=f"Note {n}.")
        publish(owner_client)
    visitor = shop_client("acme")
    with count_queries() as few_owner:
        assert owner_client.get("/settings/privacy/policy").status_code == 200
    with count_queries() as few_public:
        assert visitor.get("/privacy/policy").status_code == 200
    for n in range(2, 4):
        save_settings(owner_client, policy_additions=f"Note {n}.")
        publish(owner_client)
    with count_queries() as many_owner:
        assert "Version 4" in owner_client.get("/settings/privacy/policy").get_data(as_text=True)
    with count_queries() as many_public:
        assert "/privacy/policy/1" in visitor.get("/privacy/policy").get_data(as_text=True)
    assert few_owner.count == many_owner.count, many_owner.statements
    assert few_public.count == many_public.count, many_public.statements
