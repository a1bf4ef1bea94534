"""The authorization matrix: every URL name x role x the status the rules expect.

STYLE.md ("Who may see what") and DOMAIN.md ("The tree and who is whose
supervisor"): everyone sees their own records; a head sees the subtree of the
unit it heads; HR staff see their department; administrators see all; an
object outside your view answers 404, one that is visible but not yours to
change 403; anonymous users are sent to the login page. State changes are
POST only: a GET answers 405.

The target objects all belong to officer1 (see `world`), so for each URL the
eight roles are: the owner, a colleague in the same group (404: colleagues do
not see each other), the owner's head (sees and decides), the head of the
sibling group (404), HR of the department (sees, reopens, runs HR pages), HR
of another department (404 for the department's records; HR pages that are
not about one department's records answer 200), an administrator (sees all,
changes nothing that belongs to someone else), and anonymous.

The expected values come from those rules, not from what the app answers
today. A URL added to the project without a row here fails
`test_every_url_is_in_the_matrix`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from appraisals.models import Appraisal, Evidence, Result
from indicators.models import KPI, KRA, Plan, Round
from kpi_portal.models import Job, jobs_root
from tests.conftest import build_agency
from tests.factories_notifications import make_notification

ROLES = ("anonymous", "officer", "colleague", "head", "sibling_head", "hr", "hr_other", "admin")
# Who plays each role in tests/conftest.py's agency (admin is agency.admin, a User).
PEOPLE = {
    "officer": "officer1",
    "colleague": "officer2",
    "head": "grp_head",
    "sibling_head": "sibling_head",
    "hr": "hr",
    "hr_other": "hr_other",
    "admin": "admin",
}

LOGIN = "login"  # 302 to the login page
DONE = frozenset({200, 302})  # an allowed POST: the form answers (200) or the action redirects
HTMX_STOP_POLLING = 286  # jobs:progress of a finished job (kpi_portal.views)

# URL names that are not in the matrix, and why. The Django admin (namespace
# "admin") is left out as a whole: it has its own staff checks and tests.
EXCLUDED = {
    "login": "Django's LoginView: public by nature, covered by tests/test_security.py",
    "logout": "Django's LogoutView (POST only): ends the session, no object behind it",
    "set_language": "Django's set_language: a public cookie switch, no object behind it",
}


def expect(default, *, anonymous=LOGIN, **roles) -> dict:
    """{role: status}: `default` for every signed-in role unless named."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, unknown
    table = {role: default for role in ROLES}
    table["anonymous"] = anonymous
    table.update(roles)
    return table


def officer1_records(ok=200) -> dict:
    """Seeing officer1's records: the owner, the head of GRP, HR of DEPT, an admin."""
    return expect(404, officer=ok, head=ok, hr=ok, admin=ok)


def holder_only(ok=DONE) -> dict:
    """Changing officer1's plan: the owner alone; others who see it get 403."""
    return expect(404, officer=ok, head=403, hr=403, admin=403)


def supervisor_only(ok=DONE) -> dict:
    """Deciding on officer1's plan, or assessing it: grp_head alone."""
    return expect(404, officer=403, head=ok, hr=403, admin=403)


def nobody_here(ok=DONE) -> dict:
    """The next-level supervisor (div_head, not one of the roles): everyone who sees gets 403."""
    return expect(404, officer=403, head=403, hr=403, admin=403)


def hr_page(ok=200) -> dict:
    """An HR tool that is not about one department's records (or checks the rows itself)."""
    return expect(403, hr=ok, hr_other=ok, admin=ok)


def heads_page(ok=200) -> dict:
    """A page about the people a head leads: every head, for their own unit."""
    return expect(403, head=ok, sibling_head=ok)


def reporters_page(ok=200) -> dict:
    """Dashboards and reports: heads, HR and administrators, each within their view."""
    return expect(403, head=ok, sibling_head=ok, hr=ok, hr_other=ok, admin=ok)


def post_only() -> dict:
    """GET of a state change: 405 for every signed-in user."""
    return expect(405)


