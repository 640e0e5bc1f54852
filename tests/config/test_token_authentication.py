"""`core.authentication.TokenAuthentication`: DRF's token check in one plain statement."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.authentication import TokenAuthentication
from funding.models import QuarterBudget

pytestmark = pytest.mark.django_db


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_authenticates_its_user_with_the_fields_the_orm_would_give(vsm):
    token = Token.objects.create(user=vsm)

    user, auth = TokenAuthentication().authenticate_credentials(token.key)

    assert (user.pk, user.username, user.is_active) == (vsm.pk, vsm.username, True)
    # The database's converters applied (SQLite returns text for a datetime column)
    assert isinstance(user.date_joined, dt.datetime)
    assert user.date_joined == vsm.date_joined
    assert user.check_password("x") == vsm.check_password("x")
    assert (auth.key, auth.user) == (token.key, user)


def test_the_user_and_token_cost_one_query(vsm):
    token = Token.objects.create(user=vsm)
    auth = TokenAuthentication()
    auth.authenticate_credentials(token.key)  # the statement is built once per process

    with CaptureQueriesContext(connection) as queries:
        user, _ = auth.authenticate_credentials(token.key)
        list(user.groups.values_list("name", flat=True))  # the user is a real model instance

    assert len(queries) == 2


def test_the_api_answers_a_token_with_its_users_rights(vsm, director, quarter):
    # given: a VSM may read budgets but not create one, a director may
    body = {"quarter": quarter.pk, "total": "1000.00"}

    assert _client(Token.objects.create(user=vsm).key).get("/api/value-streams/").status_code == 200
    assert _client(vsm.auth_token.key).post("/api/budgets/", body, format="json").status_code == 403
    assert QuarterBudget.objects.count() == 0
    assert (
        _client(Token.objects.create(user=director).key).post("/api/budgets/", body, format="json").status_code == 201
    )


@pytest.mark.parametrize("key", ["not-a-token", "0" * 40, "'OR'1'='1'--", "x\\'"])
def test_an_unknown_token_is_401_and_writes_nothing(director, quarter, key):
    Token.objects.create(user=director)
    client = _client(key)

    response = client.post("/api/budgets/", {"quarter": quarter.pk, "total": "1000.00"}, format="json")

    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    assert response["WWW-Authenticate"] == "Token"
    assert QuarterBudget.objects.count() == 0


def test_an_inactive_users_token_is_401(director, quarter):
    token = Token.objects.create(user=director)
    director.is_active = False
    director.save()

    response = _client(token.key).post("/api/budgets/", {"quarter": quarter.pk, "total": "1000.00"}, format="json")

    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."
    assert QuarterBudget.objects.count() == 0
