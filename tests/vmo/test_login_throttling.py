import pytest

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_lock_the_account_out(client, settings, executive):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3

    for _ in range(3):
        client.post("/login/", {"username": "eve_exec", "password": "wrong"})
    response = client.post("/login/", {"username": "eve_exec", "password": "pw"})

    assert response.status_code == 429
    assert client.get("/").status_code == 302  # still not logged in
