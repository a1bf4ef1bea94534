"""Plan services: KRAs, KPIs and the approval workflow (DOMAIN.md "Approval").

Every service is keyword-only, takes `by` (the acting user), runs in one
transaction, claims the plan's next version with `plans.plan_bump` (a save
that carries an older version raises `StaleEdit` and writes nothing), checks
the rules against fresh data, and writes a history entry with the old and the
new values. Errors are `ValidationError`s with Thai messages, keyed by form
field where there is one.

Who may act: the content services (kra_*, kpi_*) leave "is this the plan's
holder" to the caller (views fetch through `indicators.access`; the KPI
import acts for HR). The decisions (submit, approve, return, reopen) check it
themselves, because the team page's bulk approval and other callers use them
too; they raise `PermissionDenied`.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access, rules, signals
from indicators.content import kpi_delete, kpi_move, kpi_save, kra_delete, kra_save
from indicators.history import record
from indicators.models import Plan
from indicators.plans import StaleEdit, claim, require_editable, require_plan_open

__all__ = [
    "ApprovalOutcome",
    "kpi_delete",
    "kpi_move",
    "kpi_save",
    "kra_delete",
    "kra_save",
    "plan_approve",
    "plan_reopen",
    "plan_return",
    "plan_submit",
    "plans_approve",
]

Status = Plan.Status


def _set_status(plan: Plan, status: str, *, by, action: str, comment: str = "", **fields) -> None:
    old = plan.status
    plan.status = status
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save(update_fields=["status", *fields])
    record(plan=plan, by=by, action=action, changes={"status": [old, status]}, comment=comment)
    signals.send_on_commit(action, plan=plan, by=by, comment=comment)


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def _claim_decision(plan: Plan, expected_version: int | None, acts_on: tuple) -> None:
    """Claim the plan for a decision; say plainly when someone else decided first.

    `acts_on`: the statuses the decision applies to; a stale version on a plan
    that has left them means another decision came first.
    """
    try:
        claim(plan, expected_version)
    except StaleEdit:
        current = Plan.objects.filter(pk=plan.pk).first()
        if current is not None and current.status not in acts_on:
            raise ValidationError(
                _("แผนนี้ถูกดำเนินการไปแล้วหลังจากที่คุณเปิดหน้านี้ (สถานะขณะนี้: %(status)s) กรุณาโหลดหน้าใหม่")
                % {"status": current.get_status_display()},
                code="stale",
            ) from None
        raise


def _require_deciding_time(plan: Plan) -> None:
    require_plan_open(plan)
    if not plan.round.is_planning:
        raise ValidationError(
            _("อนุมัติหรือส่งกลับแผนได้เฉพาะช่วงวางแผนของรอบการประเมินเท่านั้น"), code="not_planning"
        )
    if plan.status != Status.SUBMITTED:
        raise ValidationError(
            _("แผนนี้ไม่ได้อยู่ระหว่างรออนุมัติ (สถานะขณะนี้: %(status)s)")
            % {"status": plan.get_status_display()},
            code="not_submitted",
        )


def _review_errors(plan: Plan) -> list[ValidationError]:
    kras = list(plan.kras.all())
    kpis = list(plan.kpis.select_related("parent"))
    review = rules.review_plan(round=plan.round, kras=kras, kpis=kpis)
    return [ValidationError(problem.message, code="review") for problem in review.errors]


def plan_submit(*, plan: Plan, by, expected_version: int | None = None) -> Plan:
    """The holder sends a draft (or returned) plan to the supervisor for approval.

    Refused, with every problem listed, unless the plan meets the submit rules
    of `indicators.rules.review_plan`.
    """
    if not access.can_edit(by, plan):
        raise PermissionDenied(_("เฉพาะผู้รับผิดชอบแผนเท่านั้นที่ส่งแผนได้"))
    with transaction.atomic():
        claim(plan, expected_version)
        require_editable(plan)
        errors = _review_errors(plan)
        if errors:
            raise ValidationError(errors)
        _set_status(
            plan,
            Status.SUBMITTED,
            by=by,
            action="plan_submit",
            submitted_at=timezone.now(),
            submitted_by=_user(by),
            approved_at=None,
            approved_by=None,
        )
    return plan


def plan_approve(*, plan: Plan, by, expected_version: int | None = None) -> Plan:
    """The owner's supervisor approves a submitted plan, which locks it.

    Only while the round is planning. Of two approvals at once the second is
    refused with a message: the version (or the row lock) serializes them.
    """
    if not access.can_decide(by, plan):
        raise PermissionDenied(_("เฉพาะผู้บังคับบัญชาของเจ้าของแผนเท่านั้นที่อนุมัติแผนได้"))
    with transaction.atomic():
        _claim_decision(plan, expected_version, (Status.SUBMITTED,))
        _require_deciding_time(plan)
        # The round's limits may have changed since the plan was sent.
        errors = _review_errors(plan)
        if errors:
            raise ValidationError([_("แผนนี้ยังไม่ผ่านเงื่อนไข จึงอนุมัติไม่ได้ กรุณาส่งกลับให้แก้ไข"), *errors])
        _set_status(
            plan,
            Status.APPROVED,
            by=by,
            action="plan_approve",
            approved_at=timezone.now(),
            approved_by=_user(by),
        )
    return plan


def plan_return(*, plan: Plan, comment: str, by, expected_version: int | None = None) -> Plan:
    """The supervisor sends a submitted plan back, with a comment; it is editable again."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": [_("กรุณาระบุเหตุผลหรือสิ่งที่ต้องแก้ไขก่อนส่งกลับ")]})
    if not access.can_decide(by, plan):
        raise PermissionDenied(_("เฉพาะผู้บังคับบัญชาของเจ้าของแผนเท่านั้นที่ส่งแผนกลับได้"))
    with transaction.atomic():
        _claim_decision(plan, expected_version, (Status.SUBMITTED,))
        _require_deciding_time(plan)
        _set_status(
            plan,
            Status.RETURNED,
            by=by,
            action="plan_return",
            comment=comment,
            return_comment=comment,
            approved_at=None,
            approved_by=None,
        )
    return plan


