"""Who may see what (orgchart.access), and the org pages answering 404 outside the view."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from orgchart.access import forget_roles, get_node_for, roles_of, visible_nodes
from orgchart.models import Node


def seen_codes(who) -> set[str]:
    user = who.user if isinstance(who, Node) else who
    forget_roles(user)
    return set(visible_nodes(user).values_list("code", flat=True))


AGENCY_CODES = {
    "DEPT",
    "P-DH",
    "P-HR",
    "DIV",
    "P-VH",
    "GRP",
    "P-GH",
    "P-O1",
    "P-O2",
    "GRP2",
    "P-SH",
    "P-O3",
}
OTHER_CODES = {"OTHER", "X-HR", "X-O1"}


def test_officer_sees_only_themself(agency):
    assert seen_codes(agency.officer1) == {"P-O1"}


def test_group_head_sees_its_group_and_nothing_beside_it(agency):
    assert seen_codes(agency.grp_head) == {"GRP", "P-GH", "P-O1", "P-O2"}


def test_division_head_sees_the_division_but_not_the_department_around_it(agency):
    assert seen_codes(agency.div_head) == {
        "DIV",
        "P-VH",
        "GRP",
        "P-GH",
        "P-O1",
        "P-O2",
        "GRP2",
        "P-SH",
        "P-O3",
    }


def test_department_head_sees_the_whole_department_only(agency):
    assert seen_codes(agency.dept_head) == AGENCY_CODES


def test_hr_sees_its_whole_department_but_not_the_other(agency):
    assert seen_codes(agency.hr) == AGENCY_CODES
    assert seen_codes(agency.hr_other) == OTHER_CODES


def test_admin_sees_everything(agency):
    assert seen_codes(agency.admin) == AGENCY_CODES | OTHER_CODES


def test_anonymous_and_unlinked_accounts_see_nothing(agency, django_user_model):
    assert not visible_nodes(AnonymousUser()).exists()
    stranger = django_user_model.objects.create_user(username="stranger", password="x")
    assert seen_codes(stranger) == set()


def test_an_inactive_person_loses_their_view(agency):
    Node.objects.filter(pk=agency.grp_head.pk).update(is_active=False)
    assert seen_codes(agency.grp_head) == set()


def test_roles_are_named_for_the_nav(agency):
    assert roles_of(agency.officer1.user).names == {"officer"}
    assert roles_of(agency.grp_head.user).names == {"officer", "head"}
    assert roles_of(agency.hr.user).names == {"officer", "hr"}
    assert roles_of(agency.admin).names == {"admin"}


def test_sees_agrees_with_visible_nodes_for_every_pair(agency):
    people = [n for n in Node.objects.exclude(user=None)] + [agency.admin]
    nodes = list(Node.objects.all())
    for who in people:
        user = who.user if isinstance(who, Node) else who
        forget_roles(user)
        roles = roles_of(user)
        expected = seen_codes(who)
        assert {n.code for n in nodes if roles.sees(n)} == expected, who


def test_get_node_for_returns_a_visible_node(agency):
    assert get_node_for(agency.grp_head.user, pk=agency.officer1.pk) == agency.officer1
    assert get_node_for(agency.hr.user, code="P-O3") == agency.officer3


@pytest.mark.parametrize(
    ("viewer", "target"),
    [
        ("officer1", "officer2"),
        ("officer1", "grp"),
        ("grp_head", "sibling_head"),
        ("grp_head", "div"),
        ("div_head", "dept"),
        ("div_head", "hr"),
        ("hr", "outsider"),
        ("hr_other", "officer1"),
        ("outsider", "dept"),
    ],
)
def test_get_node_for_raises_404_outside_the_view(agency, viewer, target):
    with pytest.raises(Http404):
        get_node_for(getattr(agency, viewer).user, pk=getattr(agency, target).pk)


def test_get_node_for_raises_404_for_a_node_that_does_not_exist(agency):
    with pytest.raises(Http404):
        get_node_for(agency.admin, pk=999_999)
    with pytest.raises(Http404):
        get_node_for(agency.admin, code="NO-SUCH-CODE")


def test_an_outsider_gets_404_for_our_unit_and_person_pages(agency, client_for):
    client = client_for(agency.outsider)
    for url in (
        reverse("orgchart:unit", args=[agency.grp.pk]),
        reverse("orgchart:person", args=[agency.officer1.pk]),
        reverse("orgchart:tree_children", args=[agency.dept.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_hr_of_another_department_gets_404_for_our_pages(agency, client_for):
    client = client_for(agency.hr_other)
    assert client.get(reverse("orgchart:unit", args=[agency.dept.pk])).status_code == 404
    assert client.get(reverse("orgchart:person", args=[agency.hr.pk])).status_code == 404


def test_an_officer_gets_404_for_a_colleague_and_for_their_own_unit(agency, client_for):
    client = client_for(agency.officer1)
    assert client.get(reverse("orgchart:person", args=[agency.officer2.pk])).status_code == 404
    assert client.get(reverse("orgchart:unit", args=[agency.grp.pk])).status_code == 404
    assert client.get(reverse("orgchart:person", args=[agency.officer1.pk])).status_code == 200


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("orgchart:tree", None),
        ("orgchart:unit", "grp"),
        ("orgchart:person", "officer1"),
        ("orgchart:tree_children", "dept"),
    ],
)
def test_anonymous_is_sent_to_the_login_page(agency, client, name, target):
    url = reverse(name, args=[getattr(agency, target).pk] if target else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_org_pages_accept_no_post(agency, client_for):
    client = client_for(agency.admin)
    assert client.post(reverse("orgchart:tree")).status_code == 405
    assert client.post(reverse("orgchart:unit", args=[agency.grp.pk])).status_code == 405
