"""The history of plans: who changed what, when, with old and new values."""

import datetime
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from indicators.models import KPI, KRA, HistoryEntry, Plan

# What each action is called on the plan's timeline: what happened, in the
# "history" context, so the English is "Plan approved", not the button's
# "Approve plan". Apps that write their own actions into a plan's history
# (appraisals: results, assessments, closing) add theirs with
# ACTION_LABELS.update(...) when they start; an action without one shows its code.
ACTION_LABELS = {
    "plan_submit": pgettext_lazy("history", "ส่งแผนเพื่อขออนุมัติ"),
    "plan_approve": pgettext_lazy("history", "อนุมัติแผน"),
    "plan_return": pgettext_lazy("history", "ส่งแผนกลับให้แก้ไข"),
    "plan_reopen": pgettext_lazy("history", "เปิดแผนใหม่เพื่อแก้ไข"),
    "kra_create": pgettext_lazy("history", "เพิ่มผลสัมฤทธิ์หลัก"),
    "kra_update": pgettext_lazy("history", "แก้ไขผลสัมฤทธิ์หลัก"),
    "kra_delete": pgettext_lazy("history", "ลบผลสัมฤทธิ์หลัก"),
    "kpi_create": pgettext_lazy("history", "เพิ่มตัวชี้วัด"),
    "kpi_update": pgettext_lazy("history", "แก้ไขตัวชี้วัด"),
    "kpi_delete": pgettext_lazy("history", "ลบตัวชี้วัด"),
    "kpi_move": pgettext_lazy("history", "จัดลำดับตัวชี้วัด"),
    "admin_edit": pgettext_lazy("history", "แก้ไขผ่านหน้าผู้ดูแลระบบ"),
    "kpi_import": pgettext_lazy("history", "นำเข้าตัวชี้วัดจากไฟล์"),
    "kpi_cascade": pgettext_lazy("history", "ถ่ายทอดตัวชี้วัด"),
    "kpi_cascade_in": pgettext_lazy("history", "ได้รับตัวชี้วัดที่ถ่ายทอดมา"),
    "kpi_follow": pgettext_lazy("history", "ปรับตามตัวชี้วัดต้นทาง"),
    "kpi_split_update": pgettext_lazy("history", "ปรับการแบ่งค่าเป้าหมาย"),
    "kpi_split_remove": pgettext_lazy("history", "ยกเลิกการแบ่งค่าเป้าหมาย"),
    "plan_carry_forward": pgettext_lazy("history", "ยกตัวชี้วัดมาจากรอบก่อน"),
}

_MODELS = {"plan": Plan, "kra": KRA, "kpi": KPI}
# Fields whose model has no Thai name for them.
FIELD_LABELS = {"kra": _("ผลสัมฤทธิ์หลัก"), "order": _("ลำดับ"), "version": _("รุ่นของแผน")}


def plain(value):
    """A JSON-safe form of a field value, as a user would read it.

    Decimals are normalized ("65.0000" and "65" are the same target), so a
    value read back from the database never shows up as a change.
    """
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(instance: models.Model, fields) -> dict:
    """The current values of `fields` of `instance`, JSON-safe."""
    return {field: plain(getattr(instance, field)) for field in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }


def record(
    *,
    plan: Plan,
    by,
    action: str,
    obj: models.Model | None = None,
    changes: dict | None = None,
    comment: str = "",
) -> HistoryEntry:
    """Write one history entry on `plan` (call it inside the service's transaction).

    Record a deletion before deleting: the entry keeps the object's id and label.
    """
    return HistoryEntry.objects.create(
        plan=plan,
        by=by if getattr(by, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "plan",
        object_id=obj.pk if obj is not None else plan.pk,
        object_label=str(obj)[:255] if obj is not None else str(plan)[:255],
        changes=changes or {},
        comment=comment,
    )


def person_name(user) -> str:
    """Who did it, by their name in the tree when they have one."""
    if user is None:
        return str(_("ระบบ"))
    try:
        return user.node.name
    except ObjectDoesNotExist:
        return user.get_username()


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _field_label_and_display(object_type: str, name: str):
    model = _MODELS.get(object_type)
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:  # an old entry may name a field that is gone
        field = None
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name]), None
    if field is None:
        return name, None
    choices = dict(field.flatchoices) if field.choices else None
    return str(field.verbose_name), choices


def change_rows(entry: HistoryEntry) -> list[tuple[str, object, object]]:
    """(field label, old, new) for each change of `entry`, choices shown by their labels.

    Pure: no query, so a timeline of any length costs nothing more.
    """
    rows = []
    for name, pair in (entry.changes or {}).items():
        old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        label, choices = _field_label_and_display(entry.object_type, name)
        if choices:
            old, new = choices.get(old, old), choices.get(new, new)
        rows.append((label, "" if old is None else old, "" if new is None else new))
    return rows
