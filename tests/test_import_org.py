"""import_org: the service and the command (FORMATS.md, "Organization")."""

import csv

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import make_agency, write_org_csv
from orgchart.importer import org_import, org_read, table_from_records
from orgchart.models import Kind, Node

THAI = ["รหัส", "รหัสต้นสังกัด", "ประเภท", "ชื่อ", "ตำแหน่ง", "ชื่อผู้ใช้", "อีเมล", "หัวหน้า"]
KEYS = ["code", "parent_code", "kind", "name", "position", "username", "email", "is_head"]
# Children before their parents on purpose.
NEW_DEPARTMENT = [
    ["N-P1", "N-G1", "บุคคล", "นายหนึ่ง ใหม่", "นักวิชาการ", "new1", "new1@example.go.th", "ใช่"],
    ["N-P2", "N-G1", "individual", "นางสอง ใหม่", "", "new2", "", "ไม่ใช่"],
    ["N-G1", "N-V1", "กลุ่มงาน", "กลุ่มงานใหม่", "", "", "", ""],
    ["N-V1", "N", "กอง", "กองใหม่", "", "", "", ""],
    ["N", "", "ส่วนราชการ", "กรมใหม่", "", "", "", ""],
]


def write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, header, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def import_file(path, *, by=None, dry_run=False):
    return org_import(table=org_read(path), by=by, dry_run=dry_run)


def snapshot():
    return list(Node.objects.order_by("pk").values())


def assert_tree_is_consistent():
    before = list(Node.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level"))
    Node.objects.rebuild()
    after = list(Node.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level"))
    assert before == after


def errors_by_row(report):
    return {(e.row, e.column) for e in report.errors}


def test_thai_headers_in_xlsx_create_the_tree_in_any_order(db, tmp_path):
    report = import_file(write_xlsx(tmp_path / "org.xlsx", THAI, NEW_DEPARTMENT))

    assert report.errors == []
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    head = Node.objects.get(code="N-P1")
    assert head.parent.code == "N-G1"
    assert head.get_ancestors().filter(code="N", kind=Kind.DEPARTMENT).exists()
    assert head.is_head and head.email == "new1@example.go.th"
    assert head.user.username == "new1"
    assert not head.user.has_usable_password()
    assert Node.objects.get(code="N-V1").kind == Kind.DIVISION
    assert report.users_created == 2
    assert_tree_is_consistent()


def test_english_keys_in_csv_import_the_same(db, tmp_path):
    report = import_file(write_csv(tmp_path / "org.csv", KEYS, NEW_DEPARTMENT))

    assert report.errors == []
    assert report.created == 5
    assert Node.objects.get(code="N-P2").user.username == "new2"


def test_a_second_import_of_the_same_file_changes_nothing(db, tmp_path):
    path = write_xlsx(tmp_path / "org.xlsx", THAI, NEW_DEPARTMENT)
    import_file(path)
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        report = import_file(path)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert snapshot() == before


def test_an_existing_person_is_matched_by_code_and_updated(agency, tmp_path):
    rows = [["P-O1", "GRP", "บุคคล", "นายสมชาย ตั้งใจมาก", "นักวิเคราะห์นโยบายและแผน", "", "", ""]]
    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    assert (report.created, report.updated) == (0, 1)
    assert report.changes[0].columns == ("ชื่อ",)
    officer = Node.objects.get(code="P-O1")
    assert officer.name == "นายสมชาย ตั้งใจมาก"
    assert officer.user.username == "officer1"  # an empty username keeps the account
    assert officer.position_level == "ปฏิบัติการ"  # a column left out keeps its value


def test_a_file_with_bad_rows_saves_nothing_and_reports_every_bad_row(agency, tmp_path):
    rows = [
        ["N-P1", "GRP", "บุคคล", "คนใหม่", "", "", "not-an-email", ""],  # row 2
        ["N-P1", "GRP", "บุคคล", "ซ้ำ", "", "", "", ""],  # row 3: duplicate code
        ["N-X", "NOPE", "บุคคล", "ไม่มีต้นสังกัด", "", "", "", ""],  # row 4
        ["N-G", "", "กลุ่มงาน", "กลุ่มไร้สังกัด", "", "", "", ""],  # row 5: root not a department
        ["N-Q", "GRP", "ตำแหน่งอะไร", "ประเภทผิด", "", "", "", "บางที"],  # row 6
        ["N-H", "DIV", "กลุ่มงาน", "กลุ่มเป็นหัวหน้า", "", "", "", "ใช่"],  # row 7
        ["N-U", "GRP", "บุคคล", "ชื่อผู้ใช้ซ้ำ", "", "officer2", "", ""],  # row 8
    ]
    before = snapshot()

    report = import_file(write_csv(tmp_path / "bad.csv", KEYS, rows))

    assert errors_by_row(report) == {
        (2, "อีเมล"),
        (3, "รหัส"),
        (4, "รหัสต้นสังกัด"),
        (5, "รหัสต้นสังกัด"),
        (6, "ประเภท"),
        (6, "หัวหน้า"),
        (7, "หัวหน้า"),
        (8, "ชื่อผู้ใช้"),
    }
    messages = {(e.row, e.message) for e in report.errors}
    assert (4, "ไม่พบรหัสต้นสังกัดนี้ ทั้งในไฟล์และในระบบ") in messages
    assert (8, "ชื่อผู้ใช้นี้เป็นของ P-O2 อยู่แล้ว") in messages
    assert snapshot() == before
    assert not get_user_model().objects.filter(username__startswith="N-").exists()


def test_two_heads_in_one_unit_are_refused(agency, tmp_path):
    rows = [["N-P", "GRP", "บุคคล", "หัวหน้าคนที่สอง", "", "", "", "ใช่"]]

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    [error] = report.errors
    assert (error.row, error.column) == (2, "หัวหน้า")
    assert "GRP มีหัวหน้ามากกว่าหนึ่งคน" in error.message and "P-GH (ในระบบ)" in error.message
    assert not Node.objects.filter(code="N-P").exists()


def test_handing_the_head_over_within_the_file_is_accepted(agency, tmp_path):
    rows = [
        ["P-O1", "GRP", "บุคคล", "นายสมชาย ตั้งใจ", "", "", "", "ใช่"],
        ["P-GH", "GRP", "บุคคล", "นางหัวหน้า กลุ่ม", "", "", "", "ไม่ใช่"],
    ]
    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    assert report.errors == []
    assert Node.objects.get(parent=agency.grp, is_head=True).code == "P-O1"


def test_a_unit_under_an_individual_is_refused(agency, tmp_path):
    rows = [["N-G", "P-O1", "กลุ่มงาน", "กลุ่มใต้คน", "", "", "", ""]]

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    assert [(e.row, e.message) for e in report.errors] == [(2, "ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล")]


def test_a_loop_through_the_database_is_refused(agency, tmp_path):
    # DIV would go under GRP, which sits under DIV in the database.
    rows = [["DIV", "GRP", "กอง", "สำนักแผนงาน", "", "", "", ""]]

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    loop = [e for e in report.errors if "วน" in e.message]
    assert [(e.row, e.column) for e in loop] == [(2, "รหัสต้นสังกัด")]
    assert "DIV → GRP → DIV" in loop[0].message
    assert Node.objects.get(code="DIV").parent == agency.dept


def test_a_unit_with_people_cannot_become_an_individual(agency, tmp_path):
    rows = [["GRP2", "DIV", "บุคคล", "กลุ่มงานวิเคราะห์", "", "", "", ""]]

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    [error] = report.errors
    assert error.column == "ประเภท" and "บุคคลต้องไม่มีหน่วยงานหรือบุคคลในสังกัด" in error.message
    assert Node.objects.get(code="GRP2").kind == Kind.GROUP


def test_the_dry_run_saves_nothing(agency, tmp_path):
    before = snapshot()
    users = get_user_model().objects.count()

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, NEW_DEPARTMENT), dry_run=True)

    assert report.errors == [] and report.created == 5
    assert snapshot() == before
    assert get_user_model().objects.count() == users


