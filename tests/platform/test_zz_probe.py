import re
def test_probe(app, client, shop_client, admin_client, factory, outbox):
    t = factory.tenant("acme")
    c = shop_client("acme"); r = c.post("/login?next=/customers", data={"email": "owner@acme.test", "password": "correct-horse-battery"}); print(r.status_code, r.headers.get("Location"), re.findall(r'class="error">([^<]*)', r.get_data(as_text=True)))
    assert 0