@dataclass(frozen=True)
class Row:
    """One URL name: its arguments, and the expected status of GET (and POST) per role."""

    kwargs: Callable[[SimpleNamespace], dict]
    get: dict
    post: dict | None = None
    query: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})
    data: Callable[[SimpleNamespace], dict] = field(default=lambda w: {})


def none(w) -> dict:
    return {}


def draft_plan(w) -> dict:
    return {"pk": w.draft.pk}


def approved_plan(w) -> dict:
    return {"pk": w.approved.pk}


def draft_kra(w) -> dict:
    return {"pk": w.draft_kra.pk}


def draft_kpi(w) -> dict:
    return {"pk": w.draft_kpi.pk}


def planning_round(w) -> dict:
    return {"pk": w.planning.pk}


def tracking_round(w) -> dict:
    return {"pk": w.tracking.pk}


def job(w) -> dict:
    return {"pk": w.job.pk}


# The import pages' background jobs (kpi_portal.import_flow), by result URL name.
IMPORT_JOBS = {
    "orgchart:import_result": "orgchart.import",
    "indicators:import_result": "indicators.kpi_import",
    "appraisals:import_result": "appraisals.results_import",
    "salaries:import_result": "salaries.import",
}


def import_job(name: str):
    return lambda w: {"pk": w.imports[IMPORT_JOBS[name]].pk}


def version(plan_attr: str):
    return lambda w: {"version": getattr(w, plan_attr).version}


