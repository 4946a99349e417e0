"""GET /healthz tells a load balancer whether the database answers."""


def test_healthz_answers_200_when_the_database_is_reachable(client, shop_client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    # also on any shop's host, even one that does not exist: balancers probe every name
    assert shop_client("whatever").get("/healthz").status_code == 200


def test_healthz_answers_503_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://nobody@/nowhere?host={tmp_path}&connect_timeout=1")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
