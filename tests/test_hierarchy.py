from orgchart.hierarchy import reports_of, supervisor_chain, supervisor_of, units_reporting_to
from orgchart.models import Kind, Node


def test_officer_answers_to_the_head_of_their_group(agency):
    assert supervisor_of(agency.officer1) == agency.grp_head


def test_group_head_answers_to_the_division_head(agency):
    assert supervisor_of(agency.grp_head) == agency.div_head


def test_unit_plan_is_approved_by_the_supervisor_of_its_head(agency):
    assert supervisor_of(agency.grp) == agency.div_head
    assert supervisor_of(agency.div) == agency.dept_head


def test_people_of_a_headless_unit_answer_to_the_nearest_head_above(agency):
    agency.grp_head.is_head = False
    agency.grp_head.save()
    assert supervisor_of(agency.officer1) == agency.div_head
    assert supervisor_of(agency.grp_head) == agency.div_head


def test_department_head_has_no_supervisor(agency):
    assert supervisor_of(agency.dept_head) is None
    assert supervisor_chain(agency.officer1) == [agency.grp_head, agency.div_head, agency.dept_head]


def test_reports_of_a_head_are_its_people_and_the_heads_below(agency):
    assert set(reports_of(agency.grp_head)) == {agency.officer1, agency.officer2}
    assert set(reports_of(agency.div_head)) == {agency.grp_head, agency.sibling_head}
    assert set(reports_of(agency.dept_head)) == {agency.hr, agency.div_head}
    assert list(reports_of(agency.officer1)) == []


def test_reports_skip_over_headless_units(agency):
    headless = Node.objects.create(code="GRP3", kind=Kind.GROUP, parent=agency.div, name="g3")
    person = Node.objects.create(code="P-X", kind=Kind.INDIVIDUAL, parent=headless, name="x")
    assert person in set(reports_of(agency.div_head))
    assert headless in set(units_reporting_to(agency.div_head))
    assert agency.grp in set(units_reporting_to(agency.div_head))


def test_reports_cost_the_same_queries_for_any_tree(agency, django_assert_num_queries):
    with django_assert_num_queries(3):
        list(reports_of(agency.dept_head))