MATRIX: dict[str, Row] = {
    # kpi_portal ----------------------------------------------------------------
    "home": Row(none, expect(200)),
    "health": Row(none, expect(200, anonymous=200)),
    # A job's pages are its requester's alone (kpi_portal.jobs.get_job_for).
    "jobs:list": Row(none, expect(200)),  # each person's own jobs
    "jobs:detail": Row(job, expect(404, officer=200)),
    "jobs:progress": Row(job, expect(404, officer=HTMX_STOP_POLLING)),
    "jobs:download": Row(job, expect(404, officer=200)),
    # Login lockouts (kpi_portal.lockout_views): administrators only.
    "security:lockouts": Row(none, expect(403, admin=200)),
    "security:lockout_lift": Row(none, post_only(), post=expect(403, admin=302)),
    # orgchart ------------------------------------------------------------------
    "orgchart:tree": Row(none, expect(200)),
    # The unit GRP: its head, HR of DEPT and admins see it; its officers do not.
    "orgchart:tree_children": Row(
        lambda w: {"pk": w.a.grp.pk}, expect(404, head=200, hr=200, admin=200)
    ),
    "orgchart:unit": Row(lambda w: {"pk": w.a.grp.pk}, expect(404, head=200, hr=200, admin=200)),
    "orgchart:person": Row(lambda w: {"pk": w.a.officer1.pk}, officer1_records()),
    "orgchart:import": Row(none, hr_page(), post=hr_page(200)),
    "orgchart:import_confirm": Row(none, post_only(), post=hr_page(302)),
    # HR's own background import; HR of another department or an admin: not theirs.
    "orgchart:import_result": Row(
        import_job("orgchart:import_result"), expect(403, hr=200, hr_other=404, admin=404)
    ),
    "orgchart:import_template": Row(none, hr_page()),
    # indicators: plans -----------------------------------------------------------
    # Everyone with a place in the tree is taken to their plan of the current round.
    "indicators:my_plan": Row(none, expect(302, admin=200)),
    "indicators:plan": Row(draft_plan, officer1_records()),
    "indicators:plan_history": Row(draft_plan, officer1_records()),
    # GET: the confirmation step before sending (the holder's alone).
    "indicators:plan_submit": Row(
        draft_plan, holder_only(200), post=holder_only(302), data=version("draft")
    ),
    "indicators:plan_approve": Row(
        draft_plan, post_only(), post=supervisor_only(302), data=version("draft")
    ),
    "indicators:plan_return": Row(
        draft_plan, post_only(), post=supervisor_only(302), data=version("draft")
    ),
    # The supervisor, HR of the department or an administrator reopens a plan.
    "indicators:plan_reopen": Row(
        approved_plan,
        post_only(),
        post=expect(404, officer=403, head=302, hr=302, admin=302),
        data=lambda w: {"version": w.approved.version, "reason": "แก้ไขค่าเป้าหมาย"},
    ),
    # The draft plan's KRA and KPI: edit forms for the holder only.
    "indicators:kra_new": Row(draft_plan, holder_only(200), post=holder_only()),
    # Not htmx: the "cancel" of an edit goes back to the plan page (302).
    "indicators:kra_block": Row(draft_kra, officer1_records(302)),
    "indicators:kra_edit": Row(draft_kra, holder_only(200), post=holder_only()),
    "indicators:kra_delete": Row(
        draft_kra, post_only(), post=holder_only(302), data=version("draft")
    ),
    "indicators:kpi_new": Row(draft_kra, holder_only(200), post=holder_only()),
    "indicators:kpi_edit": Row(draft_kpi, holder_only(200), post=holder_only()),
    "indicators:kpi_move": Row(
        draft_kpi,
        post_only(),
        post=holder_only(302),
        data=lambda w: {"version": w.draft.version, "direction": "down"},
    ),
    "indicators:kpi_delete": Row(
        draft_kpi, post_only(), post=holder_only(302), data=version("draft")
    ),
    "indicators:cascade": Row(draft_kpi, holder_only(200), post=holder_only()),
    "indicators:cascade_tree": Row(draft_kpi, officer1_records()),
    # indicators: team, rounds, import ---------------------------------------------
    "indicators:team": Row(none, heads_page()),
    "indicators:team_approve": Row(none, post_only(), post=heads_page(302)),
    # Rounds are shared by every department: any HR staff or an administrator.
    "indicators:rounds": Row(none, hr_page(), post=hr_page(DONE)),
    "indicators:round_edit": Row(planning_round, hr_page(), post=hr_page(DONE)),
    "indicators:round_status": Row(planning_round, post_only(), post=hr_page(302)),
    "indicators:import": Row(none, hr_page(), post=hr_page(200)),
    "indicators:import_confirm": Row(none, post_only(), post=hr_page(302)),
    # HR's own background import; HR of another department or an admin: not theirs.
    "indicators:import_result": Row(
        import_job("indicators:import_result"), expect(403, hr=200, hr_other=404, admin=404)
    ),
    "indicators:import_template": Row(none, hr_page()),
    # HR carry their own department's plans forward (the service is scoped by tree).
    "indicators:carry_forward": Row(
        planning_round,
        post_only(),
        post=hr_page(302),
        data=lambda w: {"source": w.tracking.pk},
    ),
    # appraisals: results and evidence -------------------------------------------------
    # officer1 has a plan in the tracking round; nobody else has one.
    "appraisals:my_results": Row(none, expect(200, officer=302)),
    "appraisals:results": Row(approved_plan, officer1_records()),
    "appraisals:result_save": Row(
        lambda w: {"pk": w.approved.pk, "kpi_pk": w.approved_kpi.pk},
        post_only(),
        post=holder_only(),
    ),
    "appraisals:evidence": Row(lambda w: {"pk": w.evidence.pk}, officer1_records()),
    "appraisals:evidence_delete": Row(
        lambda w: {"pk": w.evidence.pk}, post_only(), post=holder_only(302)
    ),
    # appraisals: assessment ------------------------------------------------------------
    # Heads' assessments, and HR's for the people with no supervisor in the tree.
    "appraisals:team": Row(none, expect(403, head=200, sibling_head=200, hr=200, hr_other=200)),
    "appraisals:assess": Row(approved_plan, officer1_records(), post=supervisor_only()),
    "appraisals:self_assess": Row(approved_plan, post_only(), post=holder_only()),
    "appraisals:acknowledge": Row(approved_plan, post_only(), post=holder_only()),
    "appraisals:refusal": Row(approved_plan, post_only(), post=supervisor_only()),
    # The next-level supervisor (div_head) reviews; see test_next_level_supervisor_reviews.
    "appraisals:review": Row(approved_plan, post_only(), post=nobody_here()),
    # appraisals: rounds, competencies (shared by every department) --------------------
    "appraisals:policy": Row(tracking_round, hr_page(), post=hr_page(DONE)),
    # HR close their own department (another's, named in the query, is 404: see
    # tests/test_departments_isolation.py); reopening one is for administrators.
    "appraisals:round_close": Row(tracking_round, hr_page(), post=hr_page(DONE)),
    "appraisals:round_reopen": Row(
        tracking_round, expect(403, admin=200), post=expect(403, admin=DONE)
    ),
    "appraisals:competencies": Row(none, hr_page(), post=hr_page(DONE)),
    # appraisals: reports ----------------------------------------------------------------
    "appraisals:reports": Row(none, reporters_page()),
    # Scoped to the unit GRP: outside the reporter's view it answers 404.
    "appraisals:report_download": Row(
        none,
        expect(403, head=200, sibling_head=404, hr=200, hr_other=404, admin=200),
        query=lambda w: {"round": w.tracking.pk, "unit": w.a.grp.code},
    ),
    "appraisals:dashboard": Row(
        none,
        expect(403, head=200, sibling_head=404, hr=200, hr_other=404, admin=200),
        query=lambda w: {"round": w.tracking.pk, "unit": w.a.grp.code},
    ),
    "appraisals:form": Row(approved_plan, officer1_records()),
    "appraisals:export_form": Row(approved_plan, officer1_records()),
    # The official summary form (issue 14): whoever may see the plan, as the form.
    "appraisals:summary_form": Row(approved_plan, officer1_records()),
    "appraisals:export_summary": Row(approved_plan, officer1_records()),
    "appraisals:import": Row(none, hr_page(), post=hr_page(200)),
    "appraisals:import_confirm": Row(none, post_only(), post=hr_page(302)),
    "appraisals:import_template": Row(none, hr_page()),
    # HR's own background import; HR of another department or an admin: not theirs.
    "appraisals:import_result": Row(
        import_job("appraisals:import_result"), expect(403, hr=200, hr_other=404, admin=404)
    ),
    # REST API (issue 12): the pages. Each person's own tokens; the docs page for anyone
    # signed in. The endpoints (token clients, 401 JSON) are in tests/api_matrix_rows.py.
    "api:tokens": Row(none, expect(200), post=expect(200), data=lambda w: {"name": "HRIS"}),
    "api:token_revoke": Row(
        lambda w: {"pk": w.token.pk}, post_only(), post=expect(404, officer=302)
    ),
    "api:docs": Row(none, expect(200)),
    # notifications -------------------------------------------------------------------
    # Each person's own notifications (officer1 has one); anyone else's answer 404.
    "notifications:list": Row(none, expect(200)),
    # The nav's bell (htmx): a signed-out browser gets 204 and no swap.
    "notifications:bell": Row(none, expect(200, anonymous=204)),
    "notifications:open": Row(
        lambda w: {"pk": w.notification.pk}, post_only(), post=expect(404, officer=302)
    ),
    "notifications:read": Row(
        lambda w: {"pk": w.notification.pk}, post_only(), post=expect(404, officer=302)
    ),
    "notifications:read_all": Row(none, post_only(), post=expect(302)),
    "notifications:preferences": Row(
        none, expect(200), post=expect(302), data=lambda w: {"language": "th"}
    ),
    # Round deadlines are set by any HR staff or an administrator, like the rounds.
    "notifications:rounds": Row(none, hr_page()),
    "notifications:round_reminders": Row(planning_round, hr_page(), post=hr_page(DONE)),
    # accounts (issue 9: first sign-in, passwords, sessions) ---------------------------
    # Each person's own account; an empty password form answers with its errors.
    "accounts:account": Row(none, expect(200)),
    "accounts:password_change": Row(none, expect(200), post=expect(200)),
    "accounts:sign_out_everywhere": Row(none, post_only(), post=expect(302)),
    # Public pages (first sign-in, password reset): the same for everyone, signed in or not.
    "accounts:activate": Row(none, expect(200, anonymous=200), post=expect(200, anonymous=200)),
    # Without a checked code in the session: back to the activation page.
    "accounts:activate_password": Row(
        none, expect(302, anonymous=302), post=expect(302, anonymous=302)
    ),
    # A link that does not match a live code: the "link cannot be used" page.
    "accounts:activate_link": Row(
        lambda w: {"uidb64": "MQ", "code": "ABCDE23456"}, expect(200, anonymous=200)
    ),
    "accounts:password_reset": Row(
        none,
        expect(200, anonymous=200),
        post=expect(302, anonymous=302),
        data=lambda w: {"email": "nobody@example.go.th"},
    ),
    "accounts:password_reset_done": Row(none, expect(200, anonymous=200)),
    "accounts:password_reset_confirm": Row(
        lambda w: {"uidb64": "MQ", "token": "set-password"}, expect(200, anonymous=200)
    ),
    "accounts:password_reset_complete": Row(none, expect(200, anonymous=200)),
    # HR pages: issuing is checked per person (HR's department); forcing a reset of
    # officer1: HR of DEPT or an administrator; those who see officer1 otherwise get 403.
    "accounts:activation": Row(none, hr_page(), post=hr_page(200)),
    "accounts:force_reset": Row(
        lambda w: {"pk": w.a.officer1.pk},
        post_only(),
        post=expect(404, officer=403, head=403, hr=200, admin=200),
    ),
}


