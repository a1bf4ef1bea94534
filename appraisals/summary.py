"""Per-unit figures of a round: who is in scope, and completion and bands by unit.

The dashboard and the round report (sheet 1) read the same figures from here,
so what a page shows and what the spreadsheet says cannot drift apart.

Scope always starts from the access helpers (`orgchart.access.visible_q`),
optionally narrowed to one unit's subtree. In an open round people are placed
by the live tree; once an appraisal is frozen (round close) its stored
placement (`Appraisal.unit_code`) decides where it counts, so a closed round's
figures do not move when people move.

Every figure costs a fixed number of queries whatever the size of the tree:
one grouped query for the tallies and one for the units.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext_lazy

from appraisals.models import Appraisal, DevelopmentItem, DevelopmentMethod, RatingBand
from appraisals.scoring import DEFAULT_BANDS, quantize2
from indicators.models import Plan, Round
from orgchart.access import get_node_for, visible_q
from orgchart.models import Kind, Node

# What "officers" counts, on the dashboard and in the round report alike: people
# (individuals) placed in the tree, with or without a plan, never unit plans.
# A closed round counts the people appraised in it, where they were at close.
OFFICERS_LABEL = gettext_lazy("ผู้ปฏิบัติงาน (คน ไม่นับแผนของหน่วยงาน)")

ASSESSED = (
    Appraisal.Status.ASSESSED,
    Appraisal.Status.ACKNOWLEDGED,
    Appraisal.Status.REVIEWED,
)


def scope_unit(user, code: str) -> Node:
    """The unit named `code` within `user`'s view, or Http404 (a person is not a unit)."""
    node = Node.objects.filter(code=code).first() if user is None else get_node_for(user, code=code)
    if node is None or not node.is_unit:
        raise Http404
    return node


def node_scope(user, unit: Node | None = None, prefix: str = "") -> Q:
    """A Q over Node fields: what `user` sees, narrowed to `unit`'s subtree if given.

    `user` None is an administrator-level run (the export commands): everything.
    """
    q = Q() if user is None else visible_q(user, prefix)
    if unit is not None:
        q &= Q(
            **{
                f"{prefix}tree_id": unit.tree_id,
                f"{prefix}lft__gte": unit.lft,
                f"{prefix}lft__lte": unit.rght,
            }
        )
    return q


def scope_units(user, unit: Node | None = None) -> QuerySet[Node]:
    """The units (not people) in scope, in tree order."""
    return (
        Node.objects.filter(node_scope(user, unit))
        .exclude(kind=Kind.INDIVIDUAL)
        .order_by("tree_id", "lft")
    )


def closure_parts(round: Round) -> list[tuple[bool, Callable[[str], Q]]]:
    """The round split by state: [(closed, Q over Node fields behind a prefix)].

    One part while the round is open everywhere or closed for everyone; two
    (the open departments, then those that closed it on their own) otherwise,
    so a page that counts an open round one way and a closed one another
    costs one query more, not one per department.
    """
    if round.is_closed:
        return [(True, lambda prefix: Q())]
    closed = list(round.closed_departments)
    if not closed:
        return [(False, lambda prefix: Q())]

    def inside(prefix: str) -> Q:
        return Q(**{f"{prefix}tree_id__in": closed})

    return [(False, lambda prefix: ~inside(prefix)), (True, inside)]


def plan_scope(round: Round, user, unit: Node | None = None, prefix: str = "") -> Q:
    """A Q over Plan fields (behind `prefix`): plans in scope, by frozen placement if any."""
    live = node_scope(user, unit, f"{prefix}owner__")
    if not round.is_closed and not round.closed_departments:
        return live
    codes = scope_units(user, unit).order_by().values("code")
    frozen = Q(
        **{
            f"{prefix}appraisal__frozen_at__isnull": False,
            f"{prefix}appraisal__unit_code__in": codes,
        }
    )
    return frozen | (Q(**{f"{prefix}appraisal__frozen_at__isnull": True}) & live)


