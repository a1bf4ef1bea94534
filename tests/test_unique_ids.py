"""Every id on a page is unique, also with the plan's htmx forms open (labels find their input)."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from indicators.models import Plan, Round
from tests.factories_appraisals import make_plan as approved_plan
from tests.factories_appraisals import set_status
from tests.factories_plans import make_plan

HTMX = {"HTTP_HX_REQUEST": "true"}


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.ids += [value for name, value in attrs if name == "id" and value]


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(name for name, count in Counter(parser.ids).items() if count > 1)


def get(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_plan_page_with_kpi_and_kra_forms_open_has_unique_ids(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=2, kras=2)
    client = client_for(agency.officer1)
    page = get(client, reverse("indicators:plan", args=[plan.pk]))
    first, second = plan.kras.order_by("pk")
    # What htmx adds: a new-KPI form in each KRA, an edit form, a KRA's edit form.
    parts = [
        get(client, reverse("indicators:kpi_new", args=[first.pk]), **HTMX),
        get(client, reverse("indicators:kpi_new", args=[second.pk]), **HTMX),
        get(client, reverse("indicators:kpi_edit", args=[plan.kpis.first().pk]), **HTMX),
        get(client, reverse("indicators:kra_edit", args=[second.pk]), **HTMX),
    ]
    assert 'id="kra-new-name"' in page  # the KRA form under the plan
    assert duplicate_ids(page + "".join(parts)) == []


def test_the_kpi_form_labels_point_at_its_own_inputs(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    kra = plan.kras.get()
    html = get(client_for(agency.officer1), reverse("indicators:kpi_new", args=[kra.pk]), **HTMX)
    prefix = f"kpi-form-new-{kra.pk}"
    assert f'for="{prefix}-name"' in html and f'id="{prefix}-name"' in html


@pytest.mark.parametrize("who", ["grp_head", "hr"])
def test_a_submitted_plan_seen_by_its_deciders_has_unique_ids(agency, the_round, client_for, who):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    html = get(client_for(getattr(agency, who)), reverse("indicators:plan", args=[plan.pk]))
    assert duplicate_ids(html) == []


def test_the_pages_of_a_round_have_unique_ids(agency, the_round, client_for):
    head_plan = make_plan(agency.grp_head, the_round, kpis=1)
    plan = approved_plan(agency.officer1, the_round)
    draft = make_plan(agency.officer2, the_round, kpis=1)
    head, officer, hr = (client_for(n) for n in (agency.grp_head, agency.officer1, agency.hr))
    pages = [
        (head, reverse("home")),
        (head, reverse("indicators:team")),
        (head, reverse("indicators:cascade", args=[head_plan.kpis.get().pk])),
        (head, reverse("indicators:cascade_tree", args=[head_plan.kpis.get().pk])),
        (head, reverse("orgchart:tree")),
        (hr, reverse("indicators:rounds")),
        (client_for(agency.officer2), reverse("indicators:plan_submit", args=[draft.pk])),
    ]
    for client, url in pages:
        assert duplicate_ids(get(client, url)) == [], url
    set_status(the_round, Round.Status.ASSESSMENT)
    pages = [
        (officer, reverse("appraisals:results", args=[plan.pk])),
        (head, reverse("appraisals:assess", args=[plan.pk])),
        (head, reverse("appraisals:team")),
    ]
    for client, url in pages:
        assert duplicate_ids(get(client, url)) == [], url
