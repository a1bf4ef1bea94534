"""manage.py issue_activation: the same service as the HR page, from the command line."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from accounts.models import ActivationCode


def sheet(path) -> list[list]:
    rows = list(
        openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    header = next(i for i, row in enumerate(rows) if row and row[0] == "หน่วยงาน")
    return [list(row) for row in rows[header + 1 :]]


def unusable(*nodes):
    for node in nodes:
        node.user.set_unusable_password()
        node.user.save()


def test_command_issues_codes_for_a_unit(agency, tmp_path):
    unusable(agency.officer1, agency.officer3)
    out = tmp_path / "codes.xlsx"
    stdout = io.StringIO()
    call_command("issue_activation", "--unit", "DIV", "--out", str(out), stdout=stdout)
    assert sorted(row[1] for row in sheet(out)) == ["P-O1", "P-O3"]
    assert "Issued 2: e-mailed 0, on the sheet 2" in stdout.getvalue()
    assert ActivationCode.objects.count() == 2


def test_command_all_without_password_with_email(agency, tmp_path, mailoutbox):
    unusable(agency.officer1, agency.outsider)
    agency.outsider.email = "outsider@example.go.th"
    agency.outsider.save()
    out = tmp_path / "codes.xlsx"
    call_command("issue_activation", "--all-without-password", "--email", "--out", str(out))
    assert [row[1] for row in sheet(out)] == ["P-O1"]
    assert [m.to for m in mailoutbox] == [["outsider@example.go.th"]]
    assert "http://127.0.0.1:8000/accounts/activate/" in mailoutbox[0].body


def test_command_file_with_a_bad_row_issues_nothing(agency, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("username\nofficer1\nnobody\n", encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="1 bad rows"):
        call_command(
            "issue_activation",
            "--file",
            str(people),
            "--out",
            str(tmp_path / "c.xlsx"),
            stderr=stderr,
        )
    assert "row 3" in stderr.getvalue()
    assert not ActivationCode.objects.exists()


def test_command_wants_exactly_one_choice(agency, tmp_path):
    with pytest.raises(CommandError, match="exactly one"):
        call_command("issue_activation", "--out", str(tmp_path / "c.xlsx"))
