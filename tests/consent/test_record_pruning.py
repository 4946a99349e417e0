"""Consent proof is deleted once past CONSENT_RECORD_DAYS: the public site's at once, each shop's by its own job."""

from __future__ import annotations

from sqlalchemy import text

from saas.consent.tasks import fan_out_record_pruning, prune_records_for_shop

ROW = (
    "INSERT INTO {table} ({tenant}consent_id, categories, policy_version, source, ip_hash, user_agent, given_at) "
    "VALUES ({value}:cid, ARRAY['analytics'], 'v1', 'banner', 'h', 'ua', now() - make_interval(days => :age))"
)


def add_consent(engine, consent_id: str, age_days: int, tenant_id: int | None = None) -> None:
    table, tenant, value = (
        ("cookie_consents", "tenant_id, ", ":t, ") if tenant_id else ("platform_cookie_consents", "", "")
    )
    with engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        conn.execute(
            text(ROW.format(table=table, tenant=tenant, value=value)),
            {"cid": consent_id, "age": age_days, "t": tenant_id},
        )


def consent_ids(engine, table: str) -> set[str]:
    with engine.begin() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        return set(conn.execute(text(f"SELECT consent_id FROM {table}")).scalars())


def test_old_consent_proof_goes_and_recent_proof_stays(app, shop, other_shop, owner_engine):
    add_consent(owner_engine, "old-site", 4 * 365)
    add_consent(owner_engine, "new-site", 30)
    add_consent(owner_engine, "old-acme", 4 * 365, shop.id)
    add_consent(owner_engine, "new-acme", 30, shop.id)
    add_consent(owner_engine, "old-bravo", 4 * 365, other_shop.id)

    with app.app_context():
        assert fan_out_record_pruning() == 2  # one job per shop enqueued
        assert prune_records_for_shop(shop.id) == 1

    assert consent_ids(owner_engine, "platform_cookie_consents") == {"new-site"}
    assert consent_ids(owner_engine, "cookie_consents") == {"new-acme", "old-bravo"}  # bravo's job has not run
