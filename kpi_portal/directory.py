"""Sign-in with the agency's directory (LDAP / Active Directory), optional.

Off while LDAP_SERVER_URI is empty: then only local passwords sign in.
When it is set, DirectoryBackend (second in AUTHENTICATION_BACKENDS, after
django-axes' backend and before Django's ModelBackend) signs a person in:

1. binds as LDAP_BIND_DN (or anonymously) and searches LDAP_USER_SEARCH_BASE
   for the one entry whose LDAP_USERNAME_ATTRIBUTE equals the typed username
   (escaped, so `*`, `(`, `)`, `\\` and NUL cannot change the filter), within
   LDAP_USER_FILTER if one is set;
2. binds as that entry's DN with the typed password;
3. picks the portal account: the orgchart Node whose code equals the entry's
   LDAP_EMPLOYEE_CODE_ATTRIBUTE (that Node's login), or, without that
   attribute, the portal user with the entry's username (case-insensitive).

The rule between the directory and local passwords: a username the directory
knows is decided by the directory alone (wrong password, or no portal
account for the entry: refused, and the local password is not tried); a
username the directory does not know, or any username while the directory
cannot be reached, goes on to ModelBackend and its local password. No
portal account is ever created for a directory entry: the portal's people
come from HR's org-chart import, and someone with no Node has no plan, no
unit and no supervisor here.

Administrators (superusers) never sign in through the directory: whoever
controls a directory entry named like a local administrator, or carrying the
code of an administrator's Node, must not become that administrator. Their
local password decides, whether or not the directory knows the name.

The library is ldap3 (pure Python, no compile step): see README "Sign-in with
the agency's directory" for why not django-python3-ldap or django-auth-ldap.
"""

import logging
import ssl

import ldap3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import PermissionDenied
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from orgchart.models import Kind, Node

logger = logging.getLogger("kpi_portal.security")

# Set on the request when the directory could not be reached, for the login page.
REQUEST_FLAG = "directory_unavailable"


class DirectoryUnavailable(Exception):
    """The directory did not answer, or refused the service account."""


class DirectoryRefused(Exception):
    """The directory knows the username but refuses the sign-in."""


def directory_enabled() -> bool:
    return bool(settings.LDAP_SERVER_URI)


def _tls() -> ldap3.Tls | None:
    uris = settings.LDAP_SERVER_URI
    if not (
        settings.LDAP_START_TLS
        or settings.LDAP_CA_FILE
        or any(u.startswith("ldaps:") for u in uris)
    ):
        return None
    return ldap3.Tls(
        validate=ssl.CERT_REQUIRED,
        version=ssl.PROTOCOL_TLS_CLIENT,
        ca_certs_file=settings.LDAP_CA_FILE or None,
    )


def _server():
    tls = _tls()
    servers = [
        ldap3.Server(
            uri, tls=tls, connect_timeout=settings.LDAP_TIMEOUT_SECONDS, get_info=ldap3.NONE
        )
        for uri in settings.LDAP_SERVER_URI
    ]
    if len(servers) == 1:
        return servers[0]
    return ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=True)


def _connect(user: str | None = None, password: str | None = None) -> tuple[ldap3.Connection, bool]:
    """An open connection (StartTLS if asked) and whether the bind succeeded."""
    connection = ldap3.Connection(
        _server(),
        user=user,
        password=password,
        receive_timeout=settings.LDAP_TIMEOUT_SECONDS,
        read_only=True,
        raise_exceptions=False,
    )
    connection.open()
    if settings.LDAP_START_TLS and not connection.start_tls():
        raise DirectoryUnavailable("StartTLS refused")
    return connection, connection.bind()


def _first(value) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "")


def user_filter(username: str) -> str:
    """The search filter for a typed username, its value escaped (RFC 4515)."""
    match = f"({settings.LDAP_USERNAME_ATTRIBUTE}={escape_filter_chars(username)})"
    extra = settings.LDAP_USER_FILTER
    if extra:
        if not extra.startswith("("):
            extra = f"({extra})"
        return f"(&{extra}{match})"
    return match


