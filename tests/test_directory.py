"""Sign-in with the agency's directory, against a real OpenLDAP server (slapd).

The server is started once per test process (each pytest-xdist worker has
its own, on its own port and directory) by tests/ldap_server.py and loaded
with a few people; the tests are skipped where slapd is not installed.
"""

import logging
import ssl

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from kpi_portal import directory
from tests import ldap_server
from tests.ldap_server import PEOPLE, SERVICE_DN, SERVICE_PASSWORD

LOCAL_PASSWORD = "pass-12345"  # tests/conftest.py

needs_slapd = pytest.mark.skipif(
    bool(ldap_server.missing_reason()), reason=ldap_server.missing_reason() or "-"
)


@pytest.fixture(scope="session")
def slapd(tmp_path_factory):
    reason = ldap_server.missing_reason()
    if reason:
        pytest.skip(reason)
    server = ldap_server.start_slapd(tmp_path_factory.mktemp("slapd"))
    yield server
    server.stop()


@pytest.fixture
def ldap(settings, slapd):
    """The portal pointed at the test directory: uid signs in, employeeNumber picks the Node."""
    settings.LDAP_SERVER_URI = [slapd.uri]
    settings.LDAP_BIND_DN = SERVICE_DN
    settings.LDAP_BIND_PASSWORD = SERVICE_PASSWORD
    settings.LDAP_USER_SEARCH_BASE = PEOPLE
    settings.LDAP_USER_FILTER = "(objectClass=inetOrgPerson)"
    settings.LDAP_USERNAME_ATTRIBUTE = "uid"
    settings.LDAP_EMPLOYEE_CODE_ATTRIBUTE = "employeeNumber"
    settings.LDAP_START_TLS = False
    settings.LDAP_CA_FILE = ""
    settings.LDAP_TIMEOUT_SECONDS = 3
    return settings


def sign_in(username, password, client=None):
    client = client or Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return client, response


def signed_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


pytestmark = [needs_slapd]


def test_directory_user_signs_in_with_the_directory_password_as_the_matched_node(agency, ldap):
    client, response = sign_in("somchai", "ldap-pass-1")

    assert response.status_code == 302
    assert signed_in_as(client) == agency.officer1.user  # employeeNumber P-O1 = officer1's Node
    assert client.session["_auth_user_backend"] == "kpi_portal.directory.DirectoryBackend"
    assert client.get(reverse("home")).status_code == 200


def test_wrong_directory_password_is_refused(agency, ldap, caplog):
    caplog.set_level(logging.WARNING, logger="kpi_portal.security")
    client, response = sign_in("somchai", "not-the-password")

    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert signed_in_as(client) is None
    assert "Failed login: username=somchai ip=127.0.0.1" in caplog.messages


def test_by_username_attribute_the_portal_user_of_that_name_signs_in(agency, ldap):
    ldap.LDAP_EMPLOYEE_CODE_ATTRIBUTE = ""

    client, response = sign_in("officer2", "ldap-pass-2")
    assert response.status_code == 302
    assert signed_in_as(client) == agency.officer2.user

    # The directory knows officer2, so the directory decides: the local password is not tried.
    client, response = sign_in("officer2", LOCAL_PASSWORD)
    assert response.status_code == 200 and signed_in_as(client) is None


def test_an_administrator_never_signs_in_through_the_directory(agency, ldap):
    ldap.LDAP_EMPLOYEE_CODE_ATTRIBUTE = ""
    user = agency.officer2.user
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])

    # The directory's officer2 entry and its password do not make anyone the administrator ...
    client, response = sign_in("officer2", "ldap-pass-2")
    assert response.status_code == 200 and signed_in_as(client) is None
    # ... the administrator's own local password does.
    client, response = sign_in("officer2", LOCAL_PASSWORD)
    assert response.status_code == 302 and signed_in_as(client) == user


def test_a_directory_entry_carrying_an_administrators_code_is_refused(agency, ldap):
    user = agency.officer1.user  # somchai's employeeNumber P-O1 is officer1's Node
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])

    client, response = sign_in("somchai", "ldap-pass-1")
    assert response.status_code == 200 and signed_in_as(client) is None


def test_a_local_user_the_directory_does_not_know_signs_in_with_the_local_password(agency, ldap):
    client, response = sign_in("officer1", LOCAL_PASSWORD)  # no uid=officer1 in the directory

    assert response.status_code == 302
    assert signed_in_as(client) == agency.officer1.user
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


def test_a_directory_person_without_a_portal_account_is_refused_and_no_account_is_made(
    agency, ldap
):
    users = get_user_model().objects.count()

    client, response = sign_in("stranger", "ldap-pass-3")  # employeeNumber X-999: no Node

    assert response.status_code == 200 and signed_in_as(client) is None
    assert get_user_model().objects.count() == users


def test_an_inactive_portal_account_is_refused(agency, ldap):
    user = agency.officer1.user
    user.is_active = False
    user.save()

    client, response = sign_in("somchai", "ldap-pass-1")

    assert response.status_code == 200 and signed_in_as(client) is None


def test_two_directory_entries_with_one_username_are_refused(agency, ldap):
    client, response = sign_in("twin", "ldap-pass-4")

    assert response.status_code == 200 and signed_in_as(client) is None


