"""HR's big round report runs as a background job and delivers the command's workbook."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from kpi_portal.models import Job
from tests.factories_reports import make_round, standard_results


@pytest.fixture
def the_data(agency):
    the_round = make_round()
    standard_results(agency, the_round)
    return the_round


def workbook_values(content: bytes) -> dict:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_small_report_downloads_at_once(agency, the_data, client_for, settings):
    settings.REPORT_BACKGROUND_ROWS = 10_000
    response = client_for(agency.hr).get(
        reverse("appraisals:report_download"), {"round": the_data.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert not Job.objects.exists()


def test_big_report_runs_as_a_job_and_delivers_the_commands_workbook(
    agency, the_data, client_for, settings, tmp_path
):
    settings.REPORT_BACKGROUND_ROWS = 0
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    hr = client_for(agency.hr)

    response = hr.get(reverse("appraisals:report_download"), {"round": the_data.pk})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    # Without a worker (the embedded backend) the job has already finished.
    page = hr.get(reverse("jobs:detail", args=[job.pk]))
    assert job.kind == "appraisals.round_report"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.total > 0 and job.done == job.total
    assert reverse("jobs:download", args=[job.pk]) in page.content.decode()
    download = hr.get(reverse("jobs:download", args=[job.pk]))
    from_job = workbook_values(b"".join(download.streaming_content))

    # The whole department is what HR sees; the command exports the same tree.
    command_file = tmp_path / "command.xlsx"
    call_command("export_round", the_data.code, str(command_file), unit="DEPT")
    assert from_job == workbook_values(command_file.read_bytes())


def test_someone_elses_report_job_answers_404(agency, the_data, client_for, settings, tmp_path):
    settings.REPORT_BACKGROUND_ROWS = 0
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    client_for(agency.hr).get(reverse("appraisals:report_download"), {"round": the_data.pk})
    job = Job.objects.get()
    other = client_for(agency.grp_head)
    assert other.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("jobs:download", args=[job.pk])).status_code == 404
