"""The audit trail of the scoring rules: what changed in a policy or the expected levels.

policy_save and expected_levels_save record a PolicyChange (who, when, each
changed setting with its old and new value, in plain text) inside their
transaction; the policy and expected-level pages show the latest ones.
"""

from django.utils.translation import gettext as _

from appraisals.models import PolicyChange, ScoringPolicy
from indicators.history import diff, person_name, plain
from orgchart.models import StaffType

SHOWN = 20  # changes listed on a page


def policy_snapshot(policy: ScoringPolicy) -> dict[str, str]:
    """The policy's settings as text, keyed for change_rows (two queries)."""
    settings = {
        "method": policy.method,
        "floor": str(policy.floor),
        "published": "1" if policy.scores_published else "0",
        "bands": ", ".join(
            f"{band.name} {plain(band.minimum)}" for band in policy.bands.order_by("-minimum")
        ),
    }
    for weight in policy.weights.all():
        parts = (weight.achievement, weight.competency, weight.other)
        settings[f"weights|{weight.staff_type}"] = "/".join(plain(part) for part in parts)
    return settings


def differences(before: dict, after: dict) -> list[list]:
    """[key, old, new] for every setting that changed (indicators.history.diff, as rows)."""
    return [[key, *pair] for key, pair in diff(before, after).items()]


def policy_change_record(*, round=None, subject: str, changes: list, by) -> PolicyChange | None:
    """Keep a change (nothing when nothing changed)."""
    if not changes:
        return None
    who = by if getattr(by, "is_authenticated", False) else None
    return PolicyChange.objects.create(round=round, subject=subject, changes=changes, by=who)


def recent_changes(*, round=None, subject: str) -> list[tuple[PolicyChange, list]]:
    """The latest changes of a round's policy, or of the expected levels, with their rows.

    One query; each change knows who made it (`who`), by their name in the tree.
    """
    changes = PolicyChange.objects.filter(subject=subject).select_related("by__node")
    if round is not None:
        changes = changes.filter(round=round)
    shown = []
    for change in changes[:SHOWN]:
        change.who = person_name(change.by)
        shown.append((change, change_rows(change)))
    return shown


def change_rows(change: PolicyChange) -> list[tuple[str, str, str]]:
    """(what, old, new) of each setting in a change, as a person reads them."""
    return [(_label(key), _value(key, old), _value(key, new)) for key, old, new in change.changes]


def _label(key: str) -> str:
    fields = ScoringPolicy._meta
    if key == "method":
        return str(fields.get_field("method").verbose_name)
    if key == "floor":
        return str(fields.get_field("floor").verbose_name)
    if key == "published":
        return str(fields.get_field("scores_published").verbose_name)
    if key == "bands":
        return _("ระดับผลการประเมินและคะแนนขั้นต่ำ")
    kind, _sep, rest = key.partition("|")
    if kind == "weights":
        staff_type = dict(StaffType.choices).get(rest, rest)
        return _("น้ำหนัก ผลสัมฤทธิ์/สมรรถนะ/อื่น ๆ ของ%(type)s") % {"type": staff_type}
    if kind == "expected":
        competency, _sep, position_level = rest.partition("|")
        return _("%(competency)s ระดับตำแหน่ง%(level)s") % {
            "competency": competency,
            "level": position_level,
        }
    return key


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "–"
    if key == "method":
        return str(dict(ScoringPolicy.Method.choices).get(value, value))
    if key == "published":
        return _("ใช่") if value == "1" else _("ไม่ใช่")
    return str(value)
