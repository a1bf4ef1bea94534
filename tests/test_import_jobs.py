"""Large import files are checked and imported by the background worker (issue 5).

Above IMPORT_BACKGROUND_BYTES the upload and the confirm step each start a
job; the page goes to its progress bar, and when the job is done to the
same preview (or the same success message) the page shows in the request.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from appraisals.models import Result
from indicators.models import KPI, Plan
from kpi_portal.jobs import job_run, job_start
from kpi_portal.models import Job
from kpi_portal.tabular import read_table
from orgchart.importer import ORG_COLUMNS
from orgchart.models import Node
from tests.test_import_kpis import GOOD as GOOD_KPIS
from tests.test_import_kpis import write_csv
from tests.test_import_org_page import GOOD_ROWS, csv_upload, kept_files
from tests.test_import_results import GOOD as GOOD_RESULTS
from tests.test_import_results import setup, xlsx  # noqa: F401 (setup is a fixture)


@pytest.fixture(autouse=True)
def every_file_is_large(settings, tmp_path):
    settings.IMPORT_BACKGROUND_BYTES = 0
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def queued(settings):
    """Jobs wait for a worker (the database backend) instead of running at once."""
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_large_org_file_is_checked_then_imported_in_the_background(agency, client_for, tmp_path):
    client = client_for(agency.hr)

    checked = client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)}, follow=True)

    check_job = Job.objects.get(kind="orgchart.import")
    assert check_job.params["dry_run"] is True and check_job.requested_by == agency.hr.user
    assert [url for url, _status in checked.redirect_chain] == [
        reverse("jobs:detail", args=[check_job.pk]),
        reverse("orgchart:import_result", args=[check_job.pk]),
    ]
    page = checked.content.decode()
    assert 'id="count-created">2<' in page and 'id="count-updated">1<' in page
    assert "ยืนยันการนำเข้า" in page
    assert not Node.objects.filter(code="N-P").exists()
    assert (check_job.done, check_job.total) == (3, 3)  # rows read of rows in the file

    done = client.post(reverse("orgchart:import_confirm"), {"action": "confirm"}, follow=True)

    import_job = Job.objects.filter(kind="orgchart.import").exclude(pk=check_job.pk).get()
    assert import_job.params["dry_run"] is False
    assert "นำเข้าเรียบร้อย: สร้างใหม่ 2 รายการ แก้ไข 1 รายการ" in done.content.decode()
    assert Node.objects.get(code="N-P").parent.code == "N-G"
    assert kept_files(tmp_path) == []


def test_a_large_bad_file_lists_every_bad_row_and_saves_nothing(agency, client_for, tmp_path):
    rows = [["N-P", "NOWHERE", "บุคคล", "นายใหม่", "", ""], ["N-Q", "", "หน่วยลับ", "x", "", ""]]
    client = client_for(agency.hr)

    page = client.post(reverse("orgchart:import"), {"file": csv_upload(rows)}, follow=True)

    text = page.content.decode()
    assert "ไฟล์นี้ยังนำเข้าไม่ได้" in text and "NOWHERE" in text and "หน่วยลับ" in text
    assert "ยืนยันการนำเข้า" not in text
    assert Job.objects.get(kind="orgchart.import").status == Job.Status.DONE
    assert kept_files(tmp_path) == []  # the session let go of the file
    assert not Node.objects.filter(code__in=["N-P", "N-Q"]).exists()


def test_with_a_worker_the_page_waits_and_htmx_is_sent_to_the_result(agency, client_for, queued):
    client = client_for(agency.hr)
    started = client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})
    job = Job.objects.get(kind="orgchart.import")
    assert started["Location"] == reverse("jobs:detail", args=[job.pk])
    waiting = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "รอคิว" in waiting and 'hx-trigger="every 1s"' in waiting
    # Before the worker: the result view sends the browser back to the progress page.
    early = client.get(reverse("orgchart:import_result", args=[job.pk]))
    assert early["Location"] == reverse("jobs:detail", args=[job.pk])

    job_run(job_id=job.pk)  # what the worker does

    partial = client.get(reverse("jobs:progress", args=[job.pk]))
    assert partial.status_code == 286
    assert partial["HX-Redirect"] == reverse("orgchart:import_result", args=[job.pk])
    assert "ดูผล" in partial.content.decode()


def test_a_file_replaced_after_its_check_is_not_offered_for_confirmation(agency, client_for):
    client = client_for(agency.hr)
    client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})
    first = Job.objects.get(kind="orgchart.import")
    client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS[1:])})

    stale = client.get(reverse("orgchart:import_result", args=[first.pk]), follow=True)

    assert "ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง" in stale.content.decode()


def test_a_large_kpi_file_is_imported_in_the_background_with_approval(
    agency, the_round, client_for, tmp_path
):
    client = client_for(agency.hr)
    upload = SimpleUploadedFile("kpis.csv", write_csv(tmp_path, GOOD_KPIS).read_bytes())

    preview = client.post(
        reverse("indicators:import"), {"round": the_round.pk, "file": upload}, follow=True
    )

    assert 'id="count-created">3<' in preview.content.decode()
    assert not KPI.objects.exists()
    done = client.post(
        reverse("indicators:import_confirm"), {"action": "confirm", "approve": "1"}, follow=True
    )
    assert "ตัวชี้วัดใหม่ 3" in done.content.decode()
    assert KPI.objects.count() == 3
    assert Plan.objects.get(owner=agency.officer1).status == Plan.Status.APPROVED
    jobs = Job.objects.filter(kind="indicators.kpi_import").order_by("created_at")
    assert [job.params["dry_run"] for job in jobs] == [True, False]
    assert jobs[1].params["approve"] is True and jobs[1].params["round"] == the_round.pk


def test_a_large_results_file_is_imported_in_the_background(agency, setup, client_for):  # noqa: F811
    the_round, _plan, _kpis = setup
    client = client_for(agency.hr)
    upload = SimpleUploadedFile("results.xlsx", xlsx(GOOD_RESULTS))

    preview = client.post(
        reverse("appraisals:import"), {"round": the_round.pk, "file": upload}, follow=True
    )

    assert 'id="count-created">3<' in preview.content.decode()
    assert Result.objects.count() == 0
    done = client.post(reverse("appraisals:import_confirm"), {"action": "confirm"}, follow=True)
    assert "บันทึกใหม่ 3 รายการ" in done.content.decode()
    assert Result.objects.count() == 3
    jobs = Job.objects.filter(kind="appraisals.results_import").order_by("created_at")
    assert [job.params["dry_run"] for job in jobs] == [True, False]


def test_small_files_stay_in_the_request(agency, client_for, settings):
    settings.IMPORT_BACKGROUND_BYTES = 1024 * 1024
    response = client_for(agency.hr).post(
        reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)}
    )
    assert response.status_code == 200 and 'id="count-created">2<' in response.content.decode()
    assert not Job.objects.exists()


# Reading progress (kpi_portal.tabular.read_table) ---------------------------


def org_xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "parent_code", "kind", "name"])
    for number in range(rows):
        sheet.append([f"P{number}", "DEPT", "บุคคล", f"คนที่ {number}"])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_reading_reports_rows_read_of_rows_in_the_file(kind):
    if kind == "xlsx":
        data = org_xlsx(2500)
    else:
        lines = ["code,parent_code,kind,name"] + [f"P{n},DEPT,บุคคล,คน {n}" for n in range(2500)]
        data = ("\n".join(lines) + "\n").encode()
    seen = []

    table = read_table(
        io.BytesIO(data), ORG_COLUMNS, filename=f"org.{kind}", progress=lambda *a: seen.append(a)
    )

    assert len(table.rows) == 2500
    assert seen[0] == (0, 2500)
    assert (999, 2500) in seen and (1999, 2500) in seen  # every 1,000 rows
    assert seen[-1] == (2500, 2500)


def test_a_background_import_refused_at_confirmation_says_the_data_changed(
    agency,
    setup,  # noqa: F811
    client_for,
):
    the_round, plan, _kpis = setup
    client = client_for(agency.hr)
    upload = SimpleUploadedFile("results.xlsx", xlsx(GOOD_RESULTS))
    client.post(reverse("appraisals:import"), {"round": the_round.pk, "file": upload}, follow=True)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)  # reopened meanwhile

    done = client.post(reverse("appraisals:import_confirm"), {"action": "confirm"}, follow=True)

    page = done.content.decode()
    assert "นำเข้าไม่สำเร็จ ข้อมูลในระบบเปลี่ยนไปหลังการตรวจสอบ" in page
    assert Result.objects.count() == 0


@pytest.mark.parametrize(
    "params",
    [
        {"token": "0" * 32, "suffix": ".csv"},  # no such file
        {"token": "../../etc/passwd", "suffix": ""},
        {"token": "0" * 32, "suffix": "/../../secret"},
        {},
    ],
)
def test_an_import_job_reads_only_a_kept_upload(agency, params):
    job = job_start(kind="orgchart.import", params={"dry_run": True, **params}, by=agency.hr.user)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง"
