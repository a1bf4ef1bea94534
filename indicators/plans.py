"""Plan basics shared by every indicators service: finding plans, optimistic locking."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import Plan, Round, RoundClosure
from orgchart.models import Node


class StaleEdit(ValidationError):
    """Someone else changed the plan since this user loaded it."""

    def __init__(self):
        super().__init__(
            _(
                "แผนนี้ถูกแก้ไขหลังจากที่คุณเปิดหน้านี้ การบันทึกของคุณยังไม่ถูกบันทึก "
                "กรุณาโหลดหน้าใหม่เพื่อดูข้อมูลล่าสุดแล้วลองอีกครั้ง"
            ),
            code="stale",
        )


def plan_for(*, owner: Node, round: Round) -> Plan:
    """The owner's plan for the round, created as an empty draft if missing."""
    plan, _created = Plan.objects.get_or_create(owner=owner, round=round)
    return plan


def plan_bump(*, plan: Plan, expected_version: int | None = None) -> Plan:
    """Claim the next version of `plan`, or raise StaleEdit.

    A compare-and-swap on `version`: of two saves that loaded the same version
    only the first succeeds, on SQLite and PostgreSQL alike, without holding
    a lock while a person is typing. Pass `expected_version=None` for changes
    that do not come from an edit form (they just move the version on).
    """
    rows = Plan.objects.filter(pk=plan.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.update(version=F("version") + 1, updated_at=timezone.now()):
        raise StaleEdit()
    plan.refresh_from_db(fields=["version", "updated_at", "status"])
    return plan


def claim(plan: Plan, expected_version: int | None) -> Plan:
    """plan_bump, then reload the round, so the checks that follow see fresh data.

    Call it first inside a service's transaction: on PostgreSQL the bump also
    holds the plan's row lock until the transaction ends, which serializes
    two services acting on the same plan.
    """
    plan_bump(plan=plan, expected_version=expected_version)
    plan.round = Round.objects.get(pk=plan.round_id)
    return plan


def require_round_open(round: Round, tree_id: int | None = None) -> None:
    """ValidationError when the round is closed (for everyone, or for the department
    of tree `tree_id`): nothing in it changes any more."""
    if round.is_closed:
        raise ValidationError(_("รอบการประเมินนี้ปิดแล้ว ไม่สามารถแก้ไขได้"), code="closed")
    if tree_id is not None and tree_id in round.closed_departments:
        raise ValidationError(
            _("รอบการประเมิน %(code)s ปิดแล้วสำหรับส่วนราชการนี้ ไม่สามารถแก้ไขได้") % {"code": round.code},
            code="closed",
        )


def closed_for(tree_id: int, round_ref: str = "round") -> Exists:
    """True where the round at `round_ref` (a path from the outer query) is closed for
    the department of tree `tree_id` on its own: a subquery, no query of its own."""
    return Exists(
        RoundClosure.objects.filter(
            round=OuterRef(round_ref), department__tree_id=tree_id, reopened_at__isnull=True
        )
    )


def require_plan_open(plan: Plan) -> None:
    """ValidationError when the plan's round is closed for the plan's department."""
    require_round_open(plan.round, plan.owner.tree_id)


def require_editable(plan: Plan) -> None:
    """ValidationError unless the plan's content may change now."""
    require_plan_open(plan)
    if not plan.round.is_planning:
        raise ValidationError(_("แก้ไขแผนได้เฉพาะช่วงวางแผนของรอบการประเมินเท่านั้น"), code="not_planning")
    if plan.is_locked:
        raise ValidationError(
            _("แผนนี้%(status)s จึงแก้ไขไม่ได้ ต้องขอเปิดแผนใหม่ก่อน")
            % {"status": plan.get_status_display()},
            code="locked",
        )
