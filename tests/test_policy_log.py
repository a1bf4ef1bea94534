"""The scoring rules' audit trail: who changed a round's policy or the expected levels."""

import pytest
from django.urls import reverse

from appraisals.competencies import expected_levels_save
from appraisals.models import Competency, PolicyChange
from appraisals.policy import policy_save
from tests.test_policy import plan, policy_data  # noqa: F401 (plan is a fixture)

pytestmark = pytest.mark.usefixtures("private_media")


def history_of(page: str) -> str:
    return page[page.index('id="policy-changes-title"') :]


def test_the_policy_page_shows_who_changed_what_from_what_to_what(
    agency,
    plan,  # noqa: F811
    client_for,
):
    url = reverse("appraisals:policy", args=[plan.round.pk])
    client = client_for(agency.hr)
    assert "ยังไม่มีการแก้ไขตั้งแต่ตั้งค่าเริ่มต้น" in client.get(url).content.decode()

    client.post(url, policy_data(method="interpolated", w_civil_servant_achievement="80",
                                 w_civil_servant_competency="20"))  # fmt: skip

    change = PolicyChange.objects.get()
    assert change.round == plan.round and change.by == agency.hr.user
    assert [key for key, _old, _new in change.changes] == ["method", "weights|civil_servant"]
    history = history_of(client.get(url).content.decode())
    assert "นางสาวบุคคล ใจดี" in history  # who, by their name in the tree
    assert "วิธีคิดคะแนน" in history and "แบบขั้น (ระดับที่ได้)" in history
    assert "แบบเทียบสัดส่วนระหว่างระดับ" in history
    assert "น้ำหนัก ผลสัมฤทธิ์/สมรรถนะ/อื่น ๆ ของข้าราชการ" in history
    assert "70/30/0" in history and "80/20/0" in history


def test_saving_the_same_policy_again_records_nothing(plan):  # noqa: F811
    policy_save(round=plan.round, method="discrete", floor=0)
    assert not PolicyChange.objects.exists()
    policy_save(round=plan.round, bands=[("ดีเด่น", 95), ("ผ่าน", 0)])
    (change,) = PolicyChange.objects.all()
    ((key, old, new),) = change.changes
    assert key == "bands" and old.startswith("ดีเด่น 90, ดีมาก 80") and new == "ดีเด่น 95, ผ่าน 0"
    assert change.by is None


def test_expected_level_changes_are_kept_and_shown(agency, client_for):
    teamwork = Competency.objects.get(code="teamwork")
    expected_levels_save(levels={(teamwork.pk, "ชำนาญการ"): 3}, by=agency.hr.user)
    expected_levels_save(levels={(teamwork.pk, "ชำนาญการ"): 3}, by=agency.hr.user)  # same again

    change = PolicyChange.objects.get(subject=PolicyChange.Subject.EXPECTED)
    assert change.round is None and change.changes == [
        ["expected|การทำงานเป็นทีม|ชำนาญการ", "2", "3"]
    ]
    page = client_for(agency.hr).get(reverse("appraisals:competencies")).content.decode()
    assert "การทำงานเป็นทีม ระดับตำแหน่งชำนาญการ" in history_of(page)


@pytest.mark.parametrize("changes", [1, 8])
def test_the_policy_page_costs_the_same_queries_whatever_its_history(
    agency,
    plan,  # noqa: F811
    client_for,
    django_assert_num_queries,
    changes,
):
    for number in range(changes):
        policy_save(round=plan.round, floor=number % 2, method="discrete", by=agency.hr.user)
        policy_save(round=plan.round, floor=(number + 1) % 2, by=agency.hr.user)
    url = reverse("appraisals:policy", args=[plan.round.pk])
    client = client_for(agency.hr)
    client.get(url)
    with django_assert_num_queries(12):
        client.get(url)
