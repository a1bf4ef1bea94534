"""Production serving: the documented environment, settings by mode, static files."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "deploy" / "production.env.example"

SHOW_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
    "hsts": settings.SECURE_HSTS_SECONDS,
}))
"""


def production_env() -> dict[str, str]:
    """deploy/production.env.example, with a real secret, on top of a clean environment."""
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**base, **values}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def show_settings(env: dict[str, str]) -> dict:
    result = manage("shell", "-c", SHOW_SETTINGS, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_the_documented_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_warns_about_a_plain_http_setup():
    env = {**production_env(), "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0"}

    result = manage("check", "--deploy", env=env)

    assert "security.W008" in result.stderr + result.stdout
    assert "security.W012" in result.stderr + result.stdout


def test_production_settings_from_the_documented_environment():
    shown = show_settings(production_env())

    assert shown["static"] == "kpi_portal.storage.StaticFilesStorage"
    assert shown["tasks"] == "django_tasks_db.DatabaseBackend"
    assert shown["ssl_redirect"] and shown["session_secure"] and shown["csrf_secure"]
    assert shown["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["hsts"] == 31536000


def test_debug_off_is_secure_by_default_and_uses_the_worker():
    env = {"PATH": os.environ["PATH"], "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}

    shown = show_settings(env)

    assert shown["tasks"] == "django_tasks_db.DatabaseBackend"
    assert shown["ssl_redirect"] and shown["session_secure"] and shown["csrf_secure"]
    assert shown["proxy_header"] is None  # only when told a proxy sets it


def test_development_keeps_plain_static_files_and_immediate_jobs():
    shown = show_settings({"PATH": os.environ["PATH"], "DEBUG": "1"})

    assert shown["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert shown["tasks"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert not shown["ssl_redirect"] and not shown["session_secure"]


def test_development_can_use_the_worker_too():
    env = {"PATH": os.environ["PATH"], "DEBUG": "1", "TASKS_BACKEND": "database"}

    assert show_settings(env)["tasks"] == "django_tasks_db.DatabaseBackend"


def test_debug_off_without_secret_key_fails_clearly():
    result = manage("check", env={"PATH": os.environ["PATH"], "DEBUG": "0"})

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_serve_refuses_to_start_without_secret_key():
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}

    result = subprocess.run(  # noqa: S603
        [str(ROOT / "deploy" / "serve.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 2
    assert "SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_collectstatic_hashes_and_compresses_and_keeps_missing_font_references(settings, tmp_path):
    source = tmp_path / "static"
    (source / "vendor" / "files").mkdir(parents=True)
    (source / "vendor" / "files" / "thai.woff2").write_bytes(b"font")
    (source / "vendor" / "font.css").write_text(
        "@font-face{src:url(./files/thai.woff2)}\n"
        "@font-face{src:url(./files/vietnamese.woff2)}\n" * 20
    )
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "kpi_portal.storage.StaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])

    manifest = json.loads((tmp_path / "collected" / "staticfiles.json").read_text())
    hashed_css = manifest["paths"]["vendor/font.css"]
    css = (tmp_path / "collected" / hashed_css).read_text()
    hashed_font = Path(manifest["paths"]["vendor/files/thai.woff2"]).name
    assert f'url("./files/{hashed_font}")' in css
    assert "url(./files/vietnamese.woff2)" in css
    assert (tmp_path / "collected" / f"{hashed_css}.gz").is_file()


@pytest.mark.parametrize("cores, expected", [(1, 3), (2, 5), (8, 17)])
def test_gunicorn_runs_two_workers_per_core_plus_one(monkeypatch, cores, expected):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)))

    config = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), config)  # noqa: S102

    assert config["workers"] == expected
    assert config["bind"] == "127.0.0.1:8000"


def test_gunicorn_workers_and_address_can_be_set(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("PORT", "8111")

    config = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), config)  # noqa: S102

    assert config["workers"] == 4
    assert config["bind"] == "0.0.0.0:8111"
