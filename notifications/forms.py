import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from indicators.forms import style_fields
from kpi_portal.be_dates import BEDateField
from notifications import kinds
from notifications.models import RoundReminder

# An assessment may run on a while after the round's last day.
ASSESSMENT_GRACE_DAYS = 90


class PreferencesForm(forms.Form):
    """The language of one's notifications, and a switch per kind for e-mail."""

    language = forms.ChoiceField(label=_("ภาษาของการแจ้งเตือนและอีเมล"), choices=settings.LANGUAGES)

    def __init__(self, *args, preference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = preference.language
        for kind in kinds.all_kinds():
            self.fields[f"email_{kind.key}"] = forms.BooleanField(
                label=kind.label, required=False, initial=preference.wants_email(kind.key)
            )
        style_fields(self)

    def email_fields(self):
        return [self[name] for name in self.fields if name.startswith("email_")]

    @property
    def email_off(self) -> list[str]:
        return [
            kind.key for kind in kinds.all_kinds() if not self.cleaned_data.get(f"email_{kind.key}")
        ]


class RoundReminderForm(forms.ModelForm):
    class Meta:
        model = RoundReminder
        fields = ["planning_ends", "planning_days", "assessment_ends", "assessment_days"]
        # Typed and shown in B.E. (dd/mm/yyyy), like the rounds page's dates.
        field_classes = {"planning_ends": BEDateField, "assessment_ends": BEDateField}
        help_texts = {
            "planning_ends": _("เว้นว่างไว้หากไม่ต้องการเตือน"),
            "assessment_ends": _("เว้นว่างไว้เพื่อใช้วันสิ้นสุดรอบ"),
        }

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        for name in ("planning_days", "assessment_days"):
            self.fields[name].max_value = 90
            self.fields[name].widget.attrs.update({"min": 0, "max": 90})
        style_fields(self)

    def clean_planning_days(self):
        return self._days("planning_days")

    def clean_assessment_days(self):
        return self._days("assessment_days")

    def _days(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not 0 <= value <= 90:
            raise forms.ValidationError(_("จำนวนวันต้องอยู่ระหว่าง 0 ถึง 90"))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = self.round.start, self.round.end
        planning = cleaned.get("planning_ends")
        assessment = cleaned.get("assessment_ends")
        if planning and not start <= planning <= end:
            self.add_error("planning_ends", _("วันสิ้นสุดการวางแผนต้องอยู่ในช่วงของรอบ"))
        if assessment and not start <= assessment <= end + datetime.timedelta(
            ASSESSMENT_GRACE_DAYS
        ):
            self.add_error(
                "assessment_ends",
                _("วันสิ้นสุดการประเมินต้องอยู่ระหว่างวันเริ่มรอบถึง 90 วันหลังสิ้นสุดรอบ"),
            )
        if planning and planning > (assessment or end):
            self.add_error("assessment_ends", _("วันสิ้นสุดการประเมินต้องไม่ก่อนวันสิ้นสุดการวางแผน"))
        return cleaned
