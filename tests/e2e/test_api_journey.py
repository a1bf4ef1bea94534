"""Browser journey: an officer makes an API token, reads the API docs offline, uses the token."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories_appraisals import make_plan, set_status

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_makes_a_token_and_reads_the_api_docs(
    person, agency, the_round, shot, live_server, watch
):
    # The docs page is drf-spectacular's Swagger UI, third-party markup we serve as it comes:
    # its own colours (the green version stamp, the method badges) and its operation rows
    # (a button inside a button) fail axe there and only there. Our pages are held to axe.
    watch.allow(r"axe (serious|critical): [a-z-]+ .* on /api/docs/ ")
    make_plan(agency.officer1, set_status(the_round))
    tab = person("officer1")
    outside = []
    tab.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(live_server.url) or request.url.startswith("data:")
            else outside.append(request.url)
        ),
    )
    tab.locator("#nav-api-tokens").click()
    expect(tab.get_by_role("heading", name="โทเคน API")).to_be_visible()
    tab.get_by_label("ชื่อโทเคน").fill("ระบบบุคลากร")
    tab.get_by_role("button", name="สร้างโทเคน").click()
    token = tab.locator("#new-token code").first.inner_text().strip()
    assert re.fullmatch(r"kpi_[\w-]{43}", token)
    shot(tab, "api-tokens")

    answer = tab.request.get(
        "/api/v1/plans/", headers={"Authorization": f"Bearer {token}", "Cookie": ""}
    )
    assert answer.status == 200
    assert answer.json()["results"][0]["owner"]["code"] == "P-O1"

    tab.get_by_role("link", name="เอกสาร API").click()
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("KPI Portal API")
    expect(tab.locator(".opblock-tag-section").first).to_be_visible()
    tab.get_by_text("/api/v1/plans/", exact=True).first.click()
    expect(tab.locator(".opblock-body").first).to_be_visible()
    shot(tab, "api-docs", full_page=False)
    assert not outside, f"the docs page asked another host: {outside}"

    tab.goto("/api/tokens/")
    tab.get_by_role("button", name="ยกเลิกโทเคน").click()
    expect(tab.get_by_text("ยกเลิกแล้ว").first).to_be_visible()
    refused = tab.request.get("/api/v1/plans/", headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401