def plan_reopen(*, plan: Plan, reason: str, by, expected_version: int | None = None) -> Plan:
    """The supervisor, HR or an administrator turns a submitted or approved plan into a draft.

    A reason is required. Only while the round is planning: a draft in a
    later phase could be neither edited nor tracked (move the round back to
    planning first).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("กรุณาระบุเหตุผลที่ขอเปิดแผนใหม่")]})
    if not access.can_reopen(by, plan):
        raise PermissionDenied(_("เฉพาะผู้บังคับบัญชาหรือเจ้าหน้าที่บุคคลเท่านั้นที่เปิดแผนใหม่ได้"))
    with transaction.atomic():
        _claim_decision(plan, expected_version, (Status.SUBMITTED, Status.APPROVED))
        require_plan_open(plan)
        if not plan.round.is_planning:
            raise ValidationError(
                _("เปิดแผนใหม่ได้เฉพาะช่วงวางแผน กรุณาให้เจ้าหน้าที่บุคคลเปลี่ยนสถานะรอบก่อน"),
                code="not_planning",
            )
        if not plan.is_locked:
            raise ValidationError(
                _("แผนนี้ยังแก้ไขได้อยู่แล้ว (สถานะ: %(status)s) ไม่ต้องเปิดใหม่")
                % {"status": plan.get_status_display()},
                code="not_locked",
            )
        _set_status(
            plan,
            Status.DRAFT,
            by=by,
            action="plan_reopen",
            comment=reason,
            submitted_at=None,
            submitted_by=None,
            approved_at=None,
            approved_by=None,
        )
    return plan


@dataclass(frozen=True)
class ApprovalOutcome:
    plan: Plan
    approved: bool
    message: str = ""


def _message_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    return str(exc) or _("คุณไม่มีสิทธิ์อนุมัติแผนนี้")


def plans_approve(*, plans, by, versions: dict[int, int] | None = None) -> list[ApprovalOutcome]:
    """Approve several plans at once; each plan succeeds or fails on its own.

    Not all-or-nothing: a supervisor who ticks ten plans should not be blocked
    by one that a colleague returned a second earlier. Each approval runs in
    its own savepoint with the same checks as `plan_approve`; the result says,
    plan by plan, whether it was approved and why not. `versions` maps a plan's
    pk to the version the supervisor saw, so a plan changed since is refused.
    """
    outcomes = []
    with transaction.atomic():
        for plan in plans:
            try:
                with transaction.atomic():
                    plan_approve(plan=plan, by=by, expected_version=(versions or {}).get(plan.pk))
            except (ValidationError, PermissionDenied) as exc:
                outcomes.append(ApprovalOutcome(plan, False, _message_of(exc)))
            else:
                outcomes.append(ApprovalOutcome(plan, True))
    return outcomes
