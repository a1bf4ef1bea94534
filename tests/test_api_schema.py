"""The OpenAPI schema is valid and complete; the docs page works offline under the CSP."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.api_helpers import api_for


def test_the_schema_is_valid_openapi(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    text = path.read_text()
    assert text.startswith("openapi: 3")


def test_the_schema_lists_every_endpoint_and_the_bearer_token(agency):
    response = api_for(agency.officer1).get(reverse("api:schema"))
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/nodes/", "/api/v1/nodes/{id}/", "/api/v1/rounds/", "/api/v1/rounds/{id}/",
        "/api/v1/plans/", "/api/v1/plans/{id}/", "/api/v1/results/", "/api/v1/results/{id}/",
        "/api/v1/appraisals/", "/api/v1/appraisals/{id}/", "/api/v1/kpis/{id}/result/",
        "/api/v1/kpis/{id}/checkins/",
    }  # fmt: skip
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"
    put = schema["paths"]["/api/v1/kpis/{id}/result/"]["put"]
    assert {"400", "403", "404", "409"} <= set(put["responses"])
    checkins = schema["paths"]["/api/v1/kpis/{id}/checkins/"]
    assert {"400", "403", "404", "409"} <= set(checkins["post"]["responses"])
    assert checkins["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    listed = checkins["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["$ref"].endswith("/PaginatedCheckInList")
    plan_list = schema["paths"]["/api/v1/plans/"]["get"]["parameters"]
    assert {"round", "unit", "page", "page_size"} <= {p["name"] for p in plan_list}


@pytest.fixture
def docs(agency, client_for):
    client = client_for(agency.officer1)
    return client, client.get(reverse("api:docs"))


def test_the_docs_page_needs_a_sign_in(agency, client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_docs_page_has_no_inline_script_or_style_and_a_strict_csp(docs):
    _client, response = docs
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and " style=" not in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp


def test_the_docs_assets_are_served_from_this_server(docs):
    client, response = docs
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 5
    for url in assets:
        assert url.startswith("/"), f"not local: {url}"
        url = url.replace("&amp;", "&")
        answer = client.get(url)
        assert answer.status_code == 200, url
    assert any("swagger-ui-bundle.js" in url for url in assets)


def test_the_docs_script_points_swagger_ui_at_the_schema(docs):
    client, _response = docs
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    text = script.content.decode()
    assert "SwaggerUIBundle" in text and reverse("api:schema") in text
    assert '"validatorUrl": null' in text
