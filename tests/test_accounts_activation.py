"""First sign-in: HR issues activation codes; a person activates with one (accounts)."""

import io
import logging
import re
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import codes
from accounts.models import ActivationCode
from accounts.selection import people_in_unit
from accounts.services import activation_codes_create, activation_issue

GOOD_PASSWORD = "Kpi-portal-2569!"


def unusable(*nodes):
    for node in nodes:
        node.user.set_unusable_password()
        node.user.save()


def issue_sheet(user, by=None) -> str:
    """A code on paper for `user`; returns the plain code."""
    (issued,) = activation_codes_create(user_ids=[user.pk], by_id=by, delivery="sheet")
    return issued.code


def sheet_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "หน่วยงาน")
    return rows[header:]


def strip_tokens(response) -> str:
    """The page without its CSRF tokens (a new one per response)."""
    return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())


def activate(client, login, code):
    return client.post(reverse("accounts:activate"), {"login": login, "code": code})


def set_password(client, password=GOOD_PASSWORD, again=None):
    data = {"new_password1": password, "new_password2": again or password}
    return client.post(reverse("accounts:activate_password"), data)


# Codes: random, typeable, hashed --------------------------------------------------------


def test_codes_are_ten_unambiguous_characters():
    made = {codes.code_make() for _ in range(200)}
    assert len(made) == 200
    for code in made:
        assert len(code) == 10
        assert not set(code) & set("0O1IL")


def test_typed_code_matches_with_spaces_dashes_and_small_letters():
    code = "ABCDE23456"
    stored = codes.code_hash(code, 7)
    assert codes.code_matches(" abcde-23456 ", 7, stored)
    assert not codes.code_matches(code, 8, stored)  # bound to the person
    assert not codes.code_matches("ABCDE23457", 7, stored)


def test_code_is_stored_hashed_never_in_plain(agency):
    code = issue_sheet(agency.officer1.user)
    row = ActivationCode.objects.get(user=agency.officer1.user)
    assert code not in row.code_hash
    assert codes.code_display(code) not in row.code_hash
    assert len(row.code_hash) == 64
    dumped = " ".join(str(v) for v in ActivationCode.objects.values_list())
    assert code not in dumped


def test_codes_still_work_after_a_secret_key_rotation(agency, settings):
    code = issue_sheet(agency.officer1.user)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    response = activate(Client(), "officer1", code)
    assert response.status_code == 302


# Activation: a validated password, signed in, at home -----------------------------------