@pytest.mark.parametrize("username", ["som*", "*", "somchai)(uid=*", "s*i", "somchai\\", "(uid=*)"])
def test_ldap_injection_in_the_username_is_escaped(agency, ldap, username):
    # Unescaped, "som*" would find somchai's entry and bind with his password.
    client, response = sign_in(username, "ldap-pass-1")

    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_the_search_filter_escapes_the_username(ldap):
    assert directory.user_filter("a*)(uid=*\\") == (
        "(&(objectClass=inetOrgPerson)(uid=a\\2a\\29\\28uid=\\2a\\5c))"
    )


def test_directory_down_local_accounts_still_sign_in_and_the_page_says_why(agency, ldap, caplog):
    ldap.LDAP_SERVER_URI = [f"ldap://127.0.0.1:{ldap_server.free_port()}"]  # nothing listens
    caplog.set_level(logging.ERROR, logger="kpi_portal.security")

    local, response = sign_in("officer1", LOCAL_PASSWORD)
    assert response.status_code == 302 and signed_in_as(local) == agency.officer1.user

    client, response = sign_in("somchai", "ldap-pass-1")
    text = response.content.decode()
    assert response.status_code == 200 and signed_in_as(client) is None
    assert "ไม่สามารถติดต่อระบบบัญชีผู้ใช้ของหน่วยงาน" in text
    assert any(message.startswith("Directory unavailable") for message in caplog.messages)


def test_a_refused_service_account_is_reported_like_a_directory_that_is_down(agency, ldap):
    ldap.LDAP_BIND_PASSWORD = "wrong"

    client, response = sign_in("somchai", "ldap-pass-1")
    assert "ไม่สามารถติดต่อระบบบัญชีผู้ใช้ของหน่วยงาน" in response.content.decode()
    assert signed_in_as(client) is None
    assert sign_in("officer1", LOCAL_PASSWORD)[1].status_code == 302


def test_the_search_works_anonymously_without_a_bind_dn(agency, ldap):
    ldap.LDAP_BIND_DN = ldap.LDAP_BIND_PASSWORD = ""  # the test directory lets anyone search

    client, response = sign_in("somchai", "ldap-pass-1")

    assert response.status_code == 302
    assert signed_in_as(client) == agency.officer1.user


def test_directory_failures_count_toward_the_lockout(agency, ldap):
    client = Client()
    for _ in range(5):
        sign_in("somchai", "wrong", client)

    _client, response = sign_in("somchai", "ldap-pass-1", client)

    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_without_a_server_uri_the_directory_is_off(agency, settings):
    settings.LDAP_SERVER_URI = []
    client, response = sign_in("officer1", LOCAL_PASSWORD)
    assert response.status_code == 302 and signed_in_as(client) == agency.officer1.user
    assert directory.DirectoryBackend().authenticate(None, "somchai", "ldap-pass-1") is None


def test_tls_verifies_the_server_with_the_ca_file(settings, tmp_path):
    settings.LDAP_SERVER_URI = ["ldaps://directory.agency.test"]
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    settings.LDAP_CA_FILE = str(tmp_path / "ca.pem")
    tls = directory._tls()
    assert tls.validate == ssl.CERT_REQUIRED
    assert tls.ca_certs_file == settings.LDAP_CA_FILE
    settings.LDAP_SERVER_URI = ["ldap://directory.agency.test"]
    settings.LDAP_CA_FILE = ""
    settings.LDAP_START_TLS = False
    assert directory._tls() is None


def test_directory_down_message_in_english(agency, ldap):
    ldap.LDAP_SERVER_URI = [f"ldap://127.0.0.1:{ldap_server.free_port()}"]
    client = Client()
    client.cookies["django_language"] = "en"
    _client, response = sign_in("somchai", "ldap-pass-1", client)
    assert "The agency's directory (Active Directory / LDAP) cannot be reached" in (
        response.content.decode()
    )


@pytest.fixture
def tls_slapd(slapd):
    if slapd.ldaps_port is None:
        pytest.skip("openssl is not installed: no test certificates for TLS")
    return slapd


def test_starttls_with_the_agency_ca_signs_in(agency, ldap, tls_slapd):
    ldap.LDAP_START_TLS = True
    ldap.LDAP_CA_FILE = tls_slapd.ca_file

    client, response = sign_in("somchai", "ldap-pass-1")

    assert response.status_code == 302 and signed_in_as(client) == agency.officer1.user


def test_ldaps_with_the_agency_ca_signs_in(agency, ldap, tls_slapd):
    ldap.LDAP_SERVER_URI = [tls_slapd.ldaps_uri]
    ldap.LDAP_CA_FILE = tls_slapd.ca_file

    client, response = sign_in("somchai", "ldap-pass-1")

    assert response.status_code == 302 and signed_in_as(client) == agency.officer1.user


@pytest.mark.parametrize("uri", ["ldaps", "starttls"])
def test_a_certificate_the_portal_cannot_verify_is_refused(agency, ldap, tls_slapd, uri):
    # No LDAP_CA_FILE: the system's CAs do not know the test CA.
    if uri == "ldaps":
        ldap.LDAP_SERVER_URI = [tls_slapd.ldaps_uri]
    else:
        ldap.LDAP_START_TLS = True

    client, response = sign_in("somchai", "ldap-pass-1")

    assert signed_in_as(client) is None
    assert "ไม่สามารถติดต่อระบบบัญชีผู้ใช้ของหน่วยงาน" in response.content.decode()
