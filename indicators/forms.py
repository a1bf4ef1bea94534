"""Forms of the plan pages: they check the shape of the input; the services check the rules."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.content import KPI_FIELDS, LEVEL_FIELDS, MILESTONE_FIELDS
from indicators.models import KPI, KRA, Plan, Round
from indicators.rounds import NEXT_STATUS, parse_round_code
from kpi_portal.be_dates import BEDateField
from orgchart.models import Kind, Node

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (the hidden version gets the class htmx updates)."""
    for name, field in form.fields.items():
        widget = field.widget
        if name == "version":
            css = "plan-version"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select form-select-sm"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control form-control-sm"
        classes = widget.attrs.get("class", "").split()
        widget.attrs["class"] = " ".join([*classes, *(c for c in css.split() if c not in classes)])


def as_entered(value):
    """60.0000 -> "60", 12.5000 -> "12.5": a Decimal from the database as a person typed it."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


class VersionForm(forms.Form):
    """The plan's version as the user loaded it: every form on a plan page carries it."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def full_clean(self):
        super().full_clean()
        if "version" in self.errors:
            # A hidden field: say what to do rather than "this field is required".
            self.errors.pop("version")
            self.add_error(None, _("ข้อมูลในหน้านี้ไม่ครบ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง"))


class LevelField(forms.DecimalField):
    """A target number: Thai digits and thousands separators are accepted."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(THAI_DIGITS).replace(",", "").strip()
        return super().to_python(value)


class KRAForm(VersionForm):
    job = forms.CharField(label=_("งาน/โครงการ"), max_length=500)
    name = forms.CharField(label=_("ผลสัมฤทธิ์หลัก (KRA)"), max_length=1000)


class KPIForm(VersionForm):
    """A KPI's fields, from the model; a KPI set by the supervisor gets the weight only."""

    def __init__(self, *args, plan: Plan, kpi: KPI | None = None, **kwargs):
        if kpi is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                f: as_entered(getattr(kpi, f"{f}_id" if f in ("kra", "overseer") else f))
                for f in KPI_FIELDS
            }
        super().__init__(*args, **kwargs)
        self.plan, self.kpi = plan, kpi
        self.weight_only = kpi is not None and kpi.set_by_supervisor
        names = ("weight",) if self.weight_only else KPI_FIELDS
        fields = forms.fields_for_model(KPI, fields=[n for n in names if n not in LEVEL_FIELDS])
        for name in names:
            if name in LEVEL_FIELDS:
                level = name[-1]
                fields[name] = LevelField(
                    label=_("ระดับ %(level)s") % {"level": level},
                    required=False,
                    max_digits=18,
                    decimal_places=4,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
        if "kra" in fields:
            fields["kra"].queryset = KRA.objects.filter(plan=plan)
            fields["kra"].empty_label = None
            fields["kra"].label = _("ผลสัมฤทธิ์หลัก (KRA)")
        if "overseer" in fields:
            if plan.owner.is_unit:
                owner = plan.owner
                fields["overseer"].queryset = Node.objects.filter(
                    kind=Kind.INDIVIDUAL,
                    is_active=True,
                    tree_id=owner.tree_id,
                    lft__gt=owner.lft,
                    lft__lt=owner.rght,
                ).order_by("lft")
            else:
                del fields["overseer"]
        if "code" in fields:
            fields["code"].required = False
            fields["code"].help_text = _("เว้นว่างไว้ ระบบจะกำหนดรหัสให้")
        if "method" in fields:
            fields["method"].widget = forms.Textarea(attrs={"rows": 2})
        fields["weight"].widget.attrs.update({"min": "0", "max": "100", "step": "any"})
        for name in (*MILESTONE_FIELDS, "code"):
            if name in fields:
                fields[name].required = False
        self.fields.update((name, fields[name]) for name in names if name in fields)
        style_fields(self)

    def clean_weight(self):
        weight = self.cleaned_data.get("weight")
        if weight is not None and not 0 <= weight <= 100:
            raise ValidationError(_("น้ำหนักต้องอยู่ระหว่าง 0 ถึง 100"))
        return weight

    @property
    def data_for_service(self) -> dict:
        """The cleaned values that kpi_save takes (the version is passed apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name in KPI_FIELDS}

    def numeric_fields(self):
        return [self[name] for name in LEVEL_FIELDS if name in self.fields]

    def milestone_fields(self):
        return [self[name] for name in MILESTONE_FIELDS if name in self.fields]


class ReturnForm(VersionForm):
    comment = forms.CharField(
        label=_("สิ่งที่ต้องแก้ไข"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("กรุณาระบุเหตุผลหรือสิ่งที่ต้องแก้ไขก่อนส่งกลับ")},
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("เหตุผลที่ขอเปิดแผนใหม่"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("กรุณาระบุเหตุผลที่ขอเปิดแผนใหม่")},
    )


class MoveForm(VersionForm):
    direction = forms.ChoiceField(choices=[("up", _("ขึ้น")), ("down", _("ลง"))])


class BulkApproveForm(forms.Form):
    """Ticked plans arrive as "pk:version", so a plan changed since the page loaded is refused."""

    def clean(self):
        versions = {}
        for value in self.data.getlist("plans"):
            try:
                pk, version = (int(part) for part in value.split(":"))
            except ValueError:
                raise ValidationError(_("ข้อมูลไม่ถูกต้อง กรุณาโหลดหน้าใหม่")) from None
            versions[pk] = version
        if not versions:
            raise ValidationError(_("กรุณาเลือกแผนที่จะอนุมัติอย่างน้อย 1 แผน"))
        self.cleaned_data["versions"] = versions
        return self.cleaned_data


def _check_limits(cleaned: dict, form: forms.Form) -> None:
    low, high, usual = (cleaned.get(f) for f in ("min_kpis", "max_kpis", "recommended_kpis"))
    if low is not None and high is not None and low > high:
        form.add_error("max_kpis", _("จำนวนสูงสุดต้องไม่น้อยกว่าจำนวนขั้นต่ำ"))
    elif usual is not None and low is not None and high is not None and not low <= usual <= high:
        form.add_error("recommended_kpis", _("จำนวนที่แนะนำต้องอยู่ระหว่างจำนวนขั้นต่ำและสูงสุด"))
    start, end = cleaned.get("start"), cleaned.get("end")
    if start and end and start > end:
        form.add_error("end", _("วันสิ้นสุดต้องไม่อยู่ก่อนวันเริ่มต้น"))


class RoundEditForm(forms.ModelForm):
    """Dates and KPI limits of a round that is not closed; dates typed in B.E."""

    start = BEDateField(label=_("วันเริ่มต้น"), help_text=_("วว/ดด/ปปปป ปีพุทธศักราช"))
    end = BEDateField(label=_("วันสิ้นสุด"), help_text=_("วว/ดด/ปปปป ปีพุทธศักราช"))

    class Meta:
        model = Round
        fields = ["start", "end", "min_kpis", "max_kpis", "recommended_kpis"]

    def clean(self):
        cleaned = super().clean()
        self.fill_defaults(cleaned)
        _check_limits(cleaned, self)
        return cleaned

    def fill_defaults(self, cleaned: dict) -> None:
        pass

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def _post_clean(self):
        # round_save validates and saves; the form only checks the input.
        pass

    @property
    def limits(self) -> dict:
        return {f: self.cleaned_data[f] for f in ("min_kpis", "max_kpis", "recommended_kpis")}


def _default_of_another_round(field: str, value: datetime.date, fiscal_year: int, number: int):
    """True when `value` is the default `field` ("start"/"end") of a round not the one typed."""
    index = 0 if field == "start" else 1
    if field == "start":
        candidates = [(value.year + 544, 1)] if (value.month, value.day) == (10, 1) else []
        if (value.month, value.day) == (4, 1):
            candidates = [(value.year + 543, 2)]
    else:
        candidates = [(value.year + 543, 1)] if (value.month, value.day) == (3, 31) else []
        if (value.month, value.day) == (9, 30):
            candidates = [(value.year + 543, 2)]
    return any(
        (year, n) != (fiscal_year, number) and Round.default_dates(year, n)[index] == value
        for year, n in candidates
    )


class RoundCreateForm(RoundEditForm):
    code = forms.CharField(
        label=_("รหัสรอบ"), max_length=10, help_text=_("ปีงบประมาณ (พ.ศ.)/รอบ เช่น 2569/1")
    )
    # The round the page suggested: its dates were prefilled, so dates still
    # equal to them were not chosen by the user (see fill_defaults).
    prefilled = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta(RoundEditForm.Meta):
        fields = ["code", *RoundEditForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].required = False
        self.fields["end"].required = False
        self.fields["start"].help_text = _(
            "วว/ดด/ปปปป ปีพุทธศักราช เว้นว่างไว้ = ตามรอบ (1 ต.ค. - 31 มี.ค. หรือ 1 เม.ย. - 30 ก.ย.)"
        )
        for name in ("start", "end"):
            self.fields[name].widget.attrs["data-round-date"] = name
        self.fields["code"].widget.attrs["data-round-code"] = ""

    def clean_code(self):
        code = self.cleaned_data["code"].translate(THAI_DIGITS)
        fiscal_year, number = parse_round_code(code)
        if Round.objects.filter(fiscal_year=fiscal_year, number=number).exists():
            raise ValidationError(_("มีรอบ %(code)s อยู่แล้ว") % {"code": f"{fiscal_year}/{number}"})
        return f"{fiscal_year}/{number}"

    def fill_defaults(self, cleaned: dict) -> None:
        """Dates follow the round typed unless the user chose them.

        A date left empty, still equal to the date prefilled for the suggested
        round, or equal to that date of any other round's defaults was not
        chosen for this round: the typed round's default replaces it. (Typing
        2553/1 over the suggested 2569/2 must not keep 2569's dates.)
        """
        code = cleaned.get("code")
        if not code:
            return
        fiscal_year, number = Round.parse_code(code)
        start, end = Round.default_dates(fiscal_year, number)
        defaults = {"start": start, "end": end}
        prefilled = {}
        try:
            p_start, p_end = Round.default_dates(*parse_round_code(cleaned.get("prefilled")))
        except ValidationError:
            pass  # no (or a bad) suggestion posted: only the other rules apply
        else:
            prefilled = {"start": p_start, "end": p_end}
        for name, default in defaults.items():
            value = cleaned.get(name)
            if (
                value is None
                or value == prefilled.get(name)
                or _default_of_another_round(name, value, fiscal_year, number)
            ):
                cleaned[name] = default

    @staticmethod
    def suggested() -> dict:
        """The round after the newest one, with its default dates."""
        newest = Round.objects.order_by("-fiscal_year", "-number").first()
        if newest is None:
            today = datetime.date.today()
            fiscal_year = today.year + 543 + (1 if today.month >= 10 else 0)
            number = 1 if today.month >= 10 or today.month <= 3 else 2
        elif newest.number == 1:
            fiscal_year, number = newest.fiscal_year, 2
        else:
            fiscal_year, number = newest.fiscal_year + 1, 1
        start, end = Round.default_dates(fiscal_year, number)
        code = f"{fiscal_year}/{number}"
        return {"code": code, "prefilled": code, "start": start, "end": end}


class RoundStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("สถานะ"), choices=[])

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = NEXT_STATUS.get(round.status, set())
        self.fields["status"].choices = [(s.value, s.label) for s in Round.Status if s in allowed]
