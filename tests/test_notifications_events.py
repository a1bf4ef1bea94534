"""Who is told of each event of the plan and appraisal workflow, in-app and by e-mail."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from appraisals.services import (
    appraisal_acknowledge,
    appraisal_assess,
    appraisal_self_assess,
    result_save,
)
from indicators import services
from indicators.models import Plan
from notifications.models import Delivery, Notification
from tests import factories_appraisals as appraisal_factories
from tests.factories_notifications import kinds_for, mails_to, recipients_of, with_addresses
from tests.factories_plans import make_plan


@pytest.fixture(autouse=True)
def addresses(agency):
    with_addresses(agency)


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what the services schedule for after commit (the signals, then the outbox)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def submitted(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=[60, 40])
    return services.plan_submit(plan=plan, by=agency.officer1.user)


def test_officer_submits_and_the_head_is_told(agency, the_round, commits):
    plan = make_plan(agency.officer1, the_round, kpis=[60, 40])
    with commits():
        services.plan_submit(plan=plan, by=agency.officer1.user)
    assert recipients_of("plan_submitted") == {"grp_head"}
    notification = Notification.objects.get(kind="plan_submitted")
    assert notification.plan == plan and notification.read_at is None
    (message,) = mails_to("grp_head@example.go.th")
    assert "นายสมชาย ตั้งใจ ส่งแผนตัวชี้วัดรอบ 2569/1 ให้คุณพิจารณาอนุมัติ" in message.body
    assert f"/kpi/plan/{plan.pk}/" in message.body
    assert kinds_for(agency.officer1) == []  # the actor is not told of their own act


def test_head_returns_and_the_officer_is_told_with_the_comment(agency, the_round, commits):
    with commits():
        plan = submitted(agency, the_round)
        services.plan_return(plan=plan, comment="ระดับ 5 ยังไม่ท้าทาย", by=agency.grp_head.user)
    assert recipients_of("plan_returned") == {"officer1"}
    (message,) = mails_to("officer1@example.go.th")
    assert "กลับให้แก้ไข" in message.body and "ระดับ 5 ยังไม่ท้าทาย" in message.body


def test_head_approves_and_the_officer_is_told(agency, the_round, commits):
    with commits():
        plan = submitted(agency, the_round)
        services.plan_approve(plan=plan, by=agency.grp_head.user)
    assert recipients_of("plan_approved") == {"officer1"}
    assert "อนุมัติแผนตัวชี้วัดรอบ 2569/1" in mails_to("officer1@example.go.th")[0].body


def test_hr_reopens_and_the_officer_and_the_head_are_told(agency, the_round, commits):
    with commits():
        plan = submitted(agency, the_round)
        services.plan_approve(plan=plan, by=agency.grp_head.user)
        services.plan_reopen(plan=plan, reason="แก้ไขค่าเป้าหมาย", by=agency.hr.user)
    assert recipients_of("plan_reopened") == {"officer1", "grp_head"}
    body = mails_to("officer1@example.go.th")[-1].body
    assert "เปิดแผนตัวชี้วัดรอบ 2569/1" in body and "แก้ไขค่าเป้าหมาย" in body


def test_a_plan_with_no_supervisor_goes_to_hr_of_the_department(agency, the_round, commits):
    plan = make_plan(agency.dept_head, the_round, kpis=[100])
    with commits():
        services.plan_submit(plan=plan, by=agency.dept_head.user)
    assert recipients_of("plan_submitted") == {"hr"}  # not hr_other, not the admin
    assert len(mails_to("hr@example.go.th")) == 1


def test_a_bulk_approval_tells_only_the_owners_of_approved_plans(agency, the_round, commits):
    with commits():
        good = submitted(agency, the_round)
        bad = make_plan(agency.officer2, the_round, kpis=[60, 40])
        services.plan_submit(plan=bad, by=agency.officer2.user)
        Plan.objects.filter(pk=bad.pk).update(status=Plan.Status.RETURNED)
        services.plans_approve(plans=[good, bad], by=agency.grp_head.user)
    assert recipients_of("plan_approved") == {"officer1"}


def test_nothing_is_sent_for_a_refused_or_rolled_back_decision(agency, the_round, commits):
    plan = make_plan(agency.officer1, the_round, kpis=[60, 30])  # weights 90: refused
    with commits():
        with pytest.raises(ValidationError):
            services.plan_submit(plan=plan, by=agency.officer1.user)
        good = make_plan(agency.officer2, the_round, kpis=[60, 40])
        with pytest.raises(RuntimeError), transaction.atomic():
            services.plan_submit(plan=good, by=agency.officer2.user)
            raise RuntimeError("the caller fails after the service")
    assert Notification.objects.count() == 0 and mail.outbox == []
    assert Plan.objects.get(pk=good.pk).status == Plan.Status.DRAFT


@pytest.fixture
def appraised(agency, tracking, private_media):
    plan = appraisal_factories.make_plan(agency.officer1, tracking)
    by = agency.officer1.user
    result_save(kpi=appraisal_factories.kpi(plan, "K1"), actual="77", by=by)
    result_save(kpi=appraisal_factories.kpi(plan, "K2"), actual="27", by=by)
    result_save(kpi=appraisal_factories.kpi(plan, "K3"), milestones_done="5", by=by)
    return plan


def test_appraisal_sign_offs_reach_the_assessor_the_assessee_and_the_reviewer(
    agency, appraised, commits
):
    from appraisals.models import Competency

    ratings = {pk: 3 for pk in Competency.objects.values_list("pk", flat=True)}
    with commits():
        appraisal_self_assess(plan=appraised, by=agency.officer1.user)
    assert recipients_of("assessment_due") == {"grp_head"}
    assert f"/appraisal/plan/{appraised.pk}/assess/" in mails_to("grp_head@example.go.th")[0].body
    with commits():
        appraisal_assess(plan=appraised, levels={}, ratings=ratings, by=agency.grp_head.user)
    assert recipients_of("acknowledgement_due") == {"officer1"}
    with commits():
        appraisal_acknowledge(plan=appraised, by=agency.officer1.user)
    assert recipients_of("review_due") == {"div_head"}


def test_the_email_is_in_the_recipients_language(agency, the_round, commits, client_for):
    officer = client_for(agency.officer1)
    # The nav's language switch is remembered for the e-mails.
    officer.post(reverse("set_language"), {"language": "en", "next": "/"})
    with commits():
        plan = submitted(agency, the_round)
        services.plan_approve(plan=plan, by=agency.grp_head.user)
    (to_head,) = mails_to("grp_head@example.go.th")
    (to_officer,) = mails_to("officer1@example.go.th")
    assert "ส่งแผนตัวชี้วัดรอบ" in to_head.body  # Thai: the head never chose
    assert to_officer.subject == "[KPI Portal] Your plan was approved"
    assert "approved the KPI plan of round 2569/1 of นายสมชาย ตั้งใจ" in to_officer.body
    assert Delivery.objects.get(address="officer1@example.go.th").language == "en"


def test_email_switched_off_for_a_kind_keeps_the_in_app_notification(
    agency, the_round, commits, client_for
):
    officer = client_for(agency.officer1)
    page = officer.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    form = {"language": "th", "email_plan_approved": "on"}  # plan_returned left unticked
    response = officer.post(reverse("notifications:preferences"), form)
    assert response.status_code == 302
    with commits():
        plan = submitted(agency, the_round)
        services.plan_return(plan=plan, comment="แก้ไขค่าเป้าหมาย", by=agency.grp_head.user)
        services.plan_submit(plan=plan, by=agency.officer1.user)
        services.plan_approve(plan=plan, by=agency.grp_head.user)
    assert kinds_for(agency.officer1) == ["plan_approved", "plan_returned"]
    subjects = [message.subject for message in mails_to("officer1@example.go.th")]
    assert subjects == ["[KPI Portal] แผนของคุณได้รับอนุมัติ"]


def test_someone_without_an_address_gets_the_notification_only(agency, the_round, commits):
    agency.grp_head.email = ""
    agency.grp_head.save(update_fields=["email"])
    with commits():
        submitted(agency, the_round)
    assert recipients_of("plan_submitted") == {"grp_head"}
    assert Delivery.objects.count() == 0 and mail.outbox == []


def test_a_failing_notification_does_not_undo_the_decision(
    agency, the_round, commits, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr("notifications.listeners.notify", broken)
    plan = make_plan(agency.officer1, the_round, kpis=[60, 40])
    with commits():
        services.plan_submit(plan=plan, by=agency.officer1.user)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.SUBMITTED
    assert "notifications are down" in caplog.text
