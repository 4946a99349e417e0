def test_public_landing_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Start your 14-day free trial" in response.data
