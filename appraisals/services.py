"""Services of the appraisals app: results, evidence, rescoring, sign-offs, closing.

Every write goes through one of these (views, imports and commands alike):
keyword-only, inside `transaction.atomic()`, writing the plan's history,
raising ValidationError with Thai messages and saving nothing on bad input.
Stored scores are recomputed by each service until the round closes, never
after (appraisals.scores).

Public services (the signatures other modules rely on):
    result_save(*, kpi, actual=None, milestones_done=None, note="", by,
                files=(), expected_version=None) -> Result
    evidence_add(*, kpi, files, by) -> list[Evidence]
    evidence_delete(*, evidence, by) -> None
    policy_rescore(*, round) -> int
    appraisal_self_assess / appraisal_assess / appraisal_acknowledge /
    appraisal_refusal_record / appraisal_review   (appraisals.assessment)
    round_close(*, round, by, department=None) -> CloseSummary   (appraisals.closing)
    round_reopen(*, round, department, reason, by) -> int    (appraisals.closing)
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appraisals.assessment import (
    appraisal_acknowledge,
    appraisal_assess,
    appraisal_refusal_record,
    appraisal_review,
    appraisal_self_assess,
)
from appraisals.closing import CloseSummary, round_close, round_close_counts, round_reopen
from appraisals.evidence import evidence_check_all, evidence_store
from appraisals.guards import appraisal_for, lock_open_round, require_results_open
from appraisals.models import Appraisal, Evidence, Result
from appraisals.policy import rules_for
from appraisals.scores import plan_rescore, round_rescore
from appraisals.scoring import quantize4
from indicators import targets
from indicators.history import diff, record, snapshot
from indicators.models import KPI, Plan, Round

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Result.actual has 18 digits, 4 of them decimals.
ACTUAL_LIMIT = Decimal(10) ** 14
RESULT_FIELDS = ("actual", "milestones_done", "note")


class StaleResult(ValidationError):
    """Someone else saved this result since this user loaded it."""

    def __init__(self):
        super().__init__(
            _(
                "ผลของตัวชี้วัดนี้ถูกบันทึกหลังจากที่คุณเปิดหน้านี้ การบันทึกของคุณยังไม่ถูกบันทึก "
                "กรุณาโหลดหน้าใหม่เพื่อดูข้อมูลล่าสุดแล้วลองอีกครั้ง"
            ),
            code="stale",
        )


def parse_actual(value) -> Decimal | None:
    """An actual result as a Decimal with 4 decimals; blank is None.

    Accepts numbers and numeric text (Thai digits, thousands separators).
    """
    if value is None or isinstance(value, bool):
        return None
    text = (
        value.strip().translate(THAI_DIGITS).replace(",", "") if isinstance(value, str) else value
    )
    if text == "":
        return None
    try:
        number = targets.as_decimal(text)
    except ValueError:
        raise ValidationError(
            _("ผลการดำเนินงานต้องเป็นตัวเลข (ได้รับ: %(value)s)") % {"value": value}, code="actual"
        ) from None
    if abs(number) >= ACTUAL_LIMIT:
        raise ValidationError(_("ผลการดำเนินงานมีค่ามากเกินไป"), code="actual")
    number = quantize4(number)
    return number


def parse_milestones(value) -> int | None:
    """How many milestones are done: a whole number 0..5; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = value.strip().translate(THAI_DIGITS) if isinstance(value, str) else value
    try:
        return targets.milestones_done(text)
    except ValueError:
        raise ValidationError(
            _("จำนวนขั้นตอนที่สำเร็จต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 5 (ได้รับ: %(value)s)") % {"value": value},
            code="milestones",
        ) from None


def _results_guard(kpi: KPI) -> tuple[KPI, Plan, Round]:
    """Fresh KPI, plan and locked round, when results of `kpi` may change now."""
    fresh = KPI.objects.select_related("plan__owner").filter(pk=kpi.pk).first()
    if fresh is None:
        raise ValidationError(_("ไม่พบตัวชี้วัดนี้แล้ว อาจถูกลบไปก่อนหน้า"), code="missing")
    plan = fresh.plan
    the_round = lock_open_round(plan.round_id, plan.owner.tree_id)
    if fresh.round_id != plan.round_id:
        raise ValidationError(_("ตัวชี้วัดนี้ไม่อยู่ในรอบการประเมินของแผน"), code="wrong_round")
    require_results_open(plan, the_round)
    appraisal = Appraisal.objects.filter(plan=plan).first()
    if appraisal is not None and appraisal.is_assessed:
        raise ValidationError(
            _("ผู้ประเมินให้คะแนนแผนนี้แล้ว จึงแก้ไขผลการดำเนินงานและหลักฐานไม่ได้"), code="assessed"
        )
    plan.round = the_round
    return fresh, plan, the_round


def _store_files(result: Result, checked, by, stored: list) -> list[str]:
    for upload, extension in checked:
        stored.append(evidence_store(result=result, upload=upload, extension=extension, by=by))
    return [evidence.original_name for evidence in stored]


