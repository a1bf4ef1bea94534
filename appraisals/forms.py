"""Forms of the appraisals pages: they read the input; the services check the rules."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from appraisals.models import Appraisal, ScoringPolicy
from orgchart.models import StaffType

BAND_ROWS_EXTRA = 2


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (type and size are checked by appraisals.evidence)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ResultForm(forms.Form):
    """One KPI's result: values stay text here so the service reports every mistake."""

    actual = forms.CharField(label=_("ผลการดำเนินงาน"), required=False, max_length=64)
    milestones_done = forms.CharField(label=_("ขั้นตอนที่สำเร็จ"), required=False, max_length=8)
    note = forms.CharField(
        label=_("หมายเหตุ/หลักฐาน"), required=False, max_length=5000, widget=forms.Textarea
    )
    evidence = MultipleFileField(label=_("ไฟล์หลักฐาน"), required=False)
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(label=_("ไฟล์หลักฐาน"), required=True)


class SelfAssessForm(forms.Form):
    comment = forms.CharField(
        label=_("ความเห็นของผู้รับการประเมิน"), required=False, max_length=5000, widget=forms.Textarea
    )


class AssessmentForm(forms.Form):
    """Levels and reasons per KPI, observed levels per competency, as posted."""

    other = forms.CharField(label=_("องค์ประกอบอื่น (0-100)"), required=False, max_length=16)
    comment = forms.CharField(
        label=_("ความเห็นของผู้ประเมิน"), required=False, max_length=5000, widget=forms.Textarea
    )

    def __init__(self, *args, kpi_ids=(), competency_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_ids, self.competency_ids = list(kpi_ids), list(competency_ids)
        for pk in self.kpi_ids:
            self.fields[f"level_{pk}"] = forms.CharField(required=False, max_length=4)
            self.fields[f"reason_{pk}"] = forms.CharField(required=False, max_length=5000)
        for pk in self.competency_ids:
            self.fields[f"rating_{pk}"] = forms.CharField(required=False, max_length=4)

    def levels(self) -> dict:
        return {pk: self.cleaned_data.get(f"level_{pk}") or None for pk in self.kpi_ids}

    def reasons(self) -> dict:
        return {pk: self.cleaned_data.get(f"reason_{pk}", "") for pk in self.kpi_ids}

    def ratings(self) -> dict:
        return {pk: self.cleaned_data.get(f"rating_{pk}") or None for pk in self.competency_ids}


class RefusalForm(forms.Form):
    shown_on = forms.DateField(
        label=_("วันที่แจ้งผลการประเมิน"), widget=forms.DateInput(attrs={"type": "date"})
    )
    witness = forms.CharField(label=_("พยาน (ชื่อและตำแหน่ง)"), max_length=255)


class ReviewForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("ความเห็น"),
        choices=Appraisal.Opinion.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("กรุณาเลือกความเห็น: เห็นด้วย หรือมีความเห็นต่าง")},
    )
    comment = forms.CharField(
        label=_("ความเห็นเพิ่มเติม"), required=False, max_length=5000, widget=forms.Textarea
    )


def _percent_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(min_value=0, max_value=100, max_digits=5, decimal_places=2, **kwargs)