def test_activation_sets_a_validated_password_signs_in_and_lands_home(agency):
    unusable(agency.officer1)
    code = issue_sheet(agency.officer1.user)
    client = Client()

    first = activate(client, "officer1", codes.code_display(code).lower())
    assert first.status_code == 302
    assert first["Location"] == reverse("accounts:activate_password")
    page = client.get(first["Location"])
    assert "ตั้งรหัสผ่าน" in page.content.decode()

    weak = set_password(client, "12345678")
    assert weak.status_code == 200
    assert "รหัสผ่านนี้เป็นตัวเลขทั้งหมด" in weak.content.decode()  # Django's validators, in Thai
    user = get_user_model().objects.get(username="officer1")
    assert not user.has_usable_password()

    done = set_password(client)
    assert done.status_code == 302
    assert done["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.wsgi_request.user.username == "officer1"
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    signed = Client().post(reverse("login"), {"username": "officer1", "password": GOOD_PASSWORD})
    assert signed.status_code == 302


def test_the_person_code_in_the_tree_works_as_the_login(agency):
    code = issue_sheet(agency.officer1.user)
    assert activate(Client(), "P-O1", code).status_code == 302


def test_a_code_is_single_use(agency):
    code = issue_sheet(agency.officer1.user)
    client = Client()
    activate(client, "officer1", code)
    assert set_password(client).status_code == 302

    again = activate(Client(), "officer1", code)
    assert again.status_code == 200
    assert "รหัสเปิดใช้งานไม่ถูกต้อง" in again.content.decode()


def test_an_expired_code_is_refused(agency):
    code = issue_sheet(agency.officer1.user)
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = activate(Client(), "officer1", code)
    assert response.status_code == 200
    assert "หมดอายุ" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_codes_expire_after_activation_days(agency, settings):
    settings.ACTIVATION_DAYS = 3
    issue_sheet(agency.officer1.user)
    row = ActivationCode.objects.get()
    assert timedelta(days=3) - timedelta(minutes=1) < row.expires_at - row.created_at
    assert row.expires_at - row.created_at <= timedelta(days=3)


def test_a_new_code_revokes_the_old_one(agency):
    old = issue_sheet(agency.officer1.user)
    new = issue_sheet(agency.officer1.user)
    assert activate(Client(), "officer1", old).status_code == 200
    assert activate(Client(), "officer1", new).status_code == 302
    assert ActivationCode.objects.filter(user=agency.officer1.user).count() == 2


def test_a_code_expiring_between_the_two_steps_is_refused(agency):
    code = issue_sheet(agency.officer1.user)
    client = Client()
    activate(client, "officer1", code)
    ActivationCode.objects.update(revoked_at=timezone.now())
    response = set_password(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:activate")
    assert not get_user_model().objects.get(username="officer1").check_password(GOOD_PASSWORD)


def test_the_password_step_needs_a_checked_code(agency):
    response = Client().get(reverse("accounts:activate_password"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:activate")


# Guessing: a few wrong tries burn the code -------------------------------------------


def test_five_wrong_codes_burn_the_code_even_for_the_right_one_after(agency, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    code = issue_sheet(agency.officer1.user)
    client = Client()
    for _ in range(5):
        response = activate(client, "officer1", "WRONG23456")
        assert response.status_code == 200
    right = activate(client, "officer1", code)
    assert right.status_code == 200
    assert "_auth_user_id" not in client.session
    row = ActivationCode.objects.get()
    assert row.revoked_at is not None and row.failures == 5
    assert "Activation code burnt after 5 wrong tries: user=officer1" in caplog.text
    assert code not in caplog.text


def test_four_wrong_codes_leave_the_right_one_working(agency):
    code = issue_sheet(agency.officer1.user)
    client = Client()
    for _ in range(4):
        activate(client, "officer1", "WRONG23456")
    assert activate(client, "officer1", code).status_code == 302


def test_unknown_login_and_wrong_code_answer_the_same(agency):
    issue_sheet(agency.officer1.user)
    unknown = activate(Client(), "nobody-here", "ABCDE23456")
    wrong = activate(Client(), "officer1", "ABCDE23456")
    assert unknown.status_code == wrong.status_code == 200
    assert strip_tokens(unknown).replace("nobody-here", "") == strip_tokens(wrong).replace(
        "officer1", ""
    )


# The e-mailed link ------------------------------------------------------------------------


def test_hr_issues_by_email_and_the_link_activates(agency, client_for, mailoutbox):
    unusable(agency.officer1, agency.officer2)
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "unit", "unit": "GRP", "delivery": "email"}
    )
    # officer2 has no address: the sheet comes back; officer1 got an e-mail.
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    assert [row[1] for row in rows[1:]] == ["P-O2"]
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["somchai@example.go.th"]
    assert "officer1" in message.body
    link = re.search(r"https?://\S+/accounts/activate/\S+/\S+/", message.body).group(0)
    client = Client()
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == reverse("accounts:activate_password")
    assert set_password(client).status_code == 302
    reused = Client().get(link)
    assert reused.status_code == 200
    assert "ลิงก์เปิดใช้งานใช้ไม่ได้" in reused.content.decode()


def test_a_forged_link_is_refused_and_counts_as_a_wrong_try(agency):
    issue_sheet(agency.officer1.user)
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(str(agency.officer1.user.pk).encode())
    response = Client().get(reverse("accounts:activate_link", args=[uid, "ABCDE23456"]))
    assert response.status_code == 200
    assert ActivationCode.objects.get().failures == 1
    garbage = Client().get(reverse("accounts:activate_link", args=["!!", "x"]))
    assert garbage.status_code == 200


# HR: whom they may issue for ---------------------------------------------------------------


def test_hr_downloads_a_sheet_for_a_unit_with_every_column(agency, client_for):
    unusable(agency.officer1, agency.officer2, agency.grp_head)
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "unit", "unit": "GRP", "delivery": "sheet"}
    )
    rows = sheet_rows(response)
    assert rows[0] == ["หน่วยงาน", "รหัส", "ชื่อ-สกุล", "ชื่อผู้ใช้", "รหัสเปิดใช้งาน", "หมดอายุ"]
    assert sorted(row[1] for row in rows[1:]) == ["P-GH", "P-O1", "P-O2"]
    for row in rows[1:]:
        assert row[0] == "กลุ่มงานติดตาม"
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", row[4])
        assert re.search(r"25\d\d", row[5])  # Buddhist Era
    code = next(row[4] for row in rows if row[1] == "P-O1")
    assert activate(Client(), "officer1", code).status_code == 302


def test_people_with_a_password_are_left_out_unless_asked(agency):
    unusable(agency.officer1)
    unit = agency.grp
    assert [u.username for u in people_in_unit(by=agency.hr.user, unit=unit)] == ["officer1"]
    everyone = people_in_unit(by=agency.hr.user, unit=unit, include_with_password=True)
    assert {u.username for u in everyone} == {"grp_head", "officer1", "officer2"}


def test_everyone_without_a_password_in_my_department(agency, client_for):
    unusable(agency.officer1, agency.officer3, agency.outsider)
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "missing", "delivery": "sheet"}
    )
    codes_of = sorted(row[1] for row in sheet_rows(response)[1:])
    assert codes_of == ["P-O1", "P-O3"]  # not the outsider of the other department


def test_hr_of_another_department_gets_404_for_a_unit_outside(agency, client_for):
    response = client_for(agency.hr_other).post(
        reverse("accounts:activation"), {"scope": "unit", "unit": "GRP", "delivery": "sheet"}
    )
    assert response.status_code == 404
    assert not ActivationCode.objects.exists()


