"""Benchmark: HR's import page with a 100,000-row KPI file, run by the background worker.

    DEBUG=1 .venv/bin/python -m bench.bench_import_job [PEOPLE]

What HR waits for in the browser, and what the worker does meanwhile:
the upload request (which keeps the file and queues the check), the check
job (reading with progress, every rule), the confirm request (which queues
the import) and the import job. Jobs queue in the database (TASKS_BACKEND
"database", as `make serve` runs) and are run here by `job_run`, what the
worker process calls. Goal: no request near the gunicorn timeout (120 s);
the requests stay under a second whatever the file's size.
"""

import os
import sys
import time

from bench import env

PEOPLE = 20_000
KPIS_PER_PERSON = 5


def say(*parts) -> None:
    print(*parts, flush=True)


def main(people: int = PEOPLE) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{env.OUT / 'bench_import_job.sqlite3'}")
    env.OUT.mkdir(parents=True, exist_ok=True)
    env.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from bench.generate import build_in_db, make_agency, write_kpi_xlsx
    from indicators.models import KPI
    from indicators.rounds import round_save
    from kpi_portal.jobs import job_run
    from kpi_portal.models import Job

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"== bench_import_job: {people:,} officers x {KPIS_PER_PERSON} KPIs (load {load}) ==")
    agency = make_agency(people=people)
    env.fresh_database()
    build_in_db(agency)
    the_round, _created = round_save(code="2569/1")
    path = write_kpi_xlsx(agency, kpis_per_person=KPIS_PER_PERSON)
    size = path.stat().st_size
    default_threshold = settings.IMPORT_BACKGROUND_BYTES
    say(
        f"file {path.name}: {people * KPIS_PER_PERSON:,} rows, {size / 2**20:.1f} MB "
        f"(IMPORT_BACKGROUND_BYTES is {default_threshold / 2**20:.0f} MB)"
    )
    hr = get_user_model().objects.create_superuser("bench-hr", password="x")
    client = Client()
    client.force_login(hr)
    queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with (
        override_settings(
            TASKS=queue,
            TASKS_BACKEND="database",
            PRIVATE_MEDIA_ROOT=env.OUT,
            ALLOWED_HOSTS=["testserver"],
            IMPORT_BACKGROUND_BYTES=0,  # the background path whatever PEOPLE is
        ),
        env.debug_off(),
    ):

        def timed(label, call):
            start = time.perf_counter()
            result = call()
            say(f"{label}: {time.perf_counter() - start:.2f} s")
            return result

        upload = SimpleUploadedFile(path.name, path.read_bytes())
        response = timed(
            "upload request (keeps the file, queues the check)",
            lambda: client.post(
                reverse("indicators:import"), {"round": the_round.pk, "file": upload}
            ),
        )
        assert response.status_code == 302, response.status_code
        check = Job.objects.get(kind="indicators.kpi_import")
        timed("check job in the worker (read, every rule)", lambda: job_run(job_id=check.pk))
        check.refresh_from_db()
        say(f"  status {check.status}, rows {check.done:,} of {check.total:,}")
        page = timed(
            "result page (the preview from the stored outcome)",
            lambda: client.get(reverse("indicators:import_result", args=[check.pk])),
        )
        assert page.status_code == 200 and "ยืนยันการนำเข้า" in page.content.decode()
        response = timed(
            "confirm request (queues the import)",
            lambda: client.post(reverse("indicators:import_confirm"), {"action": "confirm"}),
        )
        assert response.status_code == 302, response.status_code
        work = Job.objects.filter(kind="indicators.kpi_import").exclude(pk=check.pk).get()
        timed("import job in the worker", lambda: job_run(job_id=work.pk))
        say(f"  KPIs in the round: {KPI.objects.filter(round=the_round).count():,}")
    say(f"peak RSS of this process: {env.max_rss_mb():.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE)