def results_missing(prefix: str = "") -> Case:
    """True when the plan (behind `prefix`) has a KPI with no actual result recorded yet.

    Read from the plan's kept tally (appraisals.tallies): no KPI scan per view.
    A plan without a tally has no KPI, so nothing missing; no plan, neither.
    """
    return Case(
        When(**{f"{prefix}result_tally__missing__gt": 0}, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def round_bands(round: Round) -> list[tuple[str, Decimal]]:
    """The round's rating bands (name, minimum), highest first; the default bands without any."""
    bands = list(
        RatingBand.objects.filter(policy__round=round)
        .order_by("-minimum")
        .values_list("name", "minimum")
    )
    return bands or list(DEFAULT_BANDS)


def highest_first(bands) -> list[tuple[str, Decimal]]:
    return sorted(bands, key=lambda band: band[1], reverse=True)


def achieved_band(bands, prefix: str = "") -> Case:
    """The band of the plan's achievement so far (its kept tally), None before any score.

    `rating_band` in SQL: the band with the highest minimum at or below, as its
    index in `highest_first(bands)` (an integer groups faster than a name).
    """
    field = f"{prefix}result_tally__achievement__gte"
    return Case(
        *(
            When(**{field: minimum}, then=Value(index))
            for index, (_name, minimum) in enumerate(highest_first(bands))
        ),
        default=None,
        output_field=IntegerField(),
    )


@dataclass
class Tally:
    """Completion and bands of a group of officers."""

    officers: int = 0
    approved: int = 0
    results_in: int = 0
    assessed: int = 0
    total_sum: Decimal = Decimal(0)
    total_n: int = 0
    bands: Counter = field(default_factory=Counter)
    # Approved plans by the band of their achievement so far (the dashboard's
    # chart before anyone is assessed); people no longer active included.
    achieved: Counter = field(default_factory=Counter)

    def add(self, other: "Tally") -> None:
        self.officers += other.officers
        self.approved += other.approved
        self.results_in += other.results_in
        self.assessed += other.assessed
        self.total_sum += other.total_sum
        self.total_n += other.total_n
        # Most units hold no bands yet: skip Counter.update's work for nothing.
        if other.bands:
            self.bands.update(other.bands)
        if other.achieved:
            self.achieved.update(other.achieved)

    @property
    def mean(self) -> Decimal | None:
        """Mean total score of the completed appraisals (2 decimals), None without any."""
        if not self.total_n:
            return None
        return quantize2(self.total_sum / self.total_n)

    def percent(self, part: int) -> Decimal | None:
        """`part` as a percentage of the officers (2 decimals)."""
        if not self.officers:
            return None
        return quantize2(Decimal(part) * 100 / self.officers)


def _grouped_rows(round: Round, user, unit: Node | None, bands) -> list[tuple[bool, list]]:
    """[(closed, rows)], one grouped query per part of `closure_parts`; rows of (unit: id
    in an open part, code in a closed one, plan status, appraisal status, band, missing,
    achievement band index, active, n, sum of totals, count of totals)."""
    return [
        (closed, list(_part_rows(round, user, unit, bands, closed, part)))
        for closed, part in closure_parts(round)
    ]


def _part_rows(round: Round, user, unit: Node | None, bands, closed: bool, part):
    if not closed:
        # Everyone placed in the live tree counts, with or without a plan; people
        # no longer active count only in the plans' achievement.
        return (
            Node.objects.filter(node_scope(user, unit), part(""), kind=Kind.INDIVIDUAL)
            .annotate(rp=FilteredRelation("plans", condition=Q(plans__round=round)))
            .annotate(
                # The unit by id (no join for its code): direct_tallies names it.
                unit_key=F("parent_id"),
                missing=results_missing("rp__"),
                achieved=achieved_band(bands, "rp__"),
            )
            .values_list(
                "unit_key",
                "rp__status",
                "rp__appraisal__status",
                "rp__appraisal__band",
                "missing",
                "achieved",
                "is_active",
            )
            .annotate(
                n=Count("pk"),
                total_sum=Sum("rp__appraisal__total"),
                total_n=Count("rp__appraisal__total"),
            )
            .order_by()
        )
    # A closed round: the officers appraised in it, where they were at close.
    return (
        Plan.objects.filter(part("owner__"), round=round, owner__kind=Kind.INDIVIDUAL)
        .filter(plan_scope(round, user, unit))
        .annotate(
            unit_key=Case(
                When(appraisal__frozen_at__isnull=False, then=F("appraisal__unit_code")),
                default=F("owner__parent__code"),
            ),
            missing=results_missing(),
            achieved=achieved_band(bands),
            active=Value(True),
        )
        .values_list(
            "unit_key",
            "status",
            "appraisal__status",
            "appraisal__band",
            "missing",
            "achieved",
            "active",
        )
        .annotate(
            n=Count("pk"),
            total_sum=Sum("appraisal__total"),
            total_n=Count("appraisal__total"),
        )
        .order_by()
    )


def _unit_codes(rows, codes: dict[int, str] | None) -> dict[int, str]:
    """{unit id: code} for the units the rows of an open round name (a query for unknown ones)."""
    known = dict(codes or {})
    wanted = {row[0] for row in rows if row[0] is not None} - set(known)
    if wanted:
        known.update(Node.objects.filter(pk__in=wanted).values_list("pk", "code"))
    return known


def direct_tallies(
    round: Round, user, unit: Node | None = None, *, bands=None, codes=None
) -> dict[str, Tally]:
    """Tallies of the officers placed directly in each unit, by unit code.

    `bands` (round_bands) and `codes` ({unit id: code}) when the caller has them
    already; otherwise a query each.
    """
    bands = highest_first(bands if bands is not None else round_bands(round))
    rows = []
    for closed, part_rows in _grouped_rows(round, user, unit, bands):
        if not closed:
            by_id = _unit_codes(part_rows, codes)
            part_rows = [(by_id.get(row[0]), *row[1:]) for row in part_rows]
        rows.extend(part_rows)
    tallies: dict[str, Tally] = {}
    for code, plan_status, status, band, missing, achieved, active, n, total_sum, total_n in rows:
        tally = tallies.setdefault(code or "", Tally())
        if plan_status == Plan.Status.APPROVED and achieved is not None:
            tally.achieved[bands[achieved][0]] += n
        if not active:
            continue
        tally.officers += n
        if plan_status == Plan.Status.APPROVED:
            tally.approved += n
            if not missing:
                tally.results_in += n
        if status in ASSESSED:
            tally.assessed += n
            # SQLite sums decimals as floats; two decimals are all there is.
            tally.total_sum += quantize2(total_sum) if total_sum is not None else 0
            tally.total_n += total_n
            if band:
                tally.bands[band] += n
    return tallies


@dataclass
class UnitFigures:
    """One unit with its direct and subtree tallies."""

    pk: int
    parent_id: int | None
    code: str
    name: str
    kind: str
    level: int
    direct: Tally = field(default_factory=Tally)
    subtree: Tally = field(default_factory=Tally)


class FigureList(list):
    """unit_figures' list, with `achieved`: every plan in scope by achievement band."""

    achieved: Counter


def unit_figures(round: Round, user, unit: Node | None = None, *, bands=None) -> FigureList:
    """Every unit in scope (tree order) with its officers' figures, rolled up the tree.

    Two queries (three without `bands`). Officers placed in a unit outside the
    scope's units (which cannot happen for a subtree) are left out of the units
    rather than guessed; `achieved` counts them all.
    """
    units = FigureList(
        UnitFigures(pk, parent_id, code, name, kind, level)
        for pk, parent_id, code, name, kind, level in scope_units(user, unit).values_list(
            "pk", "parent_id", "code", "name", "kind", "level"
        )
    )
    units.achieved = Counter()
    by_pk = {u.pk: u for u in units}
    by_code = {u.code: u for u in units}
    codes = {u.pk: u.code for u in units}
    for code, tally in direct_tallies(round, user, unit, bands=bands, codes=codes).items():
        units.achieved.update(tally.achieved)
        home = by_code.get(code)
        if home is not None:
            home.direct.add(tally)
    # Tree order puts a unit before its children: backwards, each unit's subtree
    # is complete when it is added to its parent's (one addition per unit).
    for figure in reversed(units):
        figure.subtree.add(figure.direct)
        parent = by_pk.get(figure.parent_id)
        if parent is not None:
            parent.subtree.add(figure.subtree)
    return units


def band_names(round: Round, figures=(), *, bands=None) -> list[str]:
    """The round's band names, highest first, then any other names found in `figures`."""
    names = [name for name, _minimum in (bands if bands is not None else round_bands(round))]
    extra = set()
    for figure in figures:
        extra.update(figure.subtree.bands)
    return names + sorted(extra - set(names))


def achievement_distribution(
    round: Round, user, unit: Node | None = None, *, figures=None, bands=None
) -> list[tuple]:
    """(band, number of plans) of the officers' approved plans, by their achievement.

    Before anyone is assessed there are no rating bands yet, but results are
    in: each plan's achievement (0-100, a KPI without a score counts 0 and
    keeps its weight, as appraisals.scores does) placed in the round's bands.
    Counted with the unit figures (`figures`, from unit_figures, or computed
    here), from the plans' kept tallies (appraisals.tallies); plans without
    any score are left out. Bands highest first, every band listed (zero
    included).
    """
    if bands is None:
        bands = round_bands(round)
    if figures is None:
        figures = unit_figures(round, user, unit, bands=bands)
    return [(name, figures.achieved.get(name, 0)) for name, _minimum in highest_first(bands)]


# The official summary form's part 3 ------------------------------------------


@dataclass
class DevelopmentRow:
    """One item of the development plan (part 3 of the official summary form)."""

    what: str  # what to develop (ความรู้/ทักษะ/สมรรถนะที่ต้องได้รับการพัฒนา)
    method: str  # how (วิธีการพัฒนา)
    planned_hours: Decimal | None = None
    actual_hours: Decimal | None = None


def development_rows(appraisal: Appraisal | None) -> list[DevelopmentRow]:
    """The development plan items agreed for `appraisal`, in their order (one query).

    Part 3 of the official summary form: the hours planned and, once the
    assessor or the assessee has recorded them, the hours actually spent
    (None until then: the column stays for the hand).
    """
    if appraisal is None:
        return []
    methods = dict(DevelopmentMethod.choices)
    items = DevelopmentItem.objects.filter(appraisal=appraisal).values_list(
        "topic", "method", "planned_hours", "actual_hours"
    )
    return [
        DevelopmentRow(
            what=topic,
            method=str(methods.get(method, method)),
            planned_hours=Decimal(hours) if hours is not None else None,
            actual_hours=Decimal(actual) if actual is not None else None,
        )
        for topic, method, hours, actual in items
    ]


def unit_plan_achievements(round: Round, user, unit: Node | None = None) -> dict[str, Decimal]:
    """The achievement (0-100) of each unit's own plan in scope, by unit code. One query.

    A unit's plan (its head holds it) is scored like a person's, in the
    round's scoring mode, and its achievement is stored on its appraisal by
    appraisals.scores (frozen at close). A unit whose plan has no result yet
    is left out.
    """
    rows = (
        Plan.objects.filter(node_scope(user, unit, "owner__"), round=round)
        .exclude(owner__kind=Kind.INDIVIDUAL)
        .filter(appraisal__achievement__isnull=False)
        .values_list("owner__code", "appraisal__achievement")
    )
    return {code: quantize2(value) for code, value in rows}