def test_hr_of_another_department_gets_404_forcing_a_reset_outside(agency, client_for):
    url = reverse("accounts:force_reset", args=[agency.officer1.pk])
    assert client_for(agency.hr_other).post(url).status_code == 404
    assert get_user_model().objects.get(username="officer1").has_usable_password()


def test_hr_cannot_issue_for_an_administrator_account(agency, client_for):
    admin = agency.admin
    agency.officer3.user = admin
    agency.officer3.save()
    admin.set_unusable_password()
    admin.save()
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "unit", "unit": "GRP2", "delivery": "sheet"}
    )
    assert response.status_code == 302  # nobody to issue for
    assert not ActivationCode.objects.filter(user=admin).exists()


def file_upload(text: str, name="people.csv"):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


def test_a_file_of_codes_and_usernames_issues_for_exactly_those(agency, client_for):
    upload = file_upload("รหัส,ชื่อผู้ใช้\nP-O1,\n,officer3\n")
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "file", "delivery": "sheet", "file": upload}
    )
    assert sorted(row[3] for row in sheet_rows(response)[1:]) == ["officer1", "officer3"]


def test_a_file_with_a_bad_row_issues_nothing_and_lists_every_bad_row(agency, client_for):
    upload = file_upload("code,username\nP-O1,\nX-O1,\nNOPE,\nP-O1,\nP-O2,officer3\n")
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "file", "delivery": "sheet", "file": upload}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "ไม่พบบุคลากรนี้ที่มีบัญชีผู้ใช้ในหน่วยงานที่ท่านดูแล" in text  # X-O1 and NOPE
    assert text.count("ไม่พบบุคลากรนี้") == 2
    assert "ซ้ำกับแถว 2" in text
    assert "ชื่อผู้ใช้ไม่ตรงกับรหัส" in text
    assert not ActivationCode.objects.exists()


def test_a_file_that_is_not_a_table_is_refused_with_a_message(agency, client_for):
    upload = file_upload("\x00\x01binary", name="people.csv")
    response = client_for(agency.hr).post(
        reverse("accounts:activation"), {"scope": "file", "delivery": "sheet", "file": upload}
    )
    assert response.status_code == 200
    assert "UTF-8" in response.content.decode()
    assert not ActivationCode.objects.exists()


def test_a_name_that_looks_like_a_formula_is_escaped_on_the_sheet(agency, client_for):
    agency.officer1.name = "=HYPERLINK(1)"
    agency.officer1.save()
    response = client_for(agency.hr).post(
        reverse("accounts:activation"),
        {"scope": "unit", "unit": "GRP", "delivery": "sheet", "include_with_password": "on"},
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(1)")
    assert cell.data_type == "s" and cell.quotePrefix


def test_issuing_is_in_the_security_log(agency, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    activation_issue(
        users=[agency.officer1.user], by=agency.hr.user, email=False, base_url="http://x"
    )
    assert "Activation issued: by=hr scope=- sheet=1 email=0" in caplog.text


def test_the_activation_page_is_in_thai_and_english(agency, client_for):
    client = client_for(agency.hr)
    assert "ออกรหัสเปิดใช้งานบัญชี" in client.get(reverse("accounts:activation")).content.decode()
    client.cookies["django_language"] = "en"
    text = client.get(reverse("accounts:activation")).content.decode()
    assert "Issue activation codes" in text
    public = Client()
    public.cookies["django_language"] = "en"
    assert "Activate your account" in public.get(reverse("accounts:activate")).content.decode()


@pytest.mark.parametrize("who", ["officer1", "grp_head"])
def test_only_hr_and_administrators_issue(agency, client_for, who):
    node = getattr(agency, who)
    assert client_for(node).get(reverse("accounts:activation")).status_code == 403


def test_hr_finds_the_page_in_the_menu_and_on_a_unit_page(agency, client_for):
    client = client_for(agency.hr)
    assert reverse("accounts:activation") in client.get(reverse("home")).content.decode()
    unit_page = client.get(reverse("orgchart:unit", args=[agency.grp.pk])).content.decode()
    assert f"{reverse('accounts:activation')}?unit=GRP" in unit_page
    prefilled = client.get(reverse("accounts:activation"), {"unit": "GRP"}).content.decode()
    assert 'value="GRP"' in prefilled
    head_page = client_for(agency.grp_head).get(reverse("orgchart:unit", args=[agency.grp.pk]))
    assert reverse("accounts:activation") not in head_page.content.decode()


def test_the_activation_page_costs_the_same_queries_for_more_people(
    agency, client_for, django_assert_num_queries
):
    from orgchart.models import Kind
    from tests.conftest import make_node

    client = client_for(agency.hr)
    client.get(reverse("accounts:activation"))
    with django_assert_num_queries(7):
        client.get(reverse("accounts:activation"))
    for number in range(30):
        make_node(f"P-N{number}", Kind.INDIVIDUAL, agency.grp, username=f"new{number}")
    with django_assert_num_queries(7):
        response = client.get(reverse("accounts:activation"))
    assert response.status_code == 200
