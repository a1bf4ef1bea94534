"""API tokens: stored hashed, shown once, revoked by the user or an administrator; 401 JSON."""

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.tokens import MAX_ACTIVE_TOKENS, token_create, token_revoke
from tests.api_helpers import ApiClient, token_for

ROUNDS = "/api/v1/rounds/"


def test_the_token_is_stored_only_as_its_sha256(agency):
    token = token_for(agency.officer1)
    row = ApiToken.objects.get()
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:12] and len(token) > 40
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(token in value for value in stored)


def test_a_valid_token_reads_and_records_when_it_was_last_used(agency):
    token = token_for(agency.officer1)
    assert ApiToken.objects.get().last_used_at is None
    response = ApiClient(token).get(ROUNDS)
    assert response.status_code == 200, response.content
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [None, "Bearer kpi_not-a-real-token", "Bearer", "Basic b2ZmaWNlcjE6cGFzcy0xMjM0NQ=="],
)
def test_without_a_valid_token_the_api_answers_401_json(agency, client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(ROUNDS, **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_a_signed_in_browser_session_is_not_an_api_credential(agency, client_for):
    assert client_for(agency.officer1).get(ROUNDS).status_code == 401


def test_a_revoked_token_answers_401_at_once(agency):
    token = token_for(agency.officer1)
    api = ApiClient(token)
    assert api.get(ROUNDS).status_code == 200
    token_revoke(token=ApiToken.objects.get(), by=agency.officer1.user)
    response = api.get(ROUNDS)
    assert response.status_code == 401
    assert response.json()["detail"] == "โทเคนไม่ถูกต้องหรือถูกยกเลิกแล้ว"


def test_the_token_of_a_deactivated_user_answers_401(agency):
    token = token_for(agency.officer1)
    agency.officer1.user.is_active = False
    agency.officer1.user.save()
    assert ApiClient(token).get(ROUNDS).status_code == 401


def test_errors_follow_accept_language(agency, client):
    english = client.get(ROUNDS, HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION="Bearer kpi_x")
    assert english.json()["detail"] == "The token is invalid or has been revoked."
    assert english["Content-Language"] == "en"
    thai = client.get(ROUNDS, HTTP_AUTHORIZATION="Bearer kpi_x")
    assert thai.json()["detail"] == "โทเคนไม่ถูกต้องหรือถูกยกเลิกแล้ว"


def test_the_page_creates_a_token_and_shows_it_once(agency, client_for):
    client = client_for(agency.officer1)
    url = reverse("api:tokens")
    page = client.post(url, {"name": "ระบบบุคลากร"}).content.decode()
    row = ApiToken.objects.get(user=agency.officer1.user)
    assert row.name == "ระบบบุคลากร" and 'id="new-token"' in page
    start = page.index(row.prefix)
    token = page[start : start + 47]
    assert hashlib.sha256(token.encode()).hexdigest() == row.digest
    again = client.get(url).content.decode()
    assert row.prefix in again and token not in again and 'id="new-token"' not in again
    assert ApiClient(token).get(ROUNDS).status_code == 200


def test_the_page_refuses_a_token_without_a_name(agency, client_for):
    response = client_for(agency.officer1).post(reverse("api:tokens"), {"name": "  "}, follow=True)
    assert "กรุณาตั้งชื่อโทเคน" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_at_most_ten_active_tokens(agency):
    for n in range(MAX_ACTIVE_TOKENS):
        token_for(agency.officer1, name=f"t{n}")
    with pytest.raises(Exception, match="ครบ"):
        token_create(user=agency.officer1.user, name="one more", by=agency.officer1.user)
    token_revoke(token=ApiToken.objects.first(), by=agency.officer1.user)
    token_for(agency.officer1, name="after revoking one")


def test_the_user_revokes_their_own_token_on_the_page(agency, client_for):
    token = token_for(agency.officer1)
    row = ApiToken.objects.get()
    response = client_for(agency.officer1).post(reverse("api:token_revoke", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == agency.officer1.user
    assert ApiClient(token).get(ROUNDS).status_code == 401


def test_nobody_revokes_someone_elses_token_on_the_page(agency, client_for):
    token_for(agency.officer1)
    row = ApiToken.objects.get()
    for who in (agency.grp_head, agency.hr, agency.admin):
        response = client_for(who).post(reverse("api:token_revoke", args=[row.pk]))
        assert response.status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
    page = client_for(agency.officer2).get(reverse("api:tokens")).content.decode()
    assert row.prefix not in page


def test_an_administrator_creates_and_revokes_a_token_in_the_admin(agency, client_for):
    admin = client_for(agency.admin)
    add = reverse("admin:api_apitoken_add")
    response = admin.post(add, {"user": agency.officer1.user.pk, "name": "HRIS"}, follow=True)
    row = ApiToken.objects.get(user=agency.officer1.user)
    page = response.content.decode()
    assert row.prefix in page
    start = page.index(row.prefix)
    token = page[start : start + 47]
    assert ApiClient(token).get(ROUNDS).status_code == 200
    changelist = reverse("admin:api_apitoken_changelist")
    admin.post(changelist, {"action": "revoke", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == agency.admin
    assert ApiClient(token).get(ROUNDS).status_code == 401


def test_the_rate_limit_answers_429_after_api_rate_calls(agency, settings):
    settings.API_RATE = "3/min"
    api = ApiClient(token_for(agency.officer1))
    other = ApiClient(token_for(agency.officer2))
    assert [api.get(ROUNDS).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get(ROUNDS)
    assert refused.status_code == 429
    assert "Retry-After" in refused and "บ่อยเกินกำหนด" in refused.json()["detail"]
    assert other.get(ROUNDS).status_code == 200  # counted per token