def _forget_files(stored: Iterable[Evidence]) -> None:
    """A failed transaction keeps no rows; remove the files it had written too."""
    for evidence in stored:
        evidence.file.storage.delete(evidence.file.name)


def result_save(
    *,
    kpi: KPI,
    actual=None,
    milestones_done=None,
    note: str = "",
    by,
    files: Iterable = (),
    expected_version: int | None = None,
) -> Result:
    """Record a KPI's actual result (numeric scales) or milestones done (milestone scale).

    With a note and optional evidence `files`. Refused, with nothing saved,
    for a closed or planning round, a plan not approved, an appraisal already
    assessed, a value that is not a number or not 0..5 milestones, a file of a
    refused type or too big, or a save based on an older version of the result
    (`expected_version`, from the form). Recomputes the level, the score and
    the plan's achievement.
    """
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            kpi, plan, the_round = _results_guard(kpi)
            errors = []
            values = {"actual": None, "milestones_done": None}
            milestone = kpi.scale == KPI.Scale.MILESTONE
            try:
                if milestone:
                    if parse_actual(actual) is not None:
                        raise ValidationError(_("ตัวชี้วัดนี้วัดเป็นขั้นตอนความสำเร็จ ให้ระบุจำนวนขั้นตอนที่สำเร็จ"))
                    values["milestones_done"] = parse_milestones(milestones_done)
                else:
                    if parse_milestones(milestones_done) is not None:
                        raise ValidationError(_("ตัวชี้วัดนี้วัดเป็นตัวเลข ให้ระบุผลการดำเนินงาน"))
                    values["actual"] = parse_actual(actual)
            except ValidationError as error:
                errors.extend(error.messages)
            checked = []
            try:
                checked = evidence_check_all(files)
            except ValidationError as error:
                errors.extend(error.messages)
            if errors:
                raise ValidationError(errors)

            result, _created = Result.objects.select_for_update().get_or_create(kpi=kpi)
            if expected_version is not None and result.version != expected_version:
                raise StaleResult()
            before = snapshot(result, RESULT_FIELDS)
            result.actual = values["actual"]
            result.milestones_done = values["milestones_done"]
            result.note = (note or "").strip()
            result.updated_by = by if getattr(by, "is_authenticated", False) else None
            result.version += 1
            result.save()
            changes = diff(before, snapshot(result, RESULT_FIELDS))
            names = _store_files(result, checked, by, stored)
            if names:
                changes["evidence"] = [None, names]
            if changes:
                record(plan=plan, by=by, action="result_save", obj=result, changes=changes)
            appraisal_for(plan)
            plan_rescore(plan, rules_for(the_round))
    except BaseException:
        _forget_files(stored)
        raise
    result.refresh_from_db()
    return result


def evidence_add(*, kpi: KPI, files: Iterable, by) -> list[Evidence]:
    """Attach evidence files to a KPI's result (created empty if needed): all or none."""
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            kpi, plan, _the_round = _results_guard(kpi)
            checked = evidence_check_all(files)
            if not checked:
                raise ValidationError(_("กรุณาเลือกไฟล์หลักฐาน"), code="no_file")
            result, _created = Result.objects.select_for_update().get_or_create(kpi=kpi)
            names = _store_files(result, checked, by, stored)
            record(
                plan=plan,
                by=by,
                action="evidence_add",
                obj=result,
                changes={"evidence": [None, names]},
            )
    except BaseException:
        _forget_files(stored)
        raise
    return stored


def evidence_delete(*, evidence: Evidence, by) -> None:
    """Remove an evidence file while the result may still change."""
    with transaction.atomic():
        evidence = Evidence.objects.select_related("result__kpi").get(pk=evidence.pk)
        _kpi, plan, _the_round = _results_guard(evidence.result.kpi)
        storage, name = evidence.file.storage, evidence.file.name
        record(
            plan=plan,
            by=by,
            action="evidence_delete",
            obj=evidence.result,
            changes={"evidence": [evidence.original_name, None]},
        )
        evidence.delete()
        transaction.on_commit(lambda: storage.delete(name))


def policy_rescore(*, round: Round) -> int:
    """Recompute every stored score of an open round (bulk); refused once it is closed.

    Returns how many appraisals changed.
    """
    with transaction.atomic():
        the_round = lock_open_round(round.pk)
        return round_rescore(the_round, rules_for(the_round))


__all__ = [
    "CloseSummary",
    "StaleResult",
    "appraisal_acknowledge",
    "appraisal_assess",
    "appraisal_for",
    "appraisal_refusal_record",
    "appraisal_review",
    "appraisal_self_assess",
    "evidence_add",
    "evidence_delete",
    "lock_open_round",
    "parse_actual",
    "parse_milestones",
    "policy_rescore",
    "require_results_open",
    "result_save",
    "round_close",
    "round_close_counts",
    "round_reopen",
]
