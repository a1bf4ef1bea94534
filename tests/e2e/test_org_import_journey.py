"""Browser journey: HR fills in the org template, imports it, and finds the new group.

HR downloads the template from the org import page, writes a new group and
its head under division DIV in it (as HR would in Excel), uploads it, sees the
preview (two new rows, one account to create), confirms, and opens the
division on the tree page to find the group and its head.
"""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from orgchart.models import Node
from tests.e2e.helpers import hr_menu, menu

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ROWS = (
    ("GRP-NEW", "DIV", "กลุ่มงาน", "กลุ่มงานนวัตกรรม", "", "", "", "", "", ""),
    ("P-NEW", "GRP-NEW", "บุคคล", "นางสาวใหม่ ใจกว้าง", "นักวิเคราะห์นโยบายและแผน", "ชำนาญการ",
     "new.head", "new.head@example.go.th", "ใช่", ""),
)  # fmt: skip


def test_hr_imports_a_new_group_from_the_template(person, agency, shot, watch, tmp_path):
    hr = person("hr")
    hr_menu(hr, "นำเข้าโครงสร้างและบุคลากร").click()
    expect(hr.get_by_role("heading", name="นำเข้าโครงสร้างและบุคลากร")).to_be_visible()
    with hr.expect_download() as download_info:
        hr.get_by_role("link", name="ดาวน์โหลดไฟล์ตัวอย่าง").click()
    template = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(template)

    book = openpyxl.load_workbook(template)
    sheet = book.worksheets[0]
    sheet.delete_rows(2, sheet.max_row)  # the examples
    for row in NEW_ROWS:
        sheet.append(row)
    filled = tmp_path / "โครงสร้าง-เพิ่มกลุ่มงาน.xlsx"
    book.save(filled)

    hr.get_by_label("ไฟล์ .xlsx หรือ .csv").set_input_files(filled)
    hr.get_by_role("button", name="ตรวจสอบไฟล์").click()
    expect(hr.locator("#count-created")).to_have_text("2")
    expect(hr.locator("#accounts-to-create")).to_contain_text("1 บัญชี")
    assert not Node.objects.filter(code="GRP-NEW").exists()
    shot(hr, "hr-org-import-preview")
    hr.get_by_role("button", name="ยืนยันการนำเข้า").click()
    expect(hr.get_by_text(re.compile(r"นำเข้าเรียบร้อย: สร้างใหม่ 2 รายการ"))).to_be_visible()

    head = Node.objects.get(code="P-NEW")
    assert head.parent.code == "GRP-NEW" and head.is_head and head.user.username == "new.head"
    menu(hr, "โครงสร้างองค์กร").click()
    hr.get_by_role("button", name="หน่วยงานย่อยของ สำนักแผนงาน").click()
    expect(hr.get_by_text("กลุ่มงานนวัตกรรม")).to_be_visible()
    expect(hr.get_by_text("นางสาวใหม่ ใจกว้าง")).to_be_visible()
    watch.check()
