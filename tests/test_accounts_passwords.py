"""Password change, reset by e-mail (no enumeration), forced reset; the security log."""

import logging
import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.models import ActivationCode, UserSession

PASSWORD = "pass-12345"  # tests/conftest.py
NEW = "Kpi-portal-2569!"


def sign_in(username, password=PASSWORD) -> Client:
    """A client signed in through the login form (so the session index sees it)."""
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def signed_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def user(username):
    return get_user_model().objects.get(username=username)


# Password change ------------------------------------------------------------------------


def test_password_change_keeps_this_session_and_ends_the_others(agency, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    laptop, phone = sign_in("officer1"), sign_in("officer1")
    colleague = sign_in("officer2")
    assert signed_in(laptop) and signed_in(phone)

    response = laptop.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(colleague)
    assert user("officer1").check_password(NEW)
    assert UserSession.objects.filter(user=user("officer1")).count() == 1
    assert "Password changed: user=officer1" in caplog.text
    assert "other_sessions_ended=1" in caplog.text
    assert NEW not in caplog.text


def test_password_change_with_a_wrong_old_password_changes_nothing(agency):
    client = sign_in("officer1")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert user("officer1").check_password(PASSWORD)


def test_password_change_runs_djangos_validators(agency):
    client = sign_in("officer1")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "officer1", "new_password2": "officer1"},
    )
    assert response.status_code == 200
    assert user("officer1").check_password(PASSWORD)


def test_password_change_page_is_thai_and_english(agency):
    client = sign_in("officer1")
    assert "เปลี่ยนรหัสผ่าน" in client.get(reverse("accounts:password_change")).content.decode()
    client.cookies["django_language"] = "en"
    assert "Change password" in client.get(reverse("accounts:password_change")).content.decode()


# Password reset by e-mail, without enumeration ------------------------------------------------


def ask_reset(email):
    return Client().post(reverse("accounts:password_reset"), {"email": email}, follow=True)


def test_reset_answers_the_same_for_known_and_unknown_addresses(agency, mailoutbox):
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    known = ask_reset("somchai@example.go.th")
    unknown = ask_reset("nobody@example.go.th")

    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    known_body = re.sub(r"[A-Za-z0-9]{64}", "", known.content.decode())
    unknown_body = re.sub(r"[A-Za-z0-9]{64}", "", unknown.content.decode())
    # The same page, apart from the address itself (which it does not even show).
    assert abs(len(known_body) - len(unknown_body)) <= abs(
        len("somchai@example.go.th") - len("nobody@example.go.th")
    )
    assert known_body.replace("somchai", "") == unknown_body.replace("nobody", "")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["somchai@example.go.th"]


def test_the_reset_link_sets_a_new_password_and_ends_every_session(agency, mailoutbox, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    elsewhere = sign_in("officer1")
    ask_reset("SomChai@example.go.th")
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mailoutbox[0].body).group(0)

    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "ตั้งรหัสผ่านใหม่" in form.content.decode()
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert user("officer1").check_password(NEW)
    assert not signed_in(elsewhere)
    assert "Password reset requested: user=officer1" in caplog.text
    assert "Password reset completed: user=officer1" in caplog.text
    # The link is single use.
    again = Client().get(link, follow=True)
    assert "ลิงก์ตั้งรหัสผ่านใหม่นี้ใช้ไม่ได้" in again.content.decode()


def test_reset_for_an_unknown_address_is_logged_without_sending(agency, mailoutbox, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    ask_reset("nobody@example.go.th")
    assert mailoutbox == []
    assert "Password reset requested for an unknown address" in caplog.text


def test_reset_reaches_the_account_email_too(agency, mailoutbox):
    account = user("officer2")
    account.email = "somying@example.go.th"
    account.save()
    ask_reset("somying@example.go.th")
    assert [m.to for m in mailoutbox] == [["somying@example.go.th"]]


def test_reset_mail_is_in_english_for_an_english_page(agency, mailoutbox):
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    client = Client()
    client.cookies["django_language"] = "en"
    client.post(reverse("accounts:password_reset"), {"email": "somchai@example.go.th"})
    assert "reset" in mailoutbox[0].subject.lower()


# Forced reset by HR or an administrator ------------------------------------------------------


def test_hr_forces_a_reset_the_password_stops_working_and_sessions_end(agency, client_for, caplog):
    caplog.set_level(logging.INFO, logger="kpi_portal.security")
    officer = sign_in("officer1")
    response = client_for(agency.hr).post(
        reverse("accounts:force_reset", args=[agency.officer1.pk])
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    code = re.search(r'id="activation-code">([A-Z2-9-]+)<', response.content.decode()).group(1)
    assert not user("officer1").has_usable_password()
    assert not signed_in(officer)
    assert (
        Client().post(reverse("login"), {"username": "officer1", "password": PASSWORD}).status_code
        == 200
    )
    assert "Password reset forced: user=officer1" in caplog.text
    assert "by=hr" in caplog.text
    assert code not in caplog.text
    # The code HR hands over lets the person choose a new password.
    client = Client()
    client.post(reverse("accounts:activate"), {"login": "officer1", "code": code})
    done = client.post(
        reverse("accounts:activate_password"), {"new_password1": NEW, "new_password2": NEW}
    )
    assert done.status_code == 302
    assert user("officer1").check_password(NEW)


def test_a_forced_reset_e_mails_a_link_when_the_person_has_an_address(
    agency, client_for, mailoutbox
):
    agency.officer1.email = "somchai@example.go.th"
    agency.officer1.save()
    response = client_for(agency.admin).post(
        reverse("accounts:force_reset", args=[agency.officer1.pk])
    )
    assert response.status_code == 200
    assert "somchai@example.go.th" in response.content.decode()
    assert 'id="activation-code"' not in response.content.decode()
    assert len(mailoutbox) == 1
    assert ActivationCode.objects.filter(user=user("officer1"), delivery="email").count() == 1


def test_a_head_cannot_force_a_reset_of_their_officer(agency, client_for):
    response = client_for(agency.grp_head).post(
        reverse("accounts:force_reset", args=[agency.officer1.pk])
    )
    assert response.status_code == 403
    assert user("officer1").has_usable_password()


def test_hr_cannot_force_a_reset_of_an_administrator(agency, client_for):
    agency.officer3.user = agency.admin
    agency.officer3.save()
    response = client_for(agency.hr).post(
        reverse("accounts:force_reset", args=[agency.officer3.pk])
    )
    assert response.status_code == 403
    assert user("admin").has_usable_password()


def test_the_person_page_offers_hr_the_forced_reset(agency, client_for):
    page = client_for(agency.hr).get(reverse("orgchart:person", args=[agency.officer1.pk]))
    assert "บังคับตั้งรหัสผ่านใหม่" in page.content.decode()
    own = client_for(agency.officer1).get(reverse("orgchart:person", args=[agency.officer1.pk]))
    assert "บังคับตั้งรหัสผ่านใหม่" not in own.content.decode()


def test_login_page_links_to_reset_and_activation(db):
    text = Client().get(reverse("login")).content.decode()
    assert reverse("accounts:password_reset") in text
    assert reverse("accounts:activate") in text
