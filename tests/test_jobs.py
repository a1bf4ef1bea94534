"""Background jobs: start, progress, result file, failure, expiry, access."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kpi_portal import jobs
from kpi_portal.jobs import JobError, job_start, jobs_expire, register
from kpi_portal.models import Job

# Set by a test to look at the job while its runner is half way.
_midway_check = None


def write_rows(job, progress):
    """A test-only kind: "exports" params["rows"] rows to a CSV file."""
    rows = job.params["rows"]
    path = job.output_path("ตัวอย่าง.csv")
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, rows + 1):
            out.write(f"{number}\n")
            progress(number, rows)
            if number == job.params.get("check_at"):
                _midway_check(job)
    return path, f"ส่งออก {rows:,} แถว"


def refuse(job, progress):
    progress(6, 10)
    raise JobError("แถวที่ 7: ไม่พบรหัสหน่วยงาน X-99")


def crash(job, progress):
    raise KeyError("internal detail")


register("tests.write_rows", write_rows, title="ส่งออกตัวอย่าง")
register("tests.refuse", refuse)
register("tests.crash", crash)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def officer(agency):
    return agency.officer1.user


def test_job_runs_to_done_with_a_downloadable_file(officer, client_for, agency):
    job = job_start(kind="tests.write_rows", params={"rows": 2500}, by=officer)

    assert job.status == Job.Status.DONE
    assert (job.done, job.total) == (2500, 2500)
    assert job.message == "ส่งออก 2,500 แถว"
    assert job.result_path.is_file()
    assert job.expires_at - job.finished_at == timedelta(hours=24)
    client = client_for(agency.officer1)
    page = client.get(reverse("jobs:detail", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "ส่งออกตัวอย่าง" in text
    assert "ส่งออก 2,500 แถว" in text
    assert reverse("jobs:download", args=[job.pk]) in text
    assert 'data-progress="100"' in text
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in download["Content-Disposition"]
    body = b"".join(download.streaming_content).decode()
    assert body.splitlines()[:3] == ["1", "2", "3"] and len(body.splitlines()) == 2500


def test_queued_job_page_polls_for_progress(officer, client_for, agency):
    job = Job.objects.create(kind="tests.write_rows", params={"rows": 3}, requested_by=officer)

    page = client_for(agency.officer1).get(reverse("jobs:detail", args=[job.pk]))

    text = page.content.decode()
    assert "รอคิว" in text
    assert f'hx-get="{reverse("jobs:progress", args=[job.pk])}"' in text
    assert 'hx-trigger="every 1s"' in text
    assert "js/app.js" in text  # app.js paints .progress-bar[data-progress]


def test_running_job_shows_rows_done_of_total(officer, client_for, agency, monkeypatch):
    client = client_for(agency.officer1)
    seen = {}

    def look(job):
        job = Job.objects.get(pk=job.pk)
        seen["status"], seen["done"], seen["total"] = job.status, job.done, job.total
        partial = client.get(reverse("jobs:progress", args=[job.pk]))
        seen["code"] = partial.status_code
        seen["html"] = partial.content.decode()

    monkeypatch.setattr("tests.test_jobs._midway_check", look)
    monkeypatch.setattr(jobs, "monotonic", lambda: 0.0)  # no time passes: rows decide

    job_start(kind="tests.write_rows", params={"rows": 3000, "check_at": 1001}, by=officer)

    # progress(1, 3000) was written at once, then after another 1,000 rows.
    assert (seen["status"], seen["done"], seen["total"]) == ("running", 1001, 3000)
    assert seen["code"] == 200
    assert "1,001 จาก 3,000 แถว" in seen["html"]
    assert 'data-progress="33"' in seen["html"]
    assert 'hx-trigger="every 1s"' in seen["html"]


def test_progress_partial_stops_polling_when_done(officer, client_for, agency):
    job = job_start(kind="tests.write_rows", params={"rows": 10}, by=officer)

    partial = client_for(agency.officer1).get(reverse("jobs:progress", args=[job.pk]))

    assert partial.status_code == 286  # htmx: stop polling
    assert "hx-trigger" not in partial.content.decode()
    assert reverse("jobs:download", args=[job.pk]) in partial.content.decode()


def test_progress_is_written_at_most_every_half_second_or_thousand_rows(officer, monkeypatch):
    job = Job.objects.create(kind="tests.write_rows", requested_by=officer, status="running")
    clock = [100.0]
    monkeypatch.setattr(jobs, "monotonic", lambda: clock[0])
    progress = jobs._ProgressWriter(job.pk)

    def stored():
        job.refresh_from_db()
        return job.done

    progress(1, 10_000)
    assert stored() == 1
    clock[0] += 0.2
    progress(500, 10_000)
    assert stored() == 1  # too soon, too few rows
    clock[0] += 0.4
    progress(600, 10_000)
    assert stored() == 600  # half a second passed
    clock[0] += 0.01
    progress(1700, 10_000)
    assert stored() == 1700  # a thousand rows passed
    progress(10_000, 10_000)
    assert stored() == 10_000  # the end is always written


def test_failed_job_shows_its_message(officer, client_for, agency, caplog):
    job = job_start(kind="tests.refuse", by=officer)

    assert job.status == Job.Status.FAILED
    assert job.error == "แถวที่ 7: ไม่พบรหัสหน่วยงาน X-99"
    assert (job.done, job.total) == (6, 10)
    assert not job.directory.exists()
    client = client_for(agency.officer1)
    text = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "งานนี้ไม่สำเร็จ" in text
    assert "แถวที่ 7: ไม่พบรหัสหน่วยงาน X-99" in text
    partial = client.get(reverse("jobs:progress", args=[job.pk]))
    assert partial.status_code == 286
    assert "hx-trigger" not in partial.content.decode()
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 302


def test_unexpected_error_is_logged_with_traceback_not_shown(officer, client_for, agency, caplog):
    with caplog.at_level(logging.ERROR, logger="kpi_portal.jobs"):
        job = job_start(kind="tests.crash", by=officer)

    assert job.status == Job.Status.FAILED
    record = next(r for r in caplog.records if r.name == "kpi_portal.jobs")
    assert record.exc_info and record.exc_info[0] is KeyError
    text = client_for(agency.officer1).get(reverse("jobs:detail", args=[job.pk])).content
    assert "เกิดข้อผิดพลาดที่ไม่คาดคิด" in text.decode()
    assert str(job.pk) in text.decode()
    assert b"internal detail" not in text


def test_expired_file_is_deleted_and_the_page_says_so(officer, client_for, agency):
    job = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)
    path = job.result_path
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    assert jobs_expire() == 1

    assert not path.exists()
    job.refresh_from_db()
    assert job.result_file == ""
    client = client_for(agency.officer1)
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 410
    assert "ไฟล์ผลลัพธ์หมดอายุแล้ว" in download.content.decode()
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "ไฟล์ผลลัพธ์หมดอายุแล้ว" in page
    assert reverse("jobs:download", args=[job.pk]) not in page


def test_expired_file_is_refused_even_before_the_cleanup_runs(officer, client_for, agency):
    job = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)
    path = job.result_path
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    download = client_for(agency.officer1).get(reverse("jobs:download", args=[job.pk]))

    assert download.status_code == 410
    assert not path.exists()


def test_expire_jobs_command_keeps_files_still_in_time(officer):
    fresh = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)
    old = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)
    Job.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))

    call_command("expire_jobs", verbosity=0)

    assert fresh.result_path.is_file()
    assert not old.result_path.exists()


@pytest.mark.parametrize("name", ["jobs:detail", "jobs:progress", "jobs:download"])
def test_someone_elses_job_is_not_found(officer, client_for, agency, name, caplog):
    job = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)

    with caplog.at_level(logging.WARNING, logger="kpi_portal.security"):
        response = client_for(agency.officer2).get(reverse(name, args=[job.pk]))

    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()
    assert any("status=404" in r.getMessage() and "officer2" in r.getMessage()
               for r in caplog.records)  # fmt: skip


def test_job_pages_need_a_login(officer, client):
    job = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)

    response = client.get(reverse("jobs:download", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_kind_cannot_be_registered_twice_to_different_runners():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        register("tests.write_rows", refuse)
    register("tests.write_rows", write_rows)  # the same runner again is fine


def test_database_backend_queues_the_job_for_the_worker(officer, settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    job = job_start(kind="tests.write_rows", params={"rows": 5}, by=officer)

    assert job.status == Job.Status.QUEUED
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert task.task_path == "kpi_portal.tasks.run_job"
    assert task.args_kwargs["args"] == [str(job.pk)]
    # What the worker does with it:
    assert task.task.call(*task.args_kwargs["args"]) == "done"
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result_path.is_file()
    # A task delivered twice does not run the job twice.
    assert task.task.call(*task.args_kwargs["args"]) == "skipped"


def running_job(officer, silent_for: timedelta) -> Job:
    """A job a worker claimed and then stopped reporting on."""
    when = timezone.now() - silent_for
    return Job.objects.create(
        kind="tests.write_rows",
        params={"rows": 10},
        requested_by=officer,
        status=Job.Status.RUNNING,
        done=4,
        total=10,
        started_at=when,
        updated_at=when,
    )


def test_a_job_whose_worker_went_silent_is_shown_as_failed(officer, client_for, agency, settings):
    settings.JOB_SILENT_MINUTES = 30
    gone = running_job(officer, timedelta(minutes=31))
    busy = running_job(officer, timedelta(minutes=5))
    client = client_for(agency.officer1)

    partial = client.get(reverse("jobs:progress", args=[gone.pk]))

    assert partial.status_code == 286  # polling stops
    assert "งานหยุดกลางคัน" in partial.content.decode()
    gone.refresh_from_db()
    assert gone.status == Job.Status.FAILED and gone.finished_at is not None
    still = client.get(reverse("jobs:progress", args=[busy.pk]))
    assert still.status_code == 200 and 'hx-trigger="every 1s"' in still.content.decode()
    busy.refresh_from_db()
    assert busy.status == Job.Status.RUNNING


def test_expire_jobs_also_fails_silent_jobs(officer, settings):
    settings.JOB_SILENT_MINUTES = 30
    gone = running_job(officer, timedelta(hours=2))

    call_command("expire_jobs", verbosity=0)

    gone.refresh_from_db()
    assert gone.status == Job.Status.FAILED
    assert "กรุณาสั่งงานใหม่อีกครั้ง" in gone.error


@pytest.mark.parametrize("count", [1, 12])
def test_my_jobs_lists_only_mine_at_a_fixed_query_count(
    officer, agency, client_for, django_assert_num_queries, count
):
    for rows in range(count):
        job_start(kind="tests.write_rows", params={"rows": rows + 1}, by=officer)
    theirs = job_start(kind="tests.write_rows", params={"rows": 3}, by=agency.officer2.user)
    client = client_for(agency.officer1)
    client.get(reverse("jobs:list"))

    with django_assert_num_queries(7):
        page = client.get(reverse("jobs:list")).content.decode()

    assert page.count('href="/jobs/') == count
    assert reverse("jobs:detail", args=[theirs.pk]) not in page
    assert "ส่งออกตัวอย่าง" in page and "เสร็จแล้ว" in page
