"""The HR import page: upload, preview, confirm (orgchart:import)."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from orgchart.models import Node

KEYS = ["code", "parent_code", "kind", "name", "username", "is_head"]
GOOD_ROWS = [
    ["N-P", "N-G", "บุคคล", "นายใหม่ ในกลุ่ม", "newbie", "ใช่"],
    ["N-G", "DIV", "กลุ่มงาน", "กลุ่มงานใหม่", "", ""],
    ["P-O1", "GRP", "บุคคล", "นายสมชาย เปลี่ยนชื่อ", "", ""],
]


def csv_upload(rows, name="org.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(KEYS)
    writer.writerows(rows)
    upload = io.BytesIO(buffer.getvalue().encode("utf-8"))
    upload.name = name
    return upload


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def kept_files(private_media):
    return list((private_media / "uploads").glob("org-*"))


def test_hr_uploads_sees_the_preview_and_confirms(agency, client_for, private_media):
    client = client_for(agency.hr)

    preview = client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})

    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'id="count-created">2<' in page and 'id="count-updated">1<' in page
    assert "นายสมชาย เปลี่ยนชื่อ" in page and "ยืนยันการนำเข้า" in page
    assert "จะสร้างบัญชีผู้ใช้ใหม่ 1 บัญชี" in page
    assert not Node.objects.filter(code="N-P").exists()
    assert len(kept_files(private_media)) == 1

    done = client.post(reverse("orgchart:import_confirm"), {"action": "confirm"}, follow=True)

    assert done.redirect_chain
    assert "นำเข้าเรียบร้อย: สร้างใหม่ 2 รายการ แก้ไข 1 รายการ" in done.content.decode()
    person = Node.objects.get(code="N-P")
    assert person.parent.code == "N-G" and person.is_head and person.user.username == "newbie"
    assert Node.objects.get(code="P-O1").name == "นายสมชาย เปลี่ยนชื่อ"
    assert kept_files(private_media) == []


def test_an_xlsx_upload_is_previewed(agency, client_for):
    workbook = openpyxl.Workbook()
    workbook.active.append(["รหัส", "รหัสต้นสังกัด", "ประเภท", "ชื่อ"])
    workbook.active.append(["N-G", "DIV", "ฝ่าย", "ฝ่ายใหม่"])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "org.xlsx"

    preview = client_for(agency.hr).post(reverse("orgchart:import"), {"file": upload})

    assert 'id="count-created">1<' in preview.content.decode()


def test_a_bad_file_shows_every_error_on_the_preview_and_saves_nothing(
    agency, client_for, private_media
):
    rows = [
        ["N-A", "NOPE", "บุคคล", "ก", "", ""],
        ["N-B", "GRP", "บุคคล", "ข", "", "ใช่"],
        ["N-C", "GRP", "ไม่รู้", "ค", "", ""],
    ]
    client = client_for(agency.hr)

    preview = client.post(reverse("orgchart:import"), {"file": csv_upload(rows)})

    page = preview.content.decode()
    assert "พบข้อผิดพลาด 3 รายการ" in page
    assert "ไม่พบรหัสต้นสังกัดนี้ ทั้งในไฟล์และในระบบ" in page
    assert "GRP มีหัวหน้ามากกว่าหนึ่งคน" in page
    assert "ยืนยันการนำเข้า" not in page
    assert not Node.objects.filter(code__startswith="N-").exists()
    assert kept_files(private_media) == []
    # Nothing is waiting: a confirm now imports nothing.
    client.post(reverse("orgchart:import_confirm"), {"action": "confirm"})
    assert not Node.objects.filter(code__startswith="N-").exists()


def test_a_file_that_cannot_be_read_is_explained(agency, client_for):
    upload = io.BytesIO(b"code,name\nA,x\n")
    upload.name = "org.csv"

    preview = client_for(agency.hr).post(reverse("orgchart:import"), {"file": upload})

    assert "ขาดคอลัมน์ที่จำเป็น: ประเภท" in preview.content.decode()


def test_other_file_types_are_refused_on_the_form(agency, client_for):
    upload = io.BytesIO(b"hello")
    upload.name = "org.pdf"

    page = client_for(agency.hr).post(reverse("orgchart:import"), {"file": upload})

    assert "รองรับเฉพาะไฟล์ .xlsx หรือ .csv" in page.content.decode()


def test_a_file_over_the_size_limit_is_refused(agency, client_for, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10

    page = client_for(agency.hr).post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})

    assert "เกินขนาดสูงสุดที่รับได้" in page.content.decode()
    assert not Node.objects.filter(code="N-P").exists()


def test_hr_of_another_department_cannot_import_into_ours(agency, client_for):
    client = client_for(agency.hr_other)

    preview = client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})
    client.post(reverse("orgchart:import_confirm"), {"action": "confirm"})

    page = preview.content.decode()
    assert "รหัสนี้เป็นของหน่วยงานในส่วนราชการอื่น" in page
    assert "อยู่นอกส่วนราชการของคุณ" in page
    assert not Node.objects.filter(code="N-P").exists()
    assert Node.objects.get(code="P-O1").name == "นายสมชาย ตั้งใจ"


def test_cancel_removes_the_uploaded_file(agency, client_for, private_media):
    client = client_for(agency.hr)
    client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})

    response = client.post(reverse("orgchart:import_confirm"), {"action": "cancel"})

    assert response.status_code == 302
    assert kept_files(private_media) == []
    assert not Node.objects.filter(code="N-P").exists()


def test_confirm_without_an_upload_asks_for_the_file_again(agency, client_for):
    response = client_for(agency.hr).post(
        reverse("orgchart:import_confirm"), {"action": "confirm"}, follow=True
    )
    assert "ไม่พบไฟล์ที่รอยืนยัน" in response.content.decode()


@pytest.mark.parametrize("name", ["import", "import_template"])
def test_an_officer_gets_403_and_anonymous_is_sent_to_login(agency, client_for, client, name):
    url = reverse(f"orgchart:{name}")
    assert client_for(agency.officer1).get(url).status_code == 403
    assert client_for(agency.grp_head).get(url).status_code == 403
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_confirm_step_is_post_only_and_for_hr(agency, client_for):
    url = reverse("orgchart:import_confirm")
    assert client_for(agency.hr).get(url).status_code == 405
    assert client_for(agency.officer1).post(url).status_code == 403


def test_the_upload_page_explains_the_columns(agency, client_for):
    page = client_for(agency.hr).get(reverse("orgchart:import")).content.decode()
    assert "รหัสต้นสังกัด" in page and "parent_code" in page
    assert reverse("orgchart:import_template") in page


def test_the_template_has_thai_headers_and_an_example_an_admin_can_import(
    agency, client_for, tmp_path
):
    client = client_for(agency.admin)
    response = client.get(reverse("orgchart:import_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["รหัส*", "รหัสต้นสังกัด", "ประเภท*", "ชื่อ*"]

    upload = io.BytesIO(response.content)
    upload.name = "template.xlsx"
    preview = client.post(reverse("orgchart:import"), {"file": upload})

    assert 'id="count-created">4<' in preview.content.decode()
