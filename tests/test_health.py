"""/health/: database and task worker status for monitors and load balancers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone


@pytest.fixture
def database_backend(settings):
    settings.TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def enqueue(waited: timedelta):
    from django_tasks_db.models import DBTaskResult

    from kpi_portal.tasks import run_job

    result = run_job.enqueue("00000000-0000-0000-0000-000000000000")
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=timezone.now() - waited)


def test_health_answers_without_login_when_the_database_is_up(client, db):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "ok"
    assert response.json()["worker"] == "not_used"  # the immediate backend
    assert "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_database_does_not_answer(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", refuse)
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_health_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_worker_is_idle_with_nothing_to_do(client, database_backend, db):
    assert client.get(reverse("health")).json()["worker"] == "idle"


def test_worker_is_ok_while_tasks_wait_briefly(client, database_backend, db):
    enqueue(timedelta(seconds=20))

    body = client.get(reverse("health")).json()

    assert body["worker"] == "ok"
    assert body["queued"] == 1


def test_worker_is_stale_when_a_task_waits_too_long(client, database_backend, db, settings):
    settings.WORKER_STALE_MINUTES = 5
    enqueue(timedelta(minutes=6))

    body = client.get(reverse("health")).json()

    assert client.get(reverse("health")).status_code == 200  # the site still works
    assert body["worker"] == "stale"
    assert body["oldest_queued_seconds"] >= 360


def test_worker_is_ok_after_picking_up_a_task_recently(client, database_backend, db):
    from django_tasks_db.models import DBTaskResult

    enqueue(timedelta(minutes=1))
    DBTaskResult.objects.update(status="SUCCESSFUL", started_at=timezone.now())

    assert client.get(reverse("health")).json()["worker"] == "ok"