def test_moving_people_and_units_keeps_the_tree_consistent(agency, tmp_path):
    rows = [
        ["P-O3", "GRP", "บุคคล", "นายสมศักดิ์ วิเคราะห์", "", "", "", ""],
        ["GRP2", "DEPT", "กลุ่มงาน", "กลุ่มงานวิเคราะห์", "", "", "", ""],
        ["N-G", "DIV", "กลุ่มงาน", "กลุ่มใหม่", "", "", "", ""],
        ["N-P", "N-G", "บุคคล", "คนใหม่", "", "", "", "ใช่"],
    ]
    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    assert report.errors == []
    assert (report.created, report.updated) == (2, 2)
    assert Node.objects.get(code="P-O3").parent == agency.grp
    assert_tree_is_consistent()
    assert {n.code for n in Node.objects.get(code="DIV").get_descendants()} >= {
        "N-G",
        "N-P",
        "P-O3",
    }


def test_a_unit_moved_to_another_department_takes_its_people_along(agency, tmp_path):
    rows = [["GRP2", "OTHER", "กลุ่มงาน", "กลุ่มงานวิเคราะห์", "", "", "", ""]]

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    assert report.errors == [] and report.updated == 1
    assert_tree_is_consistent()
    other = Node.objects.get(code="OTHER")
    assert Node.objects.get(code="P-O3").tree_id == other.tree_id
    assert {n.code for n in other.get_descendants()} == {
        "X-HR",
        "X-O1",
        "GRP2",
        "P-SH",
        "P-O3",
    }


def test_accounts_can_change_hands_within_one_file(agency, tmp_path):
    rows = [
        ["P-O1", "GRP", "บุคคล", "นายสมชาย ตั้งใจ", "", "officer2", "", ""],
        ["P-O2", "GRP", "บุคคล", "นางสาวสมหญิง ขยัน", "", "officer1", "", ""],
    ]
    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows))

    assert report.errors == [] and report.updated == 2
    assert Node.objects.get(code="P-O1").user.username == "officer2"
    assert Node.objects.get(code="P-O2").user.username == "officer1"


