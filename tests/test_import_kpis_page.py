"""The HR page of the KPI import: upload -> preview -> confirm, and the template download."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import KPI, Plan
from tests.test_import_kpis import GOOD, HEADER, row, write_csv


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")


def _uploads(settings) -> list[Path]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "uploads"
    return list(folder.glob("kpis-*")) if folder.exists() else []


def test_hr_uploads_previews_and_confirms(agency, the_round, client_for, tmp_path, settings):
    client = client_for(agency.hr)
    assert client.get(reverse("indicators:import")).status_code == 200

    preview = client.post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, GOOD))},
    )

    page = preview.content.decode()
    assert preview.status_code == 200
    assert 'id="count-created">3<' in page and "P-O1" in page and "แผนใหม่" in page
    assert not KPI.objects.exists()
    assert len(_uploads(settings)) == 1

    done = client.post(reverse("indicators:import_confirm"), {"action": "confirm"})

    assert done.status_code == 302
    assert KPI.objects.count() == 3
    assert Plan.objects.get(owner=agency.officer1).status == Plan.Status.DRAFT
    assert _uploads(settings) == []
    follow = client.get(done["Location"]).content.decode()
    assert "ตัวชี้วัดใหม่ 3" in follow


def test_confirm_with_approve_records_approved_plans(agency, the_round, client_for, tmp_path):
    client = client_for(agency.hr)
    client.post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, GOOD))},
    )
    client.post(reverse("indicators:import_confirm"), {"action": "confirm", "approve": "1"})
    plan = Plan.objects.get(owner=agency.officer1)
    assert plan.status == Plan.Status.APPROVED and plan.approved_by == agency.hr.user


def test_preview_lists_every_bad_row_and_keeps_no_file(
    agency, the_round, client_for, tmp_path, settings
):
    bad = [row("P-O1", "A1", weight=50), row("NOBODY", "A2"), row("X-O1", "A3")]
    response = client_for(agency.hr).post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, bad))},
    )
    page = response.content.decode()
    assert "ไฟล์นี้ยังนำเข้าไม่ได้" in page
    assert "น้ำหนักรวม" in page and "NOBODY" in page and "นอกส่วนราชการ" in page
    assert "import_confirm" not in page and reverse("indicators:import_confirm") not in page
    assert _uploads(settings) == []
    assert not KPI.objects.exists()


def test_confirm_without_a_pending_file_goes_back_to_the_upload(agency, client_for):
    response = client_for(agency.hr).post(
        reverse("indicators:import_confirm"), {"action": "confirm"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("indicators:import")


def test_cancel_removes_the_kept_file(agency, the_round, client_for, tmp_path, settings):
    client = client_for(agency.hr)
    client.post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, GOOD))},
    )
    client.post(reverse("indicators:import_confirm"), {"action": "cancel"})
    assert _uploads(settings) == [] and not KPI.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused(agency, the_round, client_for):
    upload = SimpleUploadedFile("kpis.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client_for(agency.hr).post(
        reverse("indicators:import"), {"round": the_round.pk, "file": upload}
    )
    assert response.status_code == 200 and ".xlsx" in response.content.decode()


def test_too_large_an_upload_is_refused(agency, the_round, client_for, tmp_path, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = client_for(agency.hr).post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, GOOD))},
    )
    assert "เกินขนาดสูงสุด" in response.content.decode() and not _uploads(settings)


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer1", 403), ("grp_head", 403), ("dept_head", 403), ("hr", 200), ("admin", 200)],
)
def test_import_pages_are_for_hr_and_admins(agency, the_round, client_for, who, status):
    client = client_for(getattr(agency, who))
    assert client.get(reverse("indicators:import")).status_code == status
    assert client.get(reverse("indicators:import_template")).status_code == status
    assert client.post(reverse("indicators:import_confirm")).status_code in (status, 302)


def test_officer_cannot_post_a_file(agency, the_round, client_for, tmp_path):
    response = client_for(agency.officer1).post(
        reverse("indicators:import"),
        {"round": the_round.pk, "file": _upload(write_csv(tmp_path, GOOD))},
    )
    assert response.status_code == 403 and not KPI.objects.exists()


def test_template_has_thai_headers_and_an_example_that_imports(
    agency, the_round, client_for, tmp_path
):
    response = client_for(agency.hr).get(reverse("indicators:import_template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "รหัสผู้รับผิดชอบ*" and "ระดับ 1" in headers and "วิธีถ่ายทอด" in headers
    assert len(headers) == len(HEADER)
    assert sheet.max_row >= 2
