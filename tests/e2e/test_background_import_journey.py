"""Browser journey: a large KPI file is checked and imported by the background worker.

HR uploads; the page becomes the job's progress page, which polls with htmx.
The worker (here: `job_run`, what the worker process calls) runs the check;
the next poll sends the browser to the preview by itself. Confirming goes
through the progress page again, and ends on the import page's success
message. The jobs wait in the database queue, as with `make serve`.
"""

import re

import pytest
from playwright.sync_api import expect

from indicators.models import KPI
from kpi_portal.jobs import job_run
from kpi_portal.models import Job
from tests.e2e.helpers import hr_menu
from tests.e2e.test_hr_journey import GOOD_ROWS, workbook_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_large_imports(settings, tmp_path):
    settings.IMPORT_BACKGROUND_BYTES = 0  # every file counts as large
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def run_the_queued_job() -> Job:
    job = Job.objects.get(status=Job.Status.QUEUED)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_large_kpi_file_goes_through_the_worker_with_a_progress_page(
    person, agency, the_round, queued_large_imports, shot, watch, tmp_path
):
    good = workbook_file(tmp_path / "ตัวชี้วัด-ทั้งกรม.xlsx", GOOD_ROWS)
    hr = person("hr")
    hr_menu(hr, "นำเข้าตัวชี้วัด").click()
    hr.get_by_label("รอบการประเมิน").select_option(label="2569/1")
    hr.get_by_label("ไฟล์ .xlsx หรือ .csv").set_input_files(good)
    hr.get_by_role("button", name="ตรวจสอบไฟล์").click()

    # The progress page, waiting for the worker.
    expect(hr.get_by_role("heading", name="นำเข้าตัวชี้วัด")).to_be_visible()
    expect(hr.locator("#job-progress")).to_contain_text("รอคิว")
    shot(hr, "hr-import-job-waiting")
    check = run_the_queued_job()
    assert (check.done, check.total) == (3, 3)

    # The next poll takes the browser to the preview.
    expect(hr.locator("#count-created")).to_have_text("3", timeout=10_000)
    assert "/import/jobs/" in hr.url
    assert not KPI.objects.filter(round=the_round).exists()
    hr.get_by_role("button", name="ยืนยันการนำเข้า").click()

    expect(hr.locator("#job-progress")).to_contain_text("รอคิว")
    run_the_queued_job()
    expect(hr.get_by_text(re.compile(r"นำเข้าตัวชี้วัดรอบ 2569/1 เรียบร้อย: ตัวชี้วัดใหม่ 3"))).to_be_visible(
        timeout=10_000
    )
    assert KPI.objects.filter(round=the_round).count() == 3
    watch.check()
