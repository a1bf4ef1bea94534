"""History: every change keeps who, when, and the old and new values; the plan page shows it."""

from decimal import Decimal

from django.urls import reverse

from indicators import history, services
from indicators.models import HistoryEntry, Plan
from tests.factories_plans import make_plan


def test_a_kpi_update_records_old_and_new_values(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    kpi = plan.kpis.get()
    services.kpi_save(
        plan=plan,
        kpi=kpi,
        data={"level_5": Decimal("55.5"), "weight": Decimal(100)},
        expected_version=None,
        by=agency.officer1.user,
    )
    entry = HistoryEntry.objects.get(plan=plan, action="kpi_update")
    # Only what changed; 100 and 100.00 are the same weight.
    assert entry.changes == {"level_5": ["50", "55.5"]}
    assert entry.by == agency.officer1.user
    assert entry.object_label == str(kpi)


def test_creating_and_deleting_record_every_value(agency, the_round):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    user = agency.officer1.user
    kpi = services.kpi_save(
        plan=plan,
        data={
            "kra": kra,
            "name": "ใหม่",
            "scale": "higher",
            "level_2": 1,
            "level_3": 2,
            "level_4": 3,
            "level_5": 4,
            "weight": 5,
        },
        expected_version=None,
        by=user,
    )
    created = HistoryEntry.objects.get(action="kpi_create")
    assert created.changes["name"] == [None, "ใหม่"]
    assert created.changes["kra"] == [None, kra.name]
    services.kpi_delete(kpi=kpi, expected_version=None, by=user)
    deleted = HistoryEntry.objects.get(action="kpi_delete")
    assert deleted.changes["name"] == ["ใหม่", None]
    assert deleted.object_id is not None


def test_decisions_record_the_status_change_and_the_comment(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    services.plan_return(plan=plan, comment="แก้ระดับ 5", by=agency.grp_head.user)
    entry = HistoryEntry.objects.get(action="plan_return")
    assert entry.changes == {"status": ["submitted", "returned"]}
    assert entry.comment == "แก้ระดับ 5"


def test_the_plan_page_shows_history_newest_first_with_labels(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    kpi = plan.kpis.get()
    services.kpi_save(
        plan=plan,
        kpi=kpi,
        data={
            "scale": "lower",
            "level_1": 50,
            "level_2": 40,
            "level_3": 30,
            "level_4": 20,
            "level_5": 10,
        },
        expected_version=None,
        by=agency.officer1.user,
    )
    services.plan_submit(plan=Plan.objects.get(pk=plan.pk), by=agency.officer1.user)
    html = client_for(agency.grp_head).get(reverse("indicators:plan", args=[plan.pk])).content
    html = html.decode()
    timeline = html[html.index('id="plan-history"') :]
    assert timeline.index("ส่งแผนเพื่อขออนุมัติ") < timeline.index("แก้ไขตัวชี้วัด")
    assert "นายสมชาย ตั้งใจ" in timeline  # who, by their name in the tree
    # Choices are shown by their labels, numbers as people write them.
    assert '<span class="text-decoration-line-through text-muted old">มากดี</span>' in timeline
    assert '<td class="new">น้อยดี</td>' in timeline
    assert '<td class="new">ส่งแล้ว รออนุมัติ</td>' in timeline


def test_the_page_shows_the_last_50_entries_and_links_to_all(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    HistoryEntry.objects.bulk_create(
        HistoryEntry(plan=plan, action="kpi_update", object_type="kpi", comment=f"c{n}")
        for n in range(60)
    )
    client = client_for(agency.officer1)
    html = client.get(reverse("indicators:plan", args=[plan.pk])).content.decode()
    assert html.count('class="border-start border-2 ps-3 pb-3 history-entry"') == 50
    full_url = reverse("indicators:plan_history", args=[plan.pk])
    assert full_url in html
    full = client.get(full_url).content.decode()
    assert full.count("history-entry") == 60


def test_plain_values_are_json_safe_and_normalized():
    assert history.plain(Decimal("65.0000")) == "65"
    assert history.plain(Decimal("12.5000")) == "12.5"
    assert history.plain(Decimal("1E+2")) == "100"
    assert history.diff({"a": "1", "b": "2"}, {"a": "1", "b": "3"}) == {"b": ["2", "3"]}


def test_the_history_page_is_only_for_those_who_see_the_plan(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    url = reverse("indicators:plan_history", args=[plan.pk])
    assert client_for(agency.officer2).get(url).status_code == 404
    assert client_for(agency.grp_head).get(url).status_code == 200


def test_english_history_says_what_happened_not_the_buttons_words(agency, the_round, client_for):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    services.plan_submit(plan=plan, by=agency.officer1.user)
    services.plan_approve(plan=Plan.objects.get(pk=plan.pk), by=agency.grp_head.user)
    client = client_for(agency.officer1)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("indicators:plan", args=[plan.pk])).content.decode()
    timeline = html[html.index('id="plan-history"') :]
    assert "Plan approved" in timeline and "Plan submitted for approval" in timeline
    assert "Approve plan" not in timeline
