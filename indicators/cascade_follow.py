"""Direct-cascaded children follow their parent KPI while their plans are drafts.

DOMAIN.md "Cascading", method 1: "If the parent KPI changes while the child
plan is still a draft, the child follows." Kept apart from the cascading
services because every KPI change runs through here (plan editing, the
import), one query per generation of children.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from indicators.bulk import bump_versions, history_entry
from indicators.history import plain
from indicators.models import KPI, HistoryEntry, Plan, Round

LEVEL_FIELDS = tuple(f"level_{n}" for n in range(1, 6))
MILESTONE_FIELDS = tuple(f"milestone_{n}" for n in range(1, 6))
# What a direct child copies from its parent, and keeps following while a draft.
FOLLOW_FIELDS = (
    "name",
    "unit",
    "category",
    "kind",
    "work",
    "method",
    "scale",
    *LEVEL_FIELDS,
    *MILESTONE_FIELDS,
)
OPEN_STATUSES = (Plan.Status.DRAFT, Plan.Status.RETURNED)
MAX_DEPTH = 20  # far deeper than any agency; stops a corrupt loop of parents


def direct_children_follow_many(*, kpis: Sequence[KPI], by, exclude: Iterable[int] = ()) -> int:
    """`direct_children_follow` for several parents at once (the KPI import).

    `exclude`: KPI ids that must not be touched (rows of the same import).
    """
    skip = set(exclude)
    frontier = {kpi.pk: kpi for kpi in kpis if kpi.pk}
    total = 0
    with transaction.atomic():
        for _depth in range(MAX_DEPTH):
            if not frontier:
                break
            rows = (
                KPI.objects.filter(
                    parent_id__in=list(frontier),
                    cascade=KPI.Cascade.DIRECT,
                    plan__status__in=OPEN_STATUSES,
                    plan__round__status=Round.Status.PLANNING,
                )
                .exclude(pk__in=skip)
                .select_related("plan__owner", "plan__round")
            )
            followed, entries = [], []
            for child in rows:
                parent = frontier[child.parent_id]
                changes = {}
                for field in FOLLOW_FIELDS:
                    old, new = getattr(child, field), getattr(parent, field)
                    if old != new:
                        changes[field] = [plain(old), plain(new)]
                        setattr(child, field, new)
                if changes:
                    followed.append(child)
                    entries.append(
                        history_entry(
                            plan=child.plan,
                            by=by,
                            action="kpi_follow",
                            obj=child,
                            changes=changes,
                            comment=_("ตามตัวชี้วัดต้นทาง %(code)s") % {"code": parent.code},
                        )
                    )
            if followed:
                KPI.objects.bulk_update(followed, FOLLOW_FIELDS)
                HistoryEntry.objects.bulk_create(entries)
                bump_versions({child.plan_id for child in followed})
            total += len(followed)
            skip |= set(frontier)
            frontier = {child.pk: child for child in followed}
    return total