# monitoring: check-ins, the monitoring page, settings, import (issue 10) -------------
IMPORT_JOBS["monitoring:import_result"] = "monitoring.checkins_import"


def a_checkin(w) -> dict:
    """A check-in on officer1's approved KPI (made in the test's savepoint, undone after)."""
    from monitoring.models import CheckIn

    checkin, _created = CheckIn.objects.get_or_create(
        kpi=w.approved_kpi,
        date=w.tracking.start,
        defaults={
            "value": 5,
            "status": "at_risk",
            "suggested_status": "at_risk",
            "projected_level": 2,
        },
    )
    return {"pk": checkin.pk}


# salaries (issue 11): HR of the department and administrators; everyone else 404 ----------
def salary_record(w):
    """officer1's salary in DEPT's raise list of the tracking round (made in each case)."""
    from salaries.models import SalaryRecord
    from salaries.services import raise_list_for

    raise_list = raise_list_for(round=w.tracking, department=w.a.dept)
    record, _created = SalaryRecord.objects.get_or_create(
        raise_list=raise_list, person=w.a.officer1, defaults={"salary": 20000, "base": 20000}
    )
    return record


def salary_list(w) -> dict:
    return {"pk": salary_record(w).raise_list_id}


def salary_person(w) -> dict:
    return {"pk": salary_record(w).pk}


