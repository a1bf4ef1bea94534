"""A real OpenLDAP server (Debian's slapd) for the directory tests.

`start_slapd(root)` writes a slapd.conf (mdb backend, the core, cosine and
inetOrgPerson schemas) under `root`, loads the directory below with
slapadd, starts slapd on a free 127.0.0.1 port in the foreground and waits
until it answers. Each pytest-xdist worker starts its own (a session
fixture in tests/test_directory.py), in its own temporary directory.
"""

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
OPENSSL = shutil.which("openssl")
SCHEMA = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")

SUFFIX = "dc=agency,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
SERVICE_DN = f"cn=portal,{SUFFIX}"
SERVICE_PASSWORD = "service-secret"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"

# (uid, employeeNumber, password): somchai and officer1 are in the portal
# (tests/conftest.py's agency: officer1's Node code is P-O1); stranger is not.
DIRECTORY_PEOPLE = [
    ("somchai", "P-O1", "ldap-pass-1"),
    ("officer2", "P-O2", "ldap-pass-2"),
    ("stranger", "X-999", "ldap-pass-3"),
    ("twin", "P-O3", "ldap-pass-4"),
    ("twin", "P-O3", "ldap-pass-5"),
]


def missing_reason() -> str:
    """Why the real-server tests cannot run here, or "" if they can."""
    if not (os.path.exists(SLAPD) and os.access(SLAPD, os.X_OK)):
        return (
            f"slapd is not installed ({SLAPD}); `apt-get install slapd ldap-utils` (.ci/run does)"
        )
    if not os.path.exists(SLAPADD):
        return "slapadd is not installed (package slapd)"
    if not (SCHEMA / "inetorgperson.schema").exists():
        return f"the OpenLDAP schemas are missing ({SCHEMA})"
    return ""


def ssha(password: str) -> str:
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 - LDAP's {SSHA}
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ldif() -> str:
    blocks = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: agency\no: Agency",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=more,{PEOPLE}\nobjectClass: organizationalUnit\nou: more",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: portal\nuserPassword: {ssha(SERVICE_PASSWORD)}",
    ]
    for number, (uid, code, password) in enumerate(DIRECTORY_PEOPLE):
        # The second "twin" sits in a sub-unit: two entries with one uid.
        where = f"ou=more,{PEOPLE}" if uid == "twin" and number % 2 else PEOPLE
        blocks.append(
            f"dn: cn={uid}-{number},{where}\nobjectClass: inetOrgPerson\ncn: {uid}-{number}\n"
            f"sn: {uid}\nuid: {uid}\nemployeeNumber: {code}\nuserPassword: {ssha(password)}"
        )
    return "\n\n".join(blocks) + "\n"


def _openssl(*args: str) -> None:
    subprocess.run([OPENSSL, *args], check=True, capture_output=True)  # noqa: S603 - our own files


def make_certificates(root: Path) -> bool:
    """A test CA and a server certificate for 127.0.0.1 signed by it; False without openssl."""
    if not OPENSSL:
        return False
    ca, ca_key = str(root / "ca.pem"), str(root / "ca.key")
    key, request, certificate = (
        str(root / name) for name in ("server.key", "server.csr", "server.pem")
    )
    (root / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    new_key = ("-newkey", "rsa:2048", "-nodes")
    _openssl(
        "req",
        "-x509",
        *new_key,
        "-subj",
        "/CN=Test Agency CA",
        "-keyout",
        ca_key,
        "-out",
        ca,
        "-days",
        "2",
    )
    _openssl("req", *new_key, "-subj", "/CN=localhost", "-keyout", key, "-out", request)
    _openssl(
        "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", certificate, "-extfile", str(root / "san.cnf"), "-days", "2",
    )  # fmt: skip
    return True


def _config(root: Path, tls: bool) -> str:
    tls_lines = (
        f"TLSCACertificateFile {root}/ca.pem\nTLSCertificateFile {root}/server.pem\n"
        f"TLSCertificateKeyFile {root}/server.key\n"
        if tls
        else ""
    )
    return (
        tls_lines
        + f"""include {SCHEMA}/core.schema
include {SCHEMA}/cosine.schema
include {SCHEMA}/inetorgperson.schema
modulepath {MODULES}
moduleload back_mdb
pidfile {root}/slapd.pid
argsfile {root}/slapd.args
database mdb
maxsize 16777216
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {root}/data
access to attrs=userPassword by anonymous auth by * none
access to * by * read
"""
    )


@dataclass
class Slapd:
    process: subprocess.Popen
    port: int
    root: Path
    ldaps_port: int | None = None  # with TLS: ldaps:// here, StartTLS on `port`

    @property
    def uri(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_uri(self) -> str:
        return f"ldaps://127.0.0.1:{self.ldaps_port}"

    @property
    def ca_file(self) -> str:
        return str(self.root / "ca.pem")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_slapd(root: Path) -> Slapd:
    (root / "data").mkdir(parents=True)
    tls = make_certificates(root)
    config = root / "slapd.conf"
    config.write_text(_config(root, tls))
    ldif = root / "directory.ldif"
    ldif.write_text(_ldif())
    subprocess.run(  # noqa: S603 - our own slapadd and files
        [SLAPADD, "-f", str(config), "-l", str(ldif)], check=True, capture_output=True, text=True
    )
    for _attempt in range(5):
        port = free_port()
        ldaps_port = free_port() if tls else None
        urls = f"ldap://127.0.0.1:{port}/" + (f" ldaps://127.0.0.1:{ldaps_port}/" if tls else "")
        log = open(root / "slapd.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own slapd
            [SLAPD, "-f", str(config), "-h", urls, "-d", "none"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Slapd(process, port, root, ldaps_port)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and process.poll() is None:
            try:
                for listening in filter(None, (port, ldaps_port)):
                    socket.create_connection(("127.0.0.1", listening), timeout=0.5).close()
                return server
            except OSError:
                time.sleep(0.1)
        server.stop()
        log.close()
    raise RuntimeError(f"slapd did not start: {(root / 'slapd.log').read_text()[-2000:]}")
