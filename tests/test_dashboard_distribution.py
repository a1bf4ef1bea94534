"""The dashboard before anyone is assessed: the plans' achievement by band (issue 14.6)."""

import json

import pytest
from django.urls import reverse

from appraisals.models import Appraisal
from appraisals.summary import achievement_distribution
from tests.factories_reports import make_round, standard_results
from tests.test_dashboard import grow

URL = reverse("appraisals:dashboard")
BANDS = ["ดีเด่น", "ดีมาก", "ดี", "พอใช้", "ต้องปรับปรุง"]


@pytest.fixture
def the_round(agency):
    """Results are in (70.00, 48.00 and 100.00 in DIV), nobody is assessed yet."""
    the_round = make_round()
    standard_results(agency, the_round)
    Appraisal.objects.update(status=Appraisal.Status.OPEN)
    return the_round


def chart_of(page: str) -> dict:
    start = page.index('type="application/json">') + len('type="application/json">')
    return json.loads(page[start : page.index("</script>", start)])


def test_the_chart_shows_the_plans_by_achievement_band(agency, the_round, client_for):
    response = client_for(agency.hr).get(URL, {"round": the_round.pk, "unit": "DIV"})
    page = response.content.decode()
    chart = chart_of(page)
    assert chart["labels"] == BANDS
    assert chart["series"] == [{"label": "แผน", "data": [1, 0, 1, 0, 1]}]
    assert "ยังไม่มีผู้ได้รับการประเมิน" in chart["title"]
    assert 'id="achievement-distribution"' in page
    assert '<tr data-band="ดีเด่น"><td>ดีเด่น</td><td class="text-end">1</td></tr>' in page


def test_the_distribution_keeps_to_the_users_view(agency, the_round):
    assert achievement_distribution(the_round, agency.grp_head.user) == [
        ("ดีเด่น", 0), ("ดีมาก", 0), ("ดี", 1), ("พอใช้", 0), ("ต้องปรับปรุง", 1),
    ]  # fmt: skip
    assert achievement_distribution(the_round, agency.hr_other.user)[0] == ("ดีเด่น", 1)


def test_once_someone_is_assessed_the_chart_counts_rating_bands_by_unit(
    agency, the_round, client_for
):
    Appraisal.objects.filter(plan__owner=agency.officer1).update(status=Appraisal.Status.ASSESSED)
    page = client_for(agency.hr).get(URL, {"round": the_round.pk, "unit": "DIV"}).content
    chart = chart_of(page.decode())
    assert [series["label"] for series in chart["series"]] == BANDS
    assert 'id="achievement-distribution"' not in page.decode()


def test_the_dashboard_says_what_officers_counts(agency, the_round, client_for):
    page = client_for(agency.hr).get(URL, {"round": the_round.pk}).content.decode()
    assert page.count("ผู้ปฏิบัติงาน (คน ไม่นับแผนของหน่วยงาน)") == 2  # the card and the column


@pytest.mark.parametrize(("groups", "people"), [(1, 1), (6, 5)])
def test_distribution_query_count_does_not_grow_with_the_tree(
    agency, the_round, client_for, django_assert_num_queries, groups, people
):
    grow(agency, the_round, groups, people)
    Appraisal.objects.update(status=Appraisal.Status.OPEN)
    client = client_for(agency.hr)
    # The dashboard's 13 (with the unit plans): the plans' achievement by band comes
    # with the grouped tallies, from their kept tallies (issue 13; it was 2 more queries).
    with django_assert_num_queries(13):
        response = client.get(URL, {"round": the_round.pk, "unit": "DIV"})
    assert sum(count for _band, count in response.context["distribution"]) == 3 + groups * people