def salary_hr(ok=200) -> dict:
    return expect(404, hr=ok, admin=ok)


SALARY_MATRIX: dict[str, Row] = {
    # HR of another department have a salaries page of their own (no row of DEPT in it).
    "salaries:index": Row(none, expect(404, hr=200, hr_other=200, admin=200)),
    "salaries:open": Row(
        lambda w: {"round_pk": w.tracking.pk, "department_pk": w.a.dept.pk}, salary_hr(302)
    ),
    "salaries:list": Row(salary_list, salary_hr()),
    "salaries:policy": Row(salary_list, salary_hr(), post=salary_hr(DONE)),
    "salaries:refresh": Row(salary_list, post_only(), post=salary_hr(302)),
    "salaries:close": Row(salary_list, post_only(), post=salary_hr(302)),
    "salaries:export": Row(salary_list, salary_hr()),
    "salaries:preview": Row(salary_person, salary_hr(), query=lambda w: {"percent": "3"}),
    "salaries:propose": Row(
        salary_person, post_only(), post=salary_hr(302), data=lambda w: {"percent": "0"}
    ),
    "salaries:import": Row(
        none,
        expect(404, hr=200, hr_other=200, admin=200),
        post=expect(404, hr=200, hr_other=200, admin=200),
    ),
    "salaries:import_confirm": Row(
        none, post_only(), post=expect(404, hr=302, hr_other=302, admin=302)
    ),
    # HR's own background import; HR of another department or an admin: not theirs.
    "salaries:import_result": Row(import_job("salaries:import_result"), expect(404, hr=200)),
}
MATRIX.update(SALARY_MATRIX)


