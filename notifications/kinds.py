"""The registry of notification kinds: what each says and where it leads.

A kind is registered once (here, at import) with a label for the
preferences page and two functions of the stored notification: its text and
its link. Both run when the notification is shown or mailed, in the
reader's language, so a notification stored in the morning reads in English
for someone who switched to English in the afternoon. Adding a kind (the
missed check-ins of the monitoring work, for example) is one `register()`
call and a sender; the preferences page and the e-mail follow.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi_portal.templatetags.thai import format_be_date


@dataclass(frozen=True)
class Kind:
    key: str
    label: object  # a lazy string: shown on the preferences page and in the subject
    text: Callable[[dict], str]
    link: Callable[[object], str]
    # Deadline reminders are written by send_reminders, not by a workflow event.
    reminder: bool = False


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    _registry[kind.key] = kind
    return kind


def get(key: str) -> Kind | None:
    return _registry.get(key)


def all_kinds() -> list[Kind]:
    return list(_registry.values())


def _date(params: dict, name: str = "deadline") -> str:
    import datetime

    value = params.get(name)
    return format_be_date(datetime.date.fromisoformat(value)) if value else ""


def _plan_link(notification) -> str:
    return reverse("indicators:plan", args=[notification.plan_id]) if notification.plan_id else ""


def _assess_link(notification) -> str:
    return reverse("appraisals:assess", args=[notification.plan_id]) if notification.plan_id else ""


def _with_comment(text: str, params: dict) -> str:
    comment = params.get("comment")
    if not comment:
        return text
    return text + " " + _("หมายเหตุ: %(comment)s") % {"comment": comment}


PLAN_SUBMITTED = register(
    Kind(
        "plan_submitted",
        gettext_lazy("มีแผนส่งมาให้คุณพิจารณา"),
        lambda p: _("%(owner)s ส่งแผนตัวชี้วัดรอบ %(round)s ให้คุณพิจารณาอนุมัติ") % p,
        _plan_link,
    )
)
PLAN_RETURNED = register(
    Kind(
        "plan_returned",
        gettext_lazy("แผนของคุณถูกส่งกลับให้แก้ไข"),
        lambda p: _with_comment(_("%(by)s ส่งแผนตัวชี้วัดรอบ %(round)s ของ %(owner)s กลับให้แก้ไข") % p, p),
        _plan_link,
    )
)
PLAN_APPROVED = register(
    Kind(
        "plan_approved",
        gettext_lazy("แผนของคุณได้รับอนุมัติ"),
        lambda p: _("%(by)s อนุมัติแผนตัวชี้วัดรอบ %(round)s ของ %(owner)s แล้ว") % p,
        _plan_link,
    )
)
PLAN_REOPENED = register(
    Kind(
        "plan_reopened",
        gettext_lazy("แผนถูกเปิดใหม่เป็นร่าง"),
        lambda p: _with_comment(
            _("%(by)s เปิดแผนตัวชี้วัดรอบ %(round)s ของ %(owner)s ใหม่เป็นร่าง") % p, p
        ),
        _plan_link,
    )
)
ASSESSMENT_DUE = register(
    Kind(
        "assessment_due",
        gettext_lazy("การประเมินรอคุณประเมิน"),
        lambda p: _("%(owner)s ประเมินตนเองรอบ %(round)s แล้ว รอการประเมินจากคุณ") % p,
        _assess_link,
    )
)
ACKNOWLEDGEMENT_DUE = register(
    Kind(
        "acknowledgement_due",
        gettext_lazy("ผลการประเมินรอคุณรับทราบ"),
        lambda p: _("%(by)s ประเมินผลรอบ %(round)s ของ %(owner)s แล้ว กรุณาตรวจดูและลงนามรับทราบ") % p,
        _assess_link,
    )
)
REVIEW_DUE = register(
    Kind(
        "review_due",
        gettext_lazy("การประเมินรอความเห็นของคุณ"),
        lambda p: (
            _("ผลการประเมินรอบ %(round)s ของ %(owner)s รับทราบแล้ว รอความเห็นของผู้บังคับบัญชาเหนือขึ้นไป") % p
        ),
        _assess_link,
    )
)
PLANNING_DEADLINE = register(
    Kind(
        "planning_deadline",
        gettext_lazy("ใกล้สิ้นสุดการวางแผน"),
        lambda p: (
            _("การวางแผนตัวชี้วัดรอบ %(round)s สิ้นสุดวันที่ %(date)s แผนของคุณยังไม่ได้ส่ง")
            % {**p, "date": _date(p)}
        ),
        lambda n: reverse("indicators:my_plan"),
        reminder=True,
    )
)
ASSESSMENT_DEADLINE = register(
    Kind(
        "assessment_deadline",
        gettext_lazy("ใกล้สิ้นสุดการประเมิน"),
        lambda p: (
            (
                _("การประเมินรอบ %(round)s สิ้นสุดวันที่ %(date)s ยังมีการประเมินที่รอคุณ")
                if p.get("assessor")
                else _("การประเมินรอบ %(round)s สิ้นสุดวันที่ %(date)s การประเมินของคุณยังไม่เสร็จ")
            )
            % {**p, "date": _date(p)}
        ),
        lambda n: reverse(
            "appraisals:team" if n.params.get("assessor") else "appraisals:my_results"
        ),
        reminder=True,
    )
)


def text_of(notification) -> str:
    """The notification's sentence in the active language."""
    kind = get(notification.kind)
    if kind is None:
        return notification.kind
    try:
        return kind.text(notification.params or {})
    except (KeyError, TypeError, ValueError):
        return str(kind.label)


def link_of(notification) -> str:
    kind = get(notification.kind)
    return kind.link(notification) if kind is not None else ""
