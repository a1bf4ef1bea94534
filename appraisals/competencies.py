"""Core competencies (สมรรถนะหลัก): expected levels by position level, bar-scale scoring.

DOMAIN.md: every civil servant is rated on the five core competencies. Each
has an expected level (1-5) set by position level, which HR edits; the
assessor records the observed level; the bar scale turns (expected, observed)
into 0-3 points (appraisals.scoring.competency_percent).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appraisals.models import Competency, CompetencyRating, ExpectedLevel, PolicyChange
from appraisals.policy_log import policy_change_record
from appraisals.scoring import competency_bar_score
from indicators.models import Round
from orgchart.models import Kind, Node

# The five core competencies, in the order of the official form. The data
# migration 0002_core_competencies seeds them (with a copy of this table).
CORE_COMPETENCIES = (
    ("achievement", "การมุ่งผลสัมฤทธิ์"),
    ("service", "บริการที่ดี"),
    ("expertise", "การสั่งสมความเชี่ยวชาญในงานอาชีพ"),
    ("integrity", "การยึดมั่นในความถูกต้องชอบธรรมและจริยธรรม"),
    ("teamwork", "การทำงานเป็นทีม"),
)

# Expected level of every core competency by position level, unless HR sets
# another: academic positions (ปฏิบัติการ..ทรงคุณวุฒิ) and general ones
# (ปฏิบัติงาน..อาวุโส).
DEFAULT_EXPECTED = {
    "ปฏิบัติการ": 1,
    "ชำนาญการ": 2,
    "ชำนาญการพิเศษ": 3,
    "เชี่ยวชาญ": 4,
    "ทรงคุณวุฒิ": 5,
    "ปฏิบัติงาน": 1,
    "ชำนาญงาน": 2,
    "อาวุโส": 3,
}
# A position level nobody configured (or none at all) expects the first level.
UNKNOWN_EXPECTED = 1


def clean_position_level(text: str | None) -> str:
    """Position levels are matched after stripping and collapsing spaces."""
    return " ".join((text or "").split())


def default_expected(position_level: str | None) -> int:
    return DEFAULT_EXPECTED.get(clean_position_level(position_level), UNKNOWN_EXPECTED)


def core_competencies() -> list[Competency]:
    return list(Competency.objects.order_by("order", "pk"))


def expected_table(position_levels: Iterable[str]) -> dict[tuple[int, str], int]:
    """{(competency id, position level): expected level} for the given levels (one query).

    Missing pairs are not in the dict: use `expected_level` to apply defaults.
    """
    levels = {clean_position_level(level) for level in position_levels}
    rows = ExpectedLevel.objects.filter(position_level__in=levels).values_list(
        "competency_id", "position_level", "level"
    )
    return {(competency_id, level): value for competency_id, level, value in rows}


def expected_level(table: Mapping, competency_id: int, position_level: str | None) -> int:
    key = (competency_id, clean_position_level(position_level))
    return table.get(key, default_expected(position_level))


@dataclass
class CompetencyRow:
    competency: Competency
    expected: int
    observed: int | None

    @property
    def points(self) -> int | None:
        """Bar-scale points (0-3), once the level is observed."""
        if self.observed is None:
            return None
        return competency_bar_score(self.expected, self.observed)


def competency_rows(appraisal, owner: Node) -> list[CompetencyRow]:
    """Each core competency with the expected and (when rated) observed level.

    A rating keeps the expected level it was given with, so a closed round
    shows what was assessed; unrated competencies show today's expectation.
    """
    competencies = core_competencies()
    table = expected_table([owner.position_level])
    ratings = {}
    if appraisal is not None and appraisal.pk:
        ratings = {rating.competency_id: rating for rating in appraisal.ratings.all()}
    rows = []
    for competency in competencies:
        rating = ratings.get(competency.pk)
        if rating is not None:
            rows.append(CompetencyRow(competency, rating.expected, rating.observed))
        else:
            expected = expected_level(table, competency.pk, owner.position_level)
            rows.append(CompetencyRow(competency, expected, None))
    return rows


def known_position_levels() -> list[str]:
    """Position levels HR may set expectations for: the defaults, saved ones, the tree's."""
    levels = list(DEFAULT_EXPECTED)
    seen = set(levels)
    extra = set(ExpectedLevel.objects.values_list("position_level", flat=True))
    extra |= {
        clean_position_level(level)
        for level in Node.objects.filter(kind=Kind.INDIVIDUAL)
        .exclude(position_level="")
        .values_list("position_level", flat=True)
        .distinct()
    }
    levels.extend(sorted(level for level in extra if level and level not in seen))
    return levels


def expected_levels_save(*, levels: Mapping[tuple[int, str], int], by) -> int:
    """Set expected levels {(competency id, position level): level}; returns how many changed.

    Ratings in rounds that are still open take the new expectation and those
    rounds are rescored; closed rounds keep what they were assessed against.
    """
    from appraisals.services import policy_rescore  # services use this module

    errors = []
    cleaned = {}
    known = dict(Competency.objects.values_list("pk", "name"))
    for (competency_id, position_level), level in levels.items():
        name = clean_position_level(position_level)
        if not name or competency_id not in known:
            continue
        if not isinstance(level, int) or not 1 <= level <= 5:
            errors.append(_("ระดับที่คาดหวังของ %(level_name)s ต้องเป็น 1 ถึง 5") % {"level_name": name})
            continue
        cleaned[(competency_id, name)] = level
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = {
            (row.competency_id, row.position_level): row
            for row in ExpectedLevel.objects.select_for_update().filter(
                position_level__in={name for _pk, name in cleaned}
            )
        }
        to_create, to_update, log = [], [], []
        for (competency_id, name), level in cleaned.items():
            row = current.get((competency_id, name))
            old = row.level if row is not None else default_expected(name)
            if row is None:
                to_create.append(
                    ExpectedLevel(competency_id=competency_id, position_level=name, level=level)
                )
            elif row.level != level:
                row.level = level
                to_update.append(row)
            if old != level:
                log.append([f"expected|{known[competency_id]}|{name}", str(old), str(level)])
        ExpectedLevel.objects.bulk_create(to_create)
        ExpectedLevel.objects.bulk_update(to_update, ["level"])
        changed = len(to_create) + len(to_update)
        policy_change_record(subject=PolicyChange.Subject.EXPECTED, changes=log, by=by)
        if changed:
            for the_round in _refresh_open_ratings():
                policy_rescore(round=the_round)
    return changed


def _refresh_open_ratings() -> list[Round]:
    """Give ratings of open rounds today's expected levels; the rounds that changed."""
    ratings = list(
        CompetencyRating.objects.exclude(
            appraisal__plan__round__status=Round.Status.CLOSED
        ).select_related("appraisal__plan__round", "appraisal__plan__owner")
    )
    # A department the round is closed for keeps its ratings as they were.
    ratings = [rating for rating in ratings if not rating.appraisal.plan.round_closed]
    table = expected_table(rating.appraisal.plan.owner.position_level for rating in ratings)
    changed, rounds = [], {}
    for rating in ratings:
        owner = rating.appraisal.plan.owner
        expected = expected_level(table, rating.competency_id, owner.position_level)
        if expected != rating.expected:
            rating.expected = expected
            changed.append(rating)
            the_round = rating.appraisal.plan.round
            rounds[the_round.pk] = the_round
    CompetencyRating.objects.bulk_update(changed, ["expected"])
    return list(rounds.values())