# appraisals: the individual development plan (issue 11) ----------------------------------
def development_item(w) -> dict:
    from appraisals.models import DevelopmentItem

    item, _created = DevelopmentItem.objects.get_or_create(
        appraisal=w.approved.appraisal,
        defaults={
            "topic": "การวิเคราะห์ข้อมูล",
            "method": "training",
            "period": "ต.ค. 2568",
            "outcome": "-",
        },
    )
    return {"pk": w.approved.pk, "item_pk": item.pk}


MATRIX.update(
    {
        "monitoring:watch": Row(none, reporters_page()),
        # The unit GRP: its head, HR of DEPT and admins; officers are not watchers (403).
        "monitoring:watch_children": Row(
            lambda w: {"pk": w.a.grp.pk},
            expect(403, head=200, sibling_head=404, hr=200, hr_other=404, admin=200),
        ),
        "monitoring:missed": Row(none, reporters_page()),
        "monitoring:kpi": Row(lambda w: {"pk": w.approved_kpi.pk}, officer1_records()),
        "monitoring:checkin_record": Row(
            lambda w: {"pk": w.approved_kpi.pk},
            post_only(),
            post=holder_only(302),
            data=lambda w: {"date": timezone.localdate().isoformat(), "value": "35"},
        ),
        "monitoring:comment_add": Row(
            a_checkin, post_only(), post=supervisor_only(302), data=lambda w: {"text": "ดีมาก"}
        ),
        # Rounds are shared by every department: any HR staff or an administrator.
        "monitoring:schedule": Row(
            tracking_round,
            hr_page(),
            post=hr_page(DONE),
            data=lambda w: {"no_news_days": "20", "due_dates": ""},
        ),
        "monitoring:import": Row(none, hr_page(), post=hr_page(200)),
        "monitoring:import_confirm": Row(none, post_only(), post=hr_page(302)),
        "monitoring:import_template": Row(none, hr_page()),
        "monitoring:import_result": Row(
            import_job("monitoring:import_result"), expect(403, hr=200, hr_other=404, admin=404)
        ),
    }
)


MATRIX.update(
    {
        "appraisals:development": Row(approved_plan, officer1_records(), post=supervisor_only()),
        "appraisals:development_delete": Row(
            development_item, post_only(), post=supervisor_only(302)
        ),
        "appraisals:development_acknowledge": Row(
            approved_plan, post_only(), post=holder_only(302)
        ),
        # Actual hours (issue 11): the assessor or the assessee records them.
        "appraisals:development_hours": Row(
            development_item,
            post_only(),
            post=expect(404, officer=302, head=302, hr=403, admin=403),
            data=lambda w: {"actual_hours": "4"},
        ),
        "appraisals:training_needs": Row(
            none, hr_page(), query=lambda w: {"round": str(w.tracking.pk)}
        ),
    }
)


def project_url_names() -> tuple[set[str], list[str]]:
    """Every named URL of the project as "namespace:name", and any pattern without a name.

    The Django admin site (namespace "admin") is skipped as a whole.
    """
    names: set[str] = set()
    unnamed: list[str] = []

    def walk(resolver: URLResolver, namespace: str, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner, route)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    names.add(namespace + pattern.name)
                else:
                    unnamed.append(route)

    walk(get_resolver(), "", "")
    return names, unnamed


def api_endpoints() -> set[str]:
    """REST API (issue 12): endpoints left to tests/test_api_matrix.py (token clients)."""
    from tests.api_matrix_rows import API_MATRIX

    return set(API_MATRIX)


