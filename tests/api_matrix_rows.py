"""The API's authorization matrix rows (tests/test_api_matrix.py runs them).

Kept apart so that tests/test_authorization_matrix.py can leave these URL
names to the API matrix without importing a test module. The target objects
are officer1's, as in the page matrix; the roles are the page matrix's.
"""

from django.utils import timezone

from tests.test_authorization_matrix import ROLES, Row, expect, none

UNAUTHORIZED = 401  # no token (or a bad one): 401 JSON, never a login redirect


def api(default, **roles) -> dict:
    return expect(default, anonymous=UNAUTHORIZED, **roles)


def officer1_records(ok=200) -> dict:
    """officer1's records: the owner, the head of GRP, HR of DEPT, an admin; others 404."""
    return api(404, officer=ok, head=ok, hr=ok, admin=ok)


def holder_only(ok=200) -> dict:
    """Recording officer1's results: officer1 alone; others who see them 403."""
    return api(404, officer=ok, head=403, hr=403, admin=403)


def node(w) -> dict:
    return {"pk": w.a.officer1.pk}


def plan(w) -> dict:
    return {"pk": w.approved.pk}


def kpi(w) -> dict:
    return {"pk": w.approved_kpi.pk}


def round_(w) -> dict:
    return {"pk": w.tracking.pk}


def appraisal(w) -> dict:
    return {"pk": w.approved.appraisal.pk}


API_MATRIX: dict[str, Row] = {
    # REST API (issue 12) ---------------------------------------------------------
    "api:node-list": Row(none, api(200)),  # each caller's own view of the tree
    "api:node-detail": Row(node, officer1_records()),
    "api:round-list": Row(none, api(200)),  # rounds are shared by every department
    "api:round-detail": Row(round_, api(200)),
    "api:plan-list": Row(none, api(200)),
    "api:plan-detail": Row(plan, officer1_records()),
    "api:result-list": Row(none, api(200)),
    "api:result-detail": Row(kpi, officer1_records()),
    "api:appraisal-list": Row(none, api(200)),
    "api:appraisal-detail": Row(appraisal, officer1_records()),
    # GET reads the result; the write (PUT, in Row.post) is the holder's alone.
    "api:kpi-result": Row(
        kpi, officer1_records(), post=holder_only(), data=lambda w: {"actual": "45"}
    ),
    "api:schema": Row(none, api(200)),
    # Check-ins (issue 12): GET lists them as monitoring:kpi shows them; the write
    # (a POST, see POSTED) is the holder's alone, as monitoring:checkin_record.
    "api:kpi-checkins": Row(
        kpi,
        officer1_records(),
        post=holder_only(201),
        data=lambda w: {"date": timezone.localdate().isoformat(), "value": "35"},
    ),
}

# Writes sent as POST (the others in Row.post are PUTs).
POSTED = {"api:kpi-checkins"}

assert all(set(row.get) == set(ROLES) for row in API_MATRIX.values())
