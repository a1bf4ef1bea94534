"""The scoring policy of a round: defaults from DOMAIN.md, edited by HR.

Policies are per round, and rounds are global: HR staff (of any department)
and administrators edit them until the round closes. Every save recomputes
the round's stored scores (appraisals.scores.round_rescore).
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from appraisals.models import ComponentWeight, PolicyChange, RatingBand, ScoringPolicy
from appraisals.policy_log import differences, policy_change_record, policy_snapshot
from appraisals.scores import Rules, round_rescore
from appraisals.scoring import DEFAULT_BANDS
from indicators.models import Round
from orgchart.models import StaffType

DEFAULT_WEIGHTS = (Decimal(70), Decimal(30), Decimal(0))
HUNDRED = Decimal(100)

Weights = tuple[Decimal, Decimal, Decimal]


def parse_weights(text: str) -> Weights:
    """'70/30' or '70/30/0' -> three Decimals adding up to 100."""
    try:
        parts = [Decimal(part.strip()) for part in text.split("/")]
    except ArithmeticError:
        parts = []
    if len(parts) == 2:
        parts.append(Decimal(0))
    # NaN and infinities cannot be compared or stored; weights are stored with
    # two decimals, so a third one would be rounded away (and the sum with it).
    if (
        len(parts) != 3
        or any(not p.is_finite() or p < 0 or p.normalize().as_tuple().exponent < -2 for p in parts)
        or sum(parts) != 100
    ):
        raise ValidationError(
            _("น้ำหนักต้องอยู่ในรูป 70/30 หรือ 70/30/0 และรวมกันได้ 100 (ได้รับ: %(text)s)") % {"text": text}
        )
    return parts[0], parts[1], parts[2]


def policy_for(the_round: Round) -> ScoringPolicy:
    """The round's policy, created with the defaults on first use."""
    policy, created = ScoringPolicy.objects.get_or_create(round=the_round)
    if created:
        achievement, competency, other = DEFAULT_WEIGHTS
        ComponentWeight.objects.bulk_create(
            ComponentWeight(
                policy=policy,
                staff_type=staff_type,
                achievement=achievement,
                competency=competency,
                other=other,
            )
            for staff_type in StaffType.values
        )
        RatingBand.objects.bulk_create(
            RatingBand(policy=policy, name=name, minimum=minimum) for name, minimum in DEFAULT_BANDS
        )
    return policy


def rules_for(the_round: Round) -> Rules:
    """The round's policy as plain values (three queries, or a few more on first use)."""
    policy = policy_for(the_round)
    weights = {
        row.staff_type: (row.achievement, row.competency, row.other)
        for row in ComponentWeight.objects.filter(policy=policy)
    }
    bands = tuple((band.name, band.minimum) for band in RatingBand.objects.filter(policy=policy))
    return Rules(
        method=policy.method,
        floor=policy.floor,
        published=policy.scores_published,
        weights=weights,
        bands=bands or DEFAULT_BANDS,
    )


def check_weights(weights: Mapping[str, Weights]) -> None:
    """Each staff type's weights are not negative and add up to exactly 100."""
    errors = []
    for staff_type, row in weights.items():
        label = StaffType(staff_type).label if staff_type in StaffType.values else staff_type
        if len(row) != 3 or any(part is None or part < 0 for part in row):
            errors.append(_("น้ำหนักของ%(type)s ต้องไม่ติดลบ") % {"type": label})
        elif sum(row) != HUNDRED:
            errors.append(
                _("น้ำหนักของ%(type)s รวมกันต้องได้ 100 (ได้ %(sum)s)") % {"type": label, "sum": sum(row)}
            )
    if errors:
        raise ValidationError(errors)


def check_bands(bands: Sequence[tuple[str, Decimal]]) -> None:
    """Bands have names, distinct minimums within 0..100, and one starts at 0."""
    errors = []
    if not bands:
        errors.append(_("ต้องมีระดับผลการประเมินอย่างน้อยหนึ่งระดับ"))
    names = [name.strip() for name, _minimum in bands]
    minimums = [minimum for _name, minimum in bands]
    if any(not name for name in names):
        errors.append(_("ระดับผลการประเมินทุกระดับต้องมีชื่อ"))
    if len(set(names)) != len(names):
        errors.append(_("ชื่อระดับผลการประเมินต้องไม่ซ้ำกัน"))
    if any(minimum is None or not 0 <= minimum <= HUNDRED for minimum in minimums):
        errors.append(_("คะแนนขั้นต่ำของแต่ละระดับต้องอยู่ระหว่าง 0 ถึง 100"))
    elif len(set(minimums)) != len(minimums):
        errors.append(_("คะแนนขั้นต่ำของแต่ละระดับต้องไม่ซ้ำกัน"))
    elif bands and min(minimums) != 0:
        errors.append(_("ต้องมีระดับที่เริ่มต้นที่ 0 คะแนน เพื่อให้ทุกคะแนนมีระดับผลการประเมิน"))
    if errors:
        raise ValidationError(errors)


def policy_save(
    *,
    round: Round,
    method: str | None = None,
    floor: int | None = None,
    weights: Weights | None = None,
    staff_type: str | None = None,
    weights_by_type: Mapping[str, Weights] | None = None,
    bands: Sequence[tuple[str, Decimal]] | None = None,
    published: bool | None = None,
    by=None,
) -> ScoringPolicy:
    """Change a round's scoring policy while the round is open, and rescore the round.

    `weights` apply to `staff_type`, or to every staff type when it is None;
    `weights_by_type` sets each listed staff type's own weights. `bands`
    replaces the rating bands. Arguments left None keep their value.
    """
    if weights is not None:
        check_weights({staff_type or StaffType.CIVIL_SERVANT: weights})
    if weights_by_type:
        check_weights(weights_by_type)
    if bands is not None:
        check_bands(bands)
    with transaction.atomic():
        the_round = Round.objects.select_for_update().get(pk=round.pk)
        if the_round.is_closed:
            raise ValidationError(_("รอบ %(code)s ปิดแล้ว แก้ไขไม่ได้") % {"code": the_round.code})
        policy = policy_for(the_round)
        before = policy_snapshot(policy)
        if method is not None:
            policy.method = method
        if floor is not None:
            policy.floor = floor
        if published is not None:
            policy.scores_published = published
        policy.full_clean(exclude=["round"])
        policy.save()
        if weights is not None:
            rows = policy.weights.all()
            if staff_type is not None:
                rows = rows.filter(staff_type=staff_type)
            rows.update(achievement=weights[0], competency=weights[1], other=weights[2])
        for type_, (achievement, competency, other) in (weights_by_type or {}).items():
            ComponentWeight.objects.update_or_create(
                policy=policy,
                staff_type=type_,
                defaults={"achievement": achievement, "competency": competency, "other": other},
            )
        if bands is not None:
            policy.bands.all().delete()
            RatingBand.objects.bulk_create(
                RatingBand(policy=policy, name=name.strip(), minimum=minimum)
                for name, minimum in bands
            )
        changes = differences(before, policy_snapshot(policy))
        policy_change_record(
            round=the_round, subject=PolicyChange.Subject.POLICY, changes=changes, by=by
        )
        round_rescore(the_round, rules_for(the_round))
    return policy