def test_every_url_is_in_the_matrix():
    names, unnamed = project_url_names()
    missing = sorted(names - set(MATRIX) - set(EXCLUDED) - api_endpoints())
    gone = sorted(set(MATRIX) - names)
    stale_exclusions = sorted(set(EXCLUDED) - names)
    assert not missing, f"URL names missing from the authorization matrix: {missing}"
    assert not gone, f"Matrix rows for URL names that no longer exist: {gone}"
    assert not stale_exclusions, (
        f"Exclusions for URL names that no longer exist: {stale_exclusions}"
    )
    assert not unnamed, f"URL patterns without a name (cannot be in the matrix): {unnamed}"


def test_every_row_names_every_role():
    for name, row in MATRIX.items():
        for table in (row.get, row.post or {}):
            assert set(table) in (set(), set(ROLES)), name


# The world: officer1's records in two rounds -------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _kpi(plan: Plan, kra: KRA, code: str, order: int, weight: int) -> KPI:
    return KPI(
        round=plan.round,
        plan=plan,
        kra=kra,
        code=code,
        name=f"ตัวชี้วัด {code}",
        unit="เรื่อง",
        scale=KPI.Scale.HIGHER,
        level_1=Decimal(10),
        level_2=Decimal(20),
        level_3=Decimal(30),
        level_4=Decimal(40),
        level_5=Decimal(50),
        weight=Decimal(weight),
        order=order,
    )


def build_world(agency: SimpleNamespace) -> SimpleNamespace:
    """officer1's records, in bulk:

    - round 2568/2 in tracking: an approved plan with a KRA, two KPIs, a result
      with an evidence file, and an open appraisal (results and appraisal pages);
    - round 2569/1 in planning (the current round): a draft plan with a KRA and
      two KPIs (edit pages, decisions);
    - a finished export job with its file (the job pages).
    """
    start, end = Round.default_dates(2568, 2)
    tracking = Round(fiscal_year=2568, number=2, start=start, end=end, status="tracking")
    start, end = Round.default_dates(2569, 1)
    planning = Round(fiscal_year=2569, number=1, start=start, end=end)
    tracking, planning = Round.objects.bulk_create([tracking, planning])
    officer1 = agency.officer1
    approved, draft = Plan.objects.bulk_create(
        [
            Plan(owner=officer1, round=tracking, status=Plan.Status.APPROVED),
            Plan(owner=officer1, round=planning),
        ]
    )
    approved_kra, draft_kra = KRA.objects.bulk_create(
        [
            KRA(plan=approved, job="งานติดตามผล", name="รายงานผลทันเวลา"),
            KRA(plan=draft, job="งานติดตามผล", name="รายงานผลทันเวลา"),
        ]
    )
    kpis = KPI.objects.bulk_create(
        [
            _kpi(approved, approved_kra, "PO1-A1", 0, 60),
            _kpi(approved, approved_kra, "PO1-A2", 1, 40),
            _kpi(draft, draft_kra, "PO1-D1", 0, 60),
            _kpi(draft, draft_kra, "PO1-D2", 1, 40),
        ]
    )
    result = Result.objects.create(kpi=kpis[0], actual=Decimal(35), level=3, score=Decimal(3))
    evidence = Evidence(
        result=result, original_name="รายงาน.pdf", size=len(PDF), content_type="application/pdf"
    )
    evidence.file.save("report.pdf", ContentFile(PDF), save=True)
    Appraisal.objects.create(plan=approved)
    job = Job.objects.create(
        kind="appraisals.round_report",
        requested_by=officer1.user,
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    path = jobs_root() / str(job.pk) / "report.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04")
    Job.objects.filter(pk=job.pk).update(result_file=f"{job.pk}/report.xlsx")
    job.refresh_from_db()
    imports = {
        kind: finished_import(kind, agency.hr.user, {"round": tracking.pk})
        for kind in IMPORT_JOBS.values()
    }
    from api.tokens import token_create  # REST API (issue 12): officer1's token

    token, _text = token_create(user=officer1.user, name="ระบบบุคลากร", by=officer1.user)
    notification = make_notification(officer1.user, plan=approved)
    return SimpleNamespace(
        token=token,
        notification=notification,
        a=agency,
        tracking=tracking,
        planning=planning,
        approved=approved,
        draft=draft,
        approved_kra=approved_kra,
        draft_kra=draft_kra,
        approved_kpi=kpis[0],
        draft_kpi=kpis[2],
        result=result,
        evidence=evidence,
        job=job,
        imports=imports,
    )


