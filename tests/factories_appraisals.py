"""Test data for appraisals: approved plans built straight with the ORM, and files.

Plans are made here directly (status approved, a KRA, KPIs with levels and
weights) so these tests do not depend on the plan services of indicators.
"""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.models import KPI, KRA, Plan, Round

# (code, scale, levels, weight): DOMAIN.md's worked examples.
WORKED_EXAMPLE = (
    ("K1", "higher", (65, 70, 75, 80, 85), 40),
    ("K2", "lower", (None, 35, 30, 25, 20), 35),
    ("K3", "milestone", ("ขั้น 1", "ขั้น 2", "ขั้น 3", "ขั้น 4", "ขั้น 5"), 25),
)


def set_status(the_round: Round, status: str = Round.Status.TRACKING) -> Round:
    the_round.status = status
    the_round.save(update_fields=["status"])
    return the_round


def make_kpi(plan: Plan, kra: KRA, code: str, scale: str, levels, weight, order=0) -> KPI:
    fields = {}
    if scale == KPI.Scale.MILESTONE:
        fields = {f"milestone_{n}": text for n, text in enumerate(levels, start=1)}
    else:
        fields = {
            f"level_{n}": None if value is None else Decimal(str(value))
            for n, value in enumerate(levels, start=1)
        }
    return KPI.objects.create(
        round=plan.round,
        plan=plan,
        kra=kra,
        code=code,
        name=f"ตัวชี้วัด {code}",
        unit="ร้อยละ",
        scale=scale,
        weight=Decimal(str(weight)),
        order=order,
        **fields,
    )


def make_plan(owner, the_round: Round, specs=WORKED_EXAMPLE, *, status=Plan.Status.APPROVED):
    """A plan of `owner` with one KRA holding KPIs made from `specs`."""
    plan = Plan.objects.create(owner=owner, round=the_round, status=status)
    kra = KRA.objects.create(plan=plan, job="งานติดตามผล", name="ผลสัมฤทธิ์หลักทดสอบ")
    prefix = owner.code.replace("-", "")
    for order, (code, scale, levels, weight) in enumerate(specs):
        make_kpi(plan, kra, f"{prefix}-{code}", scale, levels, weight, order)
    return plan


def many_kpis(count: int):
    """`count` higher-is-better KPIs whose weights add up to 100."""
    weights = [Decimal(100) / count] * count
    weights = [w.quantize(Decimal("0.01")) for w in weights]
    weights[-1] += Decimal(100) - sum(weights)
    return [(f"M{n}", "higher", (10, 20, 30, 40, 50), w) for n, w in enumerate(weights)]


def kpi(plan: Plan, suffix: str) -> KPI:
    return plan.kpis.get(code__endswith=f"-{suffix}")


# Files: real first bytes of each type.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office_bytes(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def upload(name: str, content: bytes = PDF, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def private_media(settings, tmp_path):
    """Evidence goes to a temporary PRIVATE_MEDIA_ROOT."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def tracking(the_round) -> Round:
    """The standard round, moved on to tracking (results accepted)."""
    return set_status(the_round, Round.Status.TRACKING)