def directory_check(username: str, password: str) -> dict | None:
    """The directory entry's attributes if `password` is its password; None if unknown.

    Raises DirectoryRefused for a known username with a wrong password (or
    several entries with it), DirectoryUnavailable when the directory cannot
    be asked.
    """
    attributes = [settings.LDAP_USERNAME_ATTRIBUTE]
    if settings.LDAP_EMPLOYEE_CODE_ATTRIBUTE:
        attributes.append(settings.LDAP_EMPLOYEE_CODE_ATTRIBUTE)
    try:
        search, bound = _connect(settings.LDAP_BIND_DN or None, settings.LDAP_BIND_PASSWORD or None)
        try:
            if not bound:
                logger.error(
                    "Directory refused the service account (LDAP_BIND_DN): %s",
                    search.result.get("description"),
                )
                raise DirectoryUnavailable("service bind refused")
            search.search(
                settings.LDAP_USER_SEARCH_BASE,
                user_filter(username),
                search_scope=ldap3.SUBTREE,
                attributes=attributes,
                size_limit=2,
            )
            entries = [e for e in search.response or [] if e.get("type") == "searchResEntry"]
        finally:
            search.unbind()
        if not entries:
            return None
        if len(entries) > 1:
            logger.warning("Directory has several entries for username=%s", _safe(username))
            raise DirectoryRefused("ambiguous")
        entry = entries[0]
        check, bound = _connect(entry["dn"], password)
        result = check.result.get("description")
        check.unbind()
    except LDAPException as error:
        logger.error("Directory unavailable: %s", type(error).__name__)
        raise DirectoryUnavailable(type(error).__name__) from error
    if not bound:
        if result != "invalidCredentials":
            logger.warning("Directory refused a bind: %s", result)
        raise DirectoryRefused(result or "refused")
    return dict(entry["attributes"])


def portal_user_for(attributes: dict):
    """The portal account of a directory entry, or None (never created here)."""
    users = get_user_model().objects
    code_attribute = settings.LDAP_EMPLOYEE_CODE_ATTRIBUTE
    if code_attribute:
        code = _first(attributes.get(code_attribute)).strip()
        if not code:
            return None
        node = (
            Node.objects.filter(code=code, kind=Kind.INDIVIDUAL, is_active=True)
            .select_related("user")
            .first()
        )
        return node.user if node is not None else None
    username = _first(attributes.get(settings.LDAP_USERNAME_ATTRIBUTE)).strip()
    matches = list(users.filter(username__iexact=username)[:2]) if username else []
    return matches[0] if len(matches) == 1 else None


def _safe(value) -> str:
    return "".join(c if c.isprintable() else "?" for c in str(value))[:150]


class DirectoryBackend(BaseBackend):
    """Authentication against the agency's directory (see the module's docstring)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not directory_enabled() or not username or not password:
            return None
        users = get_user_model().objects
        if users.filter(username__iexact=username, is_superuser=True).exists():
            return None  # administrators keep their local password (module docstring)
        try:
            attributes = directory_check(username, password)
        except DirectoryUnavailable:
            if request is not None:
                setattr(request, REQUEST_FLAG, True)
            return None
        except DirectoryRefused as refused:
            raise PermissionDenied from refused
        if attributes is None:
            return None  # not in the directory: the local password decides
        user = portal_user_for(attributes)
        if user is not None and user.is_superuser:
            logger.warning(
                "Directory sign-in refused for an administrator: username=%s", _safe(username)
            )
            raise PermissionDenied
        if user is None or not user.is_active:
            logger.warning(
                "Directory sign-in without a portal account: username=%s", _safe(username)
            )
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        return ModelBackend().get_user(user_id)
