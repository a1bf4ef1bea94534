"""The organization pages: the tree, its htmx children, a unit and a person."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgchart.models import Kind, Node
from tests.org_factories import add_people, build_department


def tree_url():
    return reverse("orgchart:tree")


def children_url(node, people=False):
    url = reverse("orgchart:tree_children", args=[node.pk])
    return f"{url}?people=1" if people else url


def unit_url(node):
    return reverse("orgchart:unit", args=[node.pk])


def person_url(node):
    return reverse("orgchart:person", args=[node.pk])


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# The tree page -------------------------------------------------------------


def test_admin_sees_every_department_on_the_tree(agency, client_for):
    text = page_text(client_for(agency.admin), tree_url())
    assert "กรมทดสอบ" in text
    assert "กรมอื่น" in text
    assert "ผู้ดูแลระบบ: เห็นทุกส่วนราชการ" in text


def test_hr_sees_its_department_with_head_and_head_count(agency, client_for):
    text = page_text(client_for(agency.hr), tree_url())
    assert "กรมทดสอบ" in text
    assert "นายอธิบดี ทดสอบ" in text  # the head
    assert "8 คน" in text  # everyone in the department
    assert "กรมอื่น" not in text


def test_a_single_root_opens_its_first_level_by_itself(agency, client_for):
    text = page_text(client_for(agency.hr), tree_url())
    assert f'hx-get="{children_url(agency.dept)}"' in text
    assert 'hx-trigger="load"' in text


def test_division_head_sees_its_division_as_the_top(agency, client_for):
    text = page_text(client_for(agency.div_head), tree_url())
    assert "สำนักแผนงาน" in text
    assert "6 คน" in text
    assert "กรมทดสอบ" not in text
    assert "กรมอื่น" not in text


def test_group_head_sees_only_its_group(agency, client_for):
    text = page_text(client_for(agency.grp_head), tree_url())
    assert "กลุ่มงานติดตาม" in text
    assert "กลุ่มงานวิเคราะห์" not in text
    assert "สำนักแผนงาน" not in text


def test_officer_sees_their_own_card_and_why_there_is_no_tree(agency, client_for):
    text = page_text(client_for(agency.officer1), tree_url())
    assert "นายสมชาย ตั้งใจ" in text
    assert person_url(agency.officer1) in text
    assert "คุณเห็นเฉพาะข้อมูลของตนเอง" in text
    assert "นางสาวสมหญิง ขยัน" not in text
    assert "tree_children" not in text and "/children/" not in text


def test_an_account_outside_the_tree_is_told_to_contact_hr(agency, client, django_user_model):
    client.force_login(django_user_model.objects.create_user(username="nobody"))
    text = page_text(client, tree_url())
    assert "ยังไม่ได้ผูกกับบุคลากรในโครงสร้างองค์กร" in text


# The htmx children ----------------------------------------------------------


def test_children_lists_the_sub_units_with_heads_and_head_counts(agency, client_for):
    text = page_text(client_for(agency.hr), children_url(agency.dept))
    assert "สำนักแผนงาน" in text
    assert "นายผู้อำนวยการ สำนัก" in text
    assert "6 คน" in text
    assert "<html" not in text  # a fragment for htmx, not a page
    assert "นายสมชาย ตั้งใจ" not in text  # people only on request


def test_children_offers_the_people_directly_in_a_unit(agency, client_for):
    text = page_text(client_for(agency.div_head), children_url(agency.div))
    assert "กลุ่มงานติดตาม" in text
    assert "นางหัวหน้า กลุ่ม" in text
    assert f'hx-get="{children_url(agency.grp, people=True)}"' in text
    assert "บุคลากรในสังกัดโดยตรง 3 คน" in text


def test_children_with_people_lists_the_people_of_the_unit(agency, client_for):
    text = page_text(client_for(agency.grp_head), children_url(agency.grp, people=True))
    assert "นางหัวหน้า กลุ่ม" in text
    assert "นายสมชาย ตั้งใจ" in text
    assert "นางสาวสมหญิง ขยัน" in text
    assert "หัวหน้า" in text
    assert person_url(agency.officer1) in text


def test_children_of_a_person_or_outside_the_view_is_404(agency, client_for):
    client = client_for(agency.grp_head)
    assert client.get(children_url(agency.officer1)).status_code == 404
    assert client.get(children_url(agency.div)).status_code == 404
    assert client.get(children_url(agency.grp2)).status_code == 404


def test_a_long_unit_lists_100_people_in_the_tree_and_links_to_the_rest(agency, client_for):
    add_people(agency.grp, 120)
    text = page_text(client_for(agency.grp_head), children_url(agency.grp, people=True))
    assert text.count('class="tree-person') == 101  # 100 people and the link
    assert f"{unit_url(agency.grp)}#people" in text


# The unit page ---------------------------------------------------------------


def test_unit_page_shows_head_people_sub_units_and_supervisors(agency, client_for):
    text = page_text(client_for(agency.hr), unit_url(agency.div))
    assert "นายผู้อำนวยการ สำนัก" in text  # head
    assert "กลุ่มงานติดตาม" in text and "กลุ่มงานวิเคราะห์" in text  # sub-units
    assert "นางหัวหน้า กลุ่ม" in text and "นายหัวหน้า ข้างเคียง" in text  # their heads
    assert "นายอธิบดี ทดสอบ" in text  # the supervisor above the division
    assert f'href="{unit_url(agency.dept)}"' in text  # HR may open the department


def test_unit_page_links_only_the_ancestors_the_viewer_may_open(agency, client_for):
    text = page_text(client_for(agency.div_head), unit_url(agency.grp))
    assert "กรมทดสอบ" in text
    assert f'href="{unit_url(agency.dept)}"' not in text
    assert f'href="{unit_url(agency.div)}"' in text
    assert "นายอธิบดี ทดสอบ" in text  # in the chain of supervisors...
    assert f'href="{person_url(agency.dept_head)}"' not in text  # ...but not a link


def test_unit_page_lists_the_people_directly_in_the_unit(agency, client_for):
    text = page_text(client_for(agency.grp_head), unit_url(agency.grp))
    for name in ("นางหัวหน้า กลุ่ม", "นายสมชาย ตั้งใจ", "นางสาวสมหญิง ขยัน"):
        assert name in text
    assert "P-O1" in text and "นักวิเคราะห์นโยบายและแผน" in text and "ปฏิบัติการ" in text
    assert "ไม่มีหน่วยงานย่อย" in text


def test_unit_page_pages_through_people_100_at_a_time(agency, client_for):
    add_people(agency.grp, 150)  # 153 with the head and two officers
    client = client_for(agency.grp_head)
    first = page_text(client, unit_url(agency.grp))
    assert first.count('href="/org/person/') >= 100
    assert "แสดง 1–100 จาก 153 คน" in first
    second = page_text(client, unit_url(agency.grp) + "?page=2")
    assert "แสดง 101–153 จาก 153 คน" in second


@pytest.mark.parametrize("page", ["abc", "-1", "999", "1.5", ""])
def test_unit_page_survives_a_bad_page_number(agency, client_for, page):
    add_people(agency.grp, 120)
    response = client_for(agency.grp_head).get(unit_url(agency.grp), {"page": page})
    assert response.status_code == 200


def test_unit_page_of_a_person_is_404(agency, client_for):
    assert client_for(agency.admin).get(unit_url(agency.officer1)).status_code == 404


# The person page -------------------------------------------------------------


def test_person_page_shows_position_unit_path_and_supervisors(agency, client_for):
    text = page_text(client_for(agency.grp_head), person_url(agency.officer2))
    for shown in (
        "นางสาวสมหญิง ขยัน",
        "P-O2",
        "นักวิเคราะห์นโยบายและแผน",
        "ชำนาญการ",
        "ข้าราชการ",
        "กลุ่มงานติดตาม",
        "สำนักแผนงาน",
        "กรมทดสอบ",
    ):
        assert shown in text
    assert "ผู้ประเมิน (ผู้บังคับบัญชาชั้นต้น)" in text
    assert "นางหัวหน้า กลุ่ม" in text
    assert "ผู้บังคับบัญชาเหนือขึ้นไป" in text
    assert "นายผู้อำนวยการ สำนัก" in text
    assert f'href="{unit_url(agency.grp)}"' in text
    assert f'href="{unit_url(agency.div)}"' not in text  # a group head cannot open the division


def test_person_page_says_who_is_head_and_who_is_hr(agency, client_for):
    client = client_for(agency.hr)
    assert "หัวหน้ากลุ่มงานติดตาม" in page_text(client, person_url(agency.grp_head))
    assert "เจ้าหน้าที่บุคคลของกรมทดสอบ" in page_text(client, person_url(agency.hr))


def test_officer_sees_their_own_page_with_their_supervisors(agency, client_for):
    text = page_text(client_for(agency.officer1), person_url(agency.officer1))
    assert "นายสมชาย ตั้งใจ" in text
    assert "นางหัวหน้า กลุ่ม" in text
    assert f'href="{unit_url(agency.grp)}"' not in text


def test_person_page_of_a_unit_is_404(agency, client_for):
    assert client_for(agency.admin).get(person_url(agency.grp)).status_code == 404


def test_person_page_leaves_room_for_plans_and_results(agency, client_for):
    from django.template.loader import get_template

    source = get_template("orgchart/person.html").template.source
    assert "{% block person_extra %}" in source


# The same number of queries for 50 and 5,000 people ----------------------------


@pytest.fixture
def small(db) -> SimpleNamespace:
    return build_department(50)


@pytest.fixture
def big(db) -> SimpleNamespace:
    return build_department(5000)


def login(department, who: str) -> Client:
    client = Client()
    client.force_login(getattr(department, who).user)
    return client


def same_queries(assert_num_queries, small, big, who: str, url) -> tuple[str, str]:
    """Open `url(department)` in both departments: the big one must cost what the small
    one did (counted live, so middleware added later does not break the proof)."""
    small_client, big_client = login(small, who), login(big, who)
    page_text(small_client, url(small))  # warm up: the first request of a session differs
    page_text(big_client, url(big))
    with CaptureQueriesContext(connection) as counted:
        small_text = page_text(small_client, url(small))
    with assert_num_queries(len(counted)):
        big_text = page_text(big_client, url(big))
    return small_text, big_text


def test_the_bulk_department_is_the_tree_mptt_would_build(small):
    snapshot = list(Node.objects.order_by("pk").values_list("pk", "lft", "rght", "level"))
    Node.objects.rebuild()
    assert list(Node.objects.order_by("pk").values_list("pk", "lft", "rght", "level")) == snapshot
    assert Node.objects.filter(tree_id=small.dept.tree_id, kind=Kind.INDIVIDUAL).count() == 50


def test_tree_page_costs_the_same_queries_for_50_and_5000_people(
    small, big, django_assert_num_queries
):
    small_text, big_text = same_queries(
        django_assert_num_queries, small, big, "hr", lambda d: tree_url()
    )
    assert "50 คน" in small_text
    assert "5,000 คน" in big_text


def test_children_cost_the_same_queries_for_50_and_5000_people(
    small, big, django_assert_num_queries
):
    _small, big_text = same_queries(
        django_assert_num_queries, small, big, "hr", lambda d: children_url(d.dept)
    )
    assert "สำนักที่ 4" in big_text
    _small, big_text = same_queries(
        django_assert_num_queries, small, big, "hr", lambda d: children_url(d.group, people=True)
    )
    assert big_text.count('class="tree-person') == 101  # 100 people and a link to the rest


def test_unit_page_costs_the_same_queries_for_50_and_5000_people(
    small, big, django_assert_num_queries
):
    _small, big_text = same_queries(
        django_assert_num_queries, small, big, "head", lambda d: unit_url(d.group)
    )
    assert "นายเจ้าหน้าที่" in big_text
    _small, big_text = same_queries(
        django_assert_num_queries, small, big, "head", lambda d: unit_url(d.dept)
    )
    assert "5,000" in big_text


def test_person_page_costs_the_same_queries_for_50_and_5000_people(
    small, big, django_assert_num_queries
):
    _small, big_text = same_queries(
        django_assert_num_queries, small, big, "hr", lambda d: person_url(d.officer)
    )
    assert big.officer.name in big_text