class PolicyForm(forms.Form):
    """A round's policy: method, floor, published, weights per staff type, rating bands."""

    method = forms.ChoiceField(label=_("วิธีคิดคะแนน"), choices=ScoringPolicy.Method.choices)
    floor = forms.TypedChoiceField(
        label=_("คะแนนเมื่อต่ำกว่าระดับ 1 (แบบเทียบสัดส่วน)"),
        choices=[(0, "0"), (1, "1")],
        coerce=int,
    )
    scores_published = forms.BooleanField(label=_("เผยแพร่คะแนนให้ผู้รับการประเมินเห็น"), required=False)

    PARTS = ("achievement", "competency", "other")
    PART_LABELS = (_("ผลสัมฤทธิ์ของงาน"), _("สมรรถนะ"), _("องค์ประกอบอื่น"))

    def __init__(self, *args, band_rows: int = 5, **kwargs):
        super().__init__(*args, **kwargs)
        part_labels = dict(zip(self.PARTS, self.PART_LABELS, strict=True))
        for staff_type, type_label in StaffType.choices:
            for part in self.PARTS:
                self.fields[f"w_{staff_type}_{part}"] = _percent_field(
                    label=f"{type_label}: {part_labels[part]}"
                )
        self.band_rows = band_rows + BAND_ROWS_EXTRA
        for index in range(self.band_rows):
            self.fields[f"band_name_{index}"] = forms.CharField(required=False, max_length=64)
            self.fields[f"band_min_{index}"] = _percent_field(required=False)

    @classmethod
    def initial_for(cls, policy: ScoringPolicy) -> dict:
        initial = {
            "method": policy.method,
            "floor": policy.floor,
            "scores_published": policy.scores_published,
        }
        for row in policy.weights.all():
            for part in cls.PARTS:
                initial[f"w_{row.staff_type}_{part}"] = getattr(row, part)
        for index, band in enumerate(policy.bands.all()):
            initial[f"band_name_{index}"] = band.name
            initial[f"band_min_{index}"] = band.minimum
        return initial

    def weight_rows(self) -> list[tuple[str, list]]:
        """(staff type label, its three bound fields) for the template."""
        return [
            (label, [self[f"w_{value}_{part}"] for part in self.PARTS])
            for value, label in StaffType.choices
        ]

    def band_fields(self) -> list[tuple]:
        return [
            (self[f"band_name_{index}"], self[f"band_min_{index}"])
            for index in range(self.band_rows)
        ]

    def clean(self):
        data = super().clean()
        for index in range(self.band_rows):
            name = (data.get(f"band_name_{index}") or "").strip()
            minimum = data.get(f"band_min_{index}")
            if bool(name) != (minimum is not None) and f"band_min_{index}" not in self.errors:
                self.add_error(f"band_name_{index}", _("ระบุทั้งชื่อระดับและคะแนนขั้นต่ำ หรือเว้นว่างทั้งคู่"))
        return data

    def weights_by_type(self) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
        data = self.cleaned_data
        return {
            staff_type: tuple(data[f"w_{staff_type}_{part}"] for part in self.PARTS)
            for staff_type in StaffType.values
        }

    def bands(self) -> list[tuple[str, Decimal]]:
        data = self.cleaned_data
        rows = []
        for index in range(self.band_rows):
            name = (data.get(f"band_name_{index}") or "").strip()
            if name:
                rows.append((name, data[f"band_min_{index}"]))
        return rows


class ExpectedLevelsForm(forms.Form):
    """Expected level (1-5) of each competency for each position level, plus a new row.

    Each row carries its position level's name (`pl_<row>`), so a level added
    by someone else between loading and saving cannot shift the rows.
    """

    MAX_ROWS = 200
    LEVELS = [(level, str(level)) for level in range(1, 6)]

    new_position_level = forms.CharField(label=_("เพิ่มระดับตำแหน่ง"), required=False, max_length=64)

    def __init__(self, *args, position_levels=(), competencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.competencies = list(competencies)
        rows = len(position_levels)
        if self.is_bound:
            posted = str(self.data.get("rows", "")).strip()
            rows = min(int(posted), self.MAX_ROWS) if posted.isdigit() else 0
        self.rows = rows
        for row in range(rows):
            self.fields[f"pl_{row}"] = forms.CharField(
                required=False, max_length=64, widget=forms.HiddenInput
            )
            if not self.is_bound:
                self.initial.setdefault(f"pl_{row}", position_levels[row])
            for competency in self.competencies:
                self.fields[f"e_{row}_{competency.pk}"] = forms.TypedChoiceField(
                    choices=self.LEVELS, coerce=int, required=False, empty_value=None
                )
        for competency in self.competencies:
            self.fields[f"new_{competency.pk}"] = forms.TypedChoiceField(
                choices=self.LEVELS, coerce=int, required=False, empty_value=None
            )

    def table(self) -> list[tuple]:
        """(position level name, its hidden field, its competency fields) for the template."""
        return [
            (
                self[f"pl_{row}"].value(),
                self[f"pl_{row}"],
                [self[f"e_{row}_{c.pk}"] for c in self.competencies],
            )
            for row in range(self.rows)
        ]

    def new_row(self) -> list:
        return [self[f"new_{c.pk}"] for c in self.competencies]

    def levels(self) -> dict[tuple[int, str], int]:
        data = self.cleaned_data
        levels = {}
        for row in range(self.rows):
            name = " ".join((data.get(f"pl_{row}") or "").split())
            for competency in self.competencies:
                value = data.get(f"e_{row}_{competency.pk}")
                if name and value is not None:
                    levels[(competency.pk, name)] = value
        new = " ".join((data.get("new_position_level") or "").split())
        if new:
            for competency in self.competencies:
                levels[(competency.pk, new)] = data.get(f"new_{competency.pk}") or 1
        return levels
