"""The API's authorization matrix: every API endpoint x every role, with tokens.

The same roles and world as tests/test_authorization_matrix.py (officer1's
records); every caller holds an API token, anonymous holds none. Reads
answer as the pages do (404 outside the view), the write is the holder's
alone (403 for others who see it), anonymous 401. The write (Row.post) is a
PUT of a JSON body, or a POST for the URL names in POSTED (check-ins).
"""

import json

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from api.tokens import token_create
from appraisals.models import Result
from monitoring.models import CheckIn
from tests.api_matrix_rows import API_MATRIX, POSTED
from tests.conftest import build_agency
from tests.test_authorization_matrix import (
    MATRIX,
    PEOPLE,
    ROLES,
    build_world,
    check,
    project_url_names,
)


def test_every_api_url_is_in_the_api_matrix():
    names, _unnamed = project_url_names()
    api_names = {name for name in names if name.startswith("api:")}
    pages = {name for name in api_names if name in MATRIX}
    assert pages == {"api:docs", "api:tokens", "api:token_revoke"}
    missing = sorted(api_names - pages - set(API_MATRIX))
    assert not missing, f"API URL names missing from tests/api_matrix_rows.py: {missing}"
    assert not sorted(set(API_MATRIX) - api_names)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The page matrix's world, plus a token per role; rolled back at the module's end."""
    media = tmp_path_factory.mktemp("private")
    with (
        override_settings(PRIVATE_MEDIA_ROOT=media, API_RATE="100000/min"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = build_world(build_agency())
        world.tokens = {}
        for role, person in PEOPLE.items():
            who = getattr(world.a, person)
            user = who if role == "admin" else who.user
            world.tokens[role] = token_create(user=user, name="matrix", by=user)[1]
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(db, shared_world, settings):
    settings.API_RATE = "100000/min"
    return shared_world


def headers(world, role) -> dict:
    if role == "anonymous":
        return {}
    return {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"}


def url_of(world, name) -> str:
    return reverse(name, kwargs=API_MATRIX[name].kwargs(world))


def expected_json(response, label) -> None:
    if response.status_code >= 400:
        assert response["Content-Type"].split(";")[0].endswith("json"), label
        assert response.json()["detail"], label


GET_CASES = [(name, role) for name in API_MATRIX for role in ROLES]
PUT_CASES = [
    (name, role)
    for name, row in API_MATRIX.items()
    if row.post and name not in POSTED
    for role in ROLES
]
POST_CASES = [(name, role) for name in sorted(POSTED) for role in ROLES]


@pytest.mark.parametrize(("name", "role"), GET_CASES, ids=[f"{n}-{r}" for n, r in GET_CASES])
def test_api_access(world, name, role):
    response = Client().get(url_of(world, name), **headers(world, role))
    label = f"GET {name} as {role}"
    check(response, API_MATRIX[name].get[role], label)
    expected_json(response, label)


@pytest.mark.parametrize(("name", "role"), PUT_CASES, ids=[f"{n}-{r}" for n, r in PUT_CASES])
def test_api_write_access(world, name, role):
    row = API_MATRIX[name]
    body = json.dumps(row.data(world))
    response = Client().put(
        url_of(world, name), body, content_type="application/json", **headers(world, role)
    )
    label = f"PUT {name} as {role}"
    check(response, row.post[role], label)
    expected_json(response, label)
    saved = Result.objects.get(kpi=world.approved_kpi).actual
    assert (saved == 45) == (response.status_code == 200), label


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_api_post_access(world, name, role):
    row = API_MATRIX[name]
    body = json.dumps(row.data(world))
    response = Client().post(
        url_of(world, name), body, content_type="application/json", **headers(world, role)
    )
    label = f"POST {name} as {role}"
    check(response, row.post[role], label)
    expected_json(response, label)
    saved = CheckIn.objects.filter(kpi=world.approved_kpi).exists()
    assert saved == (response.status_code == 201), label
