"""Every form is protected against cross-site request forgery."""

import pytest
from sqlalchemy import func, select

from saas.core.extensions import db
from saas.core.tenant import Tenant


@pytest.fixture
def protected_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_signup_without_csrf_token_is_refused_and_creates_nothing(protected_app):
    response = protected_app.test_client().post(
        "/signup",
        data={
            "shop_name": "Forged",
            "subdomain": "forged",
            "owner_name": "X",
            "email": "x@example.com",
            "password": "long-enough-pass",
            "confirm": "long-enough-pass",
            "country": "US",
            "accept_policies": "y",
        },
    )
    assert response.status_code == 400
    assert b"The form expired" in response.data
    with protected_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tenant)) == 0


def test_forms_carry_a_csrf_token(protected_app):
    page = protected_app.test_client().get("/signup").get_data(as_text=True)
    assert 'name="csrf_token"' in page
