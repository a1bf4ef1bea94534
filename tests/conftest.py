"""The standard people of the test suite (STYLE.md: a few people, like alice and bob).

Department กรมทดสอบ (DEPT)
  HR officer hr (เจ้าหน้าที่บุคคล) directly under the department
  head of the department: dept_head
  Division สำนักแผนงาน (DIV) headed by div_head
    Group กลุ่มงานติดตาม (GRP) headed by grp_head; officers officer1, officer2
    Group กลุ่มงานวิเคราะห์ (GRP2) headed by sibling_head; officer3
Another department (OTHER) with its own HR (hr_other) and an outsider.
An administrator (admin) outside the tree.
"""

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from pytest_django.plugin import blocking_manager_key

from indicators.models import Round
from orgchart.models import Kind, Node

# Fixtures shared by the appraisal tests (approved plans with results).
pytest_plugins = ["tests.factories_appraisals"]

# Rows that data migrations seed (the core competencies and their expected levels).
SEEDING_MIGRATIONS = ["appraisals.migrations.0002_core_competencies"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Seed the data-migration rows again after a test on committed data.

    A transactional test (threads, browser journeys) ends with a flush that
    empties every table, including the migration-seeded rows the next tests
    on the same worker expect. pytest-django runs those tests last, but
    `--dist loadfile` keeps a file's tests together, so others may follow.
    Not after the last test: the test database is being destroyed then.
    """
    result = yield
    marker = item.get_closest_marker("django_db")
    if nextitem is not None and marker is not None and marker.kwargs.get("transaction"):
        with item.config.stash[blocking_manager_key].unblock():
            for name in SEEDING_MIGRATIONS:
                import_module(name).seed(apps, None)
    return result


def make_node(code, kind, parent=None, *, name=None, username=None, **fields) -> Node:
    """Create a node (and its login) straight in the tree: test setup only."""
    user = None
    if username:
        user = get_user_model().objects.create_user(username=username, password="pass-12345")
    node = Node.objects.create(
        code=code, kind=kind, parent=parent, name=name or code, user=user, **fields
    )
    return node


def build_agency() -> SimpleNamespace:
    dept = make_node("DEPT", Kind.DEPARTMENT, name="กรมทดสอบ")
    dept_head = make_node(
        "P-DH",
        Kind.INDIVIDUAL,
        dept,
        name="นายอธิบดี ทดสอบ",
        username="dept_head",
        is_head=True,
        position="อธิบดี",
    )
    hr = make_node(
        "P-HR",
        Kind.INDIVIDUAL,
        dept,
        name="นางสาวบุคคล ใจดี",
        username="hr",
        is_hr=True,
        position="นักทรัพยากรบุคคล",
        position_level="ชำนาญการ",
    )
    div = make_node("DIV", Kind.DIVISION, dept, name="สำนักแผนงาน")
    div_head = make_node(
        "P-VH",
        Kind.INDIVIDUAL,
        div,
        name="นายผู้อำนวยการ สำนัก",
        username="div_head",
        is_head=True,
        position="ผู้อำนวยการสำนัก",
    )
    grp = make_node("GRP", Kind.GROUP, div, name="กลุ่มงานติดตาม")
    grp_head = make_node(
        "P-GH",
        Kind.INDIVIDUAL,
        grp,
        name="นางหัวหน้า กลุ่ม",
        username="grp_head",
        is_head=True,
        position="หัวหน้ากลุ่มงาน",
        position_level="ชำนาญการพิเศษ",
    )
    officer1 = make_node(
        "P-O1",
        Kind.INDIVIDUAL,
        grp,
        name="นายสมชาย ตั้งใจ",
        username="officer1",
        position="นักวิเคราะห์นโยบายและแผน",
        position_level="ปฏิบัติการ",
    )
    officer2 = make_node(
        "P-O2",
        Kind.INDIVIDUAL,
        grp,
        name="นางสาวสมหญิง ขยัน",
        username="officer2",
        position="นักวิเคราะห์นโยบายและแผน",
        position_level="ชำนาญการ",
    )
    grp2 = make_node("GRP2", Kind.GROUP, div, name="กลุ่มงานวิเคราะห์")
    sibling_head = make_node(
        "P-SH",
        Kind.INDIVIDUAL,
        grp2,
        name="นายหัวหน้า ข้างเคียง",
        username="sibling_head",
        is_head=True,
    )
    officer3 = make_node("P-O3", Kind.INDIVIDUAL, grp2, name="นายสมศักดิ์ วิเคราะห์",
                         username="officer3")  # fmt: skip
    other = make_node("OTHER", Kind.DEPARTMENT, name="กรมอื่น")
    hr_other = make_node(
        "X-HR", Kind.INDIVIDUAL, other, name="นางบุคคล กรมอื่น", username="hr_other", is_hr=True
    )
    outsider = make_node("X-O1", Kind.INDIVIDUAL, other, name="นายคนนอก", username="outsider")
    admin = get_user_model().objects.create_superuser(username="admin", password="pass-12345")
    nodes = {name: value for name, value in locals().items() if isinstance(value, Node)}
    return SimpleNamespace(admin=admin, **nodes)


@pytest.fixture
def agency(db) -> SimpleNamespace:
    """The standard department and people (see module docstring)."""
    return build_agency()


@pytest.fixture
def the_round(db) -> Round:
    """Round 2569/1 in planning."""
    start, end = Round.default_dates(2569, 1)
    return Round.objects.create(fiscal_year=2569, number=1, start=start, end=end)


@pytest.fixture
def client_for(db):
    """client_for(node_or_user) -> a Client logged in as that person."""

    def make(who) -> Client:
        client = Client()
        user = who.user if isinstance(who, Node) else who
        client.force_login(user)
        return client

    return make
