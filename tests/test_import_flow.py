"""The import pages' shared flow (kpi_portal.import_flow): the kept file's life."""

import os
import time

import pytest
from django.urls import reverse

from tests.test_import_org_page import GOOD_ROWS, csv_upload, kept_files


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_new_upload_replaces_the_one_waiting_for_confirmation(agency, client_for, private_media):
    client = client_for(agency.hr)
    client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})
    first = kept_files(private_media)

    client.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS[1:])})

    second = kept_files(private_media)
    assert len(first) == 1 and len(second) == 1 and first != second


def test_files_abandoned_at_the_preview_for_a_day_are_removed(agency, client_for, private_media):
    yesterdays_session = client_for(agency.hr)
    yesterdays_session.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})
    (abandoned,) = kept_files(private_media)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(abandoned, (two_days_ago, two_days_ago))
    todays_session = client_for(agency.hr)

    todays_session.post(reverse("orgchart:import"), {"file": csv_upload(GOOD_ROWS)})

    assert abandoned not in kept_files(private_media)
    assert len(kept_files(private_media)) == 1


def test_a_forged_session_token_reads_no_file(agency, client_for, private_media):
    client = client_for(agency.hr)
    secret = private_media / "uploads" / "secret.csv"
    secret.parent.mkdir(parents=True)
    secret.write_text("code,parent_code,kind,name\nX,,กรม,ไม่ควรถูกอ่าน\n", encoding="utf-8")
    session = client.session
    session["org_import"] = {"token": "../secret", "suffix": ".csv", "filename": "x.csv"}
    session.save()

    response = client.post(reverse("orgchart:import_confirm"), {"action": "confirm"}, follow=True)

    assert "ไม่พบไฟล์ที่รอยืนยัน กรุณาอัปโหลดไฟล์อีกครั้ง" in response.content.decode()
    assert secret.exists()
