"""Missed check-ins as notifications (issue 12), sent by `send_reminders`.

When a round has fixed check-in dates (RoundSchedule.due_dates) and the
latest of them has passed (the day after it), each holder of an approved
plan with KPIs lacking a check-in in that date's period is told once: the
person for their own plan, the head for a unit's plan. Who missed is
monitoring's own computation (figures.missed_checkins, the one behind
/monitoring/missed/), over the whole agency. Only the latest passed date
counts, so a round whose earlier dates passed before the command first ran
does not pile them up.

Import direction: notifications never imports this app. Monitoring plugs
in from its ready() (`register()`), and only when notifications is
installed: it adds its kind to notifications.kinds and its source to
notifications.reminders, whose key (recipient, kind, round, deadline = the
due date), dry run and e-mail rules it shares. No reminder before a date:
the round's reminder days are for planning and assessment and do not fit.
"""

import datetime

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Round
from monitoring.figures import due_dates, missed_checkins
from monitoring.models import RoundSchedule
from orgchart.models import Kind, Node

CHECKINS_MISSED = "checkins_missed"
ROUND_STATUSES = (Round.Status.TRACKING, Round.Status.ASSESSMENT)


def latest_passed(schedule, today: datetime.date) -> datetime.date | None:
    """The latest fixed date before today (the day itself still counts for a check-in)."""
    passed = [due for due in due_dates(schedule) if due < today]
    return passed[-1] if passed else None


def missed_recipients(the_round: Round, schedule, due: datetime.date) -> dict[int, dict]:
    """{user id: params} of the holders who missed `due`: two queries plus one per passed date."""
    rows = [
        row
        for row in missed_checkins(the_round, None, None, schedule, today=due, limit=None)
        if row.due == due
    ]
    if not rows:
        return {}
    user_of, head_of = {}, {}
    # Nobody in a department the round is closed for is reminded.
    people = Node.objects.filter(kind=Kind.INDIVIDUAL, is_active=True, user__isnull=False).exclude(
        tree_id__in=the_round.closed_departments
    )
    for pk, user_id, is_head, parent_id in people.values_list(
        "pk", "user_id", "is_head", "parent_id"
    ):
        user_of[pk] = user_id
        if is_head:
            head_of.setdefault(parent_id, user_id)
    recipients = {}
    for row in rows:
        user_id = user_of.get(row.owner_pk) or head_of.get(row.owner_pk)
        if user_id is None:
            continue
        # A head who missed with their own plan and their unit's: one notification, both counted.
        current = recipients.setdefault(user_id, {"kpis": 0, "plan": row.plan_pk})
        current["kpis"] += row.kpis
    return recipients


def missed_due(today: datetime.date) -> list:
    """The Due rows of today's run: one per round whose latest fixed date has passed."""
    from notifications.reminders import Due

    found = []
    schedules = RoundSchedule.objects.select_related("round").filter(
        round__status__in=ROUND_STATUSES
    )
    for schedule in schedules:
        due = latest_passed(schedule, today)
        if due is None:
            continue
        recipients = missed_recipients(schedule.round, schedule, due)
        found.append(Due(schedule.round, CHECKINS_MISSED, due, recipients))
    return found


def _text(params: dict) -> str:
    date = params.get("deadline")
    shown = ""
    if date:
        from kpi_portal.templatetags.thai import format_be_date

        shown = format_be_date(datetime.date.fromisoformat(date))
    return _(
        "รอบ %(round)s กำหนดรายงานความก้าวหน้าวันที่ %(date)s ยังมีตัวชี้วัดของคุณ %(kpis)s ตัวที่ไม่ได้รายงาน"
    ) % {**params, "date": shown}


def _link(notification) -> str:
    plan = (notification.params or {}).get("plan")
    return reverse("indicators:plan", args=[plan]) if plan else ""


def register() -> None:
    """Add the kind and its sender to notifications (when that app is installed)."""
    if not apps.is_installed("notifications"):
        return
    from notifications import kinds, reminders

    if kinds.get(CHECKINS_MISSED) is None:
        kinds.register(
            kinds.Kind(
                CHECKINS_MISSED,
                gettext_lazy("ยังไม่ได้รายงานความก้าวหน้าตามกำหนด"),
                _text,
                _link,
                reminder=True,
            )
        )
    reminders.register_source(missed_due)
