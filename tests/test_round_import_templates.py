"""The results and check-in imports offer a template, as the org and KPI imports do."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appraisals.importer import RESULT_COLUMNS, results_read
from monitoring.importer import CHECKIN_COLUMNS, checkins_read

IMPORTS = [
    ("appraisals", RESULT_COLUMNS, results_read, "result-import-template.xlsx"),
    ("monitoring", CHECKIN_COLUMNS, checkins_read, "checkin-import-template.xlsx"),
]


@pytest.mark.parametrize(("namespace", "columns", "read", "filename"), IMPORTS)
def test_hr_downloads_a_template_the_import_reads(
    agency, client_for, namespace, columns, read, filename
):
    client = client_for(agency.hr)
    page = client.get(reverse(f"{namespace}:import")).content.decode()
    url = reverse(f"{namespace}:import_template")
    assert f'href="{url}"' in page  # the upload page links to it
    response = client.get(url)
    assert response.status_code == 200
    assert filename in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    headers = [cell.value for cell in workbook.worksheets[0][1]]
    assert headers == [f"{c.label}*" if c.required else c.label for c in columns]
    assert headers[0] == "รหัสตัวชี้วัด*"
    # The second sheet explains every column.
    explained = " ".join(str(c.value) for row in workbook.worksheets[1].iter_rows() for c in row)
    assert all(column.label in explained for column in columns)
    # The example rows are rows the import's reader accepts (the star is part of the label).
    table = read(SimpleUploadedFile(filename, response.content))
    assert len(table.rows) == 2 and not table.errors


@pytest.mark.parametrize(("namespace", "columns", "read", "filename"), IMPORTS)
def test_officers_get_no_template(agency, client_for, namespace, columns, read, filename):
    response = client_for(agency.officer1).get(reverse(f"{namespace}:import_template"))
    assert response.status_code == 403