def test_hr_may_rename_their_own_department_and_add_people(agency, tmp_path):
    rows = [
        ["DEPT", "", "กรม", "กรมทดสอบ (ชื่อใหม่)", "", "", "", ""],
        ["N-P", "GRP2", "บุคคล", "คนใหม่", "", "", "", ""],
    ]
    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows), by=agency.hr.user)

    assert report.errors == []
    assert Node.objects.get(code="DEPT").name == "กรมทดสอบ (ชื่อใหม่)"
    assert Node.objects.get(code="N-P").tree_id == agency.dept.tree_id


def test_the_tree_is_consistent_after_a_bulk_import(agency, tmp_path):
    generated = make_agency(people=600, divisions=3, groups_per_division=2, prefix="BK")

    report = import_file(write_org_csv(generated, tmp_path / "bulk.csv"))

    assert report.errors == []
    assert report.created == len(generated.records)
    assert_tree_is_consistent()
    group = Node.objects.get(code=generated.largest_group()["code"])
    assert group.children.filter(is_head=True).count() == 1
    assert group.children.count() == 100


def test_hr_may_only_import_into_their_own_department(agency, tmp_path):
    rows = [
        ["X-P", "DEPT", "บุคคล", "แทรกเข้ากรมอื่น", "", "", "", ""],
        ["P-O1", "OTHER", "บุคคล", "ย้ายคนของกรมอื่น", "", "", "", ""],
        ["X-NEW", "", "กรม", "กรมใหม่", "", "", "", ""],
        ["X-P2", "OTHER", "บุคคล", "คนใหม่ในกรมตัวเอง", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "org.csv", KEYS, rows)

    report = import_file(path, by=agency.hr_other.user)

    assert errors_by_row(report) == {(2, "รหัสต้นสังกัด"), (3, "รหัส"), (4, "ประเภท")}
    assert not Node.objects.filter(code__in=["X-P", "X-NEW", "X-P2"]).exists()
    assert import_file(path, by=agency.admin).errors == []


def test_hr_may_not_link_an_administrator_account(agency, tmp_path):
    rows = [["N-P", "GRP", "บุคคล", "คนใหม่", "", "admin", "", ""]]

    report = import_file(write_csv(tmp_path / "org.csv", KEYS, rows), by=agency.hr.user)

    assert [(e.column, e.message) for e in report.errors] == [
        ("ชื่อผู้ใช้", "บัญชีนี้เป็นบัญชีผู้ดูแลระบบ ผูกกับบุคลากรด้วยการนำเข้าไม่ได้")
    ]


def test_an_officer_may_not_import_at_all(agency, tmp_path):
    path = write_csv(tmp_path / "org.csv", KEYS, NEW_DEPARTMENT)
    with pytest.raises(PermissionDenied):
        import_file(path, by=agency.officer1.user)


def test_generated_records_import_without_a_file(db):
    records = [{"code": "R", "kind": "department", "name": "กรม R"}]
    report = org_import(table=table_from_records(records))
    assert report.created == 1 and Node.objects.get(code="R").is_root_node()


def test_the_command_prints_a_summary(db, tmp_path, capsys):
    path = write_csv(tmp_path / "org.csv", KEYS, NEW_DEPARTMENT)

    call_command("import_org", str(path))
    call_command("import_org", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "สร้างใหม่ 5 รายการ แก้ไข 0 รายการ ไม่เปลี่ยนแปลง 0 รายการ" in out
    assert "ทดลองนำเข้า (ไม่บันทึก): สร้างใหม่ 0 รายการ แก้ไข 0 รายการ ไม่เปลี่ยนแปลง 5" in out


def test_the_command_lists_every_row_error_and_fails(agency, tmp_path, capsys):
    rows = [
        ["N-A", "NOPE", "บุคคล", "ก", "", "", "", ""],
        ["N-B", "GRP", "บุคคล", "ข", "", "", "bad", ""],
    ]
    path = write_csv(tmp_path / "org.csv", KEYS, rows)

    with pytest.raises(CommandError, match="พบข้อผิดพลาด 2 รายการ"):
        call_command("import_org", str(path))

    err = capsys.readouterr().err
    assert "แถว 2 คอลัมน์ รหัสต้นสังกัด ค่า 'NOPE': ไม่พบรหัสต้นสังกัดนี้" in err
    assert "แถว 3 คอลัมน์ อีเมล ค่า 'bad': อีเมลไม่ถูกต้อง" in err
    assert not Node.objects.filter(code__startswith="N-").exists()


def test_the_command_names_a_missing_required_column(db, tmp_path):
    path = write_csv(tmp_path / "org.csv", ["code", "name"], [["A", "ก"]])
    with pytest.raises(CommandError, match="ประเภท"):
        call_command("import_org", str(path))
