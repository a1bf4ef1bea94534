"""Seed the five core competencies and the default expected levels (DOMAIN.md)."""

from django.db import migrations

# A copy of appraisals.competencies at the time of writing: migrations must
# not change when the code does.
CORE_COMPETENCIES = (
    ("achievement", "การมุ่งผลสัมฤทธิ์"),
    ("service", "บริการที่ดี"),
    ("expertise", "การสั่งสมความเชี่ยวชาญในงานอาชีพ"),
    ("integrity", "การยึดมั่นในความถูกต้องชอบธรรมและจริยธรรม"),
    ("teamwork", "การทำงานเป็นทีม"),
)
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


def seed(apps, schema_editor):
    Competency = apps.get_model("appraisals", "Competency")
    ExpectedLevel = apps.get_model("appraisals", "ExpectedLevel")
    for order, (code, name) in enumerate(CORE_COMPETENCIES, start=1):
        competency, _created = Competency.objects.get_or_create(
            code=code, defaults={"name": name, "order": order}
        )
        for position_level, level in DEFAULT_EXPECTED.items():
            ExpectedLevel.objects.get_or_create(
                competency=competency, position_level=position_level, defaults={"level": level}
            )


def unseed(apps, schema_editor):
    Competency = apps.get_model("appraisals", "Competency")
    ExpectedLevel = apps.get_model("appraisals", "ExpectedLevel")
    CompetencyRating = apps.get_model("appraisals", "CompetencyRating")
    codes = [code for code, _name in CORE_COMPETENCIES]
    used = CompetencyRating.objects.values_list("competency_id", flat=True)
    ExpectedLevel.objects.filter(competency__code__in=codes).delete()
    Competency.objects.filter(code__in=codes).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("appraisals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