def finished_import(kind: str, user, params: dict) -> Job:
    """An import that HR ran in the background and the file turned out unreadable."""
    job = Job.objects.create(
        kind=kind,
        requested_by=user,
        params={"dry_run": False, "token": "0" * 32, "suffix": ".csv", **params},
        status=Job.Status.DONE,
        finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=1),
    )
    path = jobs_root() / str(job.pk) / "outcome.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"report": null, "file_error": "อ่านไฟล์ไม่ได้", "errors": []}')
    Job.objects.filter(pk=job.pk).update(result_file=f"{job.pk}/outcome.json")
    return job


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The agency and officer1's records, built once for the module.

    Like Django's setUpTestData: built inside a transaction that stays open
    while the module runs and is rolled back at its end; each test runs in a
    savepoint of it (pytest-django's `db`), so what one test changes (an
    allowed POST) is undone before the next. Building it for each of the
    ~750 cases would take minutes.
    """
    media = tmp_path_factory.mktemp("private")
    with (
        override_settings(PRIVATE_MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = build_world(build_agency())
        world.sessions = log_in_everyone(world)
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(db, shared_world) -> SimpleNamespace:
    return shared_world


def log_in_everyone(world: SimpleNamespace) -> dict[str, str]:
    """A session key per role, made once (force_login is the slowest part of a case)."""
    keys = {}
    for role, person in PEOPLE.items():
        who = getattr(world.a, person)
        client = Client()
        client.force_login(who if role == "admin" else who.user)
        keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def client_as(world, role: str) -> Client:
    """A fresh client (no cookies left by another case) carrying the role's session."""
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def check(response, expected, label: str) -> None:
    status = response.status_code
    if expected == LOGIN:
        location = response.headers.get("Location", "")
        assert status == 302 and location.startswith(reverse(settings.LOGIN_URL)), (
            f"{label}: expected a redirect to the login page, got {status} {location}"
        )
    elif isinstance(expected, frozenset):
        assert status in expected, f"{label}: expected one of {sorted(expected)}, got {status}"
    else:
        assert status == expected, f"{label}: expected {expected}, got {status}"


def url_of(world, name: str) -> tuple[str, dict]:
    row = MATRIX[name]
    return reverse(name, kwargs=row.kwargs(world)), row.query(world)


GET_CASES = [(name, role) for name in MATRIX for role in ROLES]
POST_CASES = [(name, role) for name, row in MATRIX.items() if row.post for role in ROLES]


@pytest.mark.parametrize(("name", "role"), GET_CASES, ids=[f"{n}-{r}" for n, r in GET_CASES])
def test_access(world, name, role):
    url, query = url_of(world, name)
    response = client_as(world, role).get(url, query)
    check(response, MATRIX[name].get[role], f"GET {name} as {role}")


@pytest.mark.parametrize(("name", "role"), POST_CASES, ids=[f"{n}-{r}" for n, r in POST_CASES])
def test_post_access(world, name, role):
    url, _query = url_of(world, name)
    response = client_as(world, role).post(url, MATRIX[name].data(world))
    check(response, MATRIX[name].post[role], f"POST {name} as {role}")


def test_post_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.a.officer1.user)
    url = reverse("indicators:plan_submit", kwargs={"pk": world.draft.pk})
    response = client.post(url, {"version": world.draft.version})
    assert response.status_code == 403
    world.draft.refresh_from_db()
    assert world.draft.status == Plan.Status.DRAFT


def test_next_level_supervisor_reviews(world):
    """The one allowed case of appraisals:review: div_head, the assessor's own supervisor."""
    client = Client()
    client.force_login(world.a.div_head.user)
    url = reverse("appraisals:review", kwargs={"pk": world.approved.pk})
    response = client.post(url, {})
    assert response.status_code in DONE
