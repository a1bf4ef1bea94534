"""Forms of the monitoring pages (the services check the rules again)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.models import STORED_STATUSES


class CheckInForm(forms.Form):
    date = forms.DateField(label=_("วันที่รายงาน (ค.ศ. ปปปป-ดด-วว)"), initial=timezone.localdate)
    value = forms.CharField(label=_("ผลการดำเนินงานถึงวันที่รายงาน"), required=False, max_length=40)
    milestones_done = forms.CharField(label=_("ขั้นตอนที่สำเร็จแล้ว"), required=False, max_length=4)
    status = forms.ChoiceField(
        label=_("สถานะ"),
        required=False,
        choices=[("", _("ให้ระบบเสนอจากผลและระยะเวลาที่ผ่านไป")), *STORED_STATUSES],
    )
    note = forms.CharField(
        label=_("หมายเหตุ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("ความเห็น"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class ScheduleForm(forms.Form):
    no_news_days = forms.IntegerField(
        label=_("จำนวนวันที่ไม่มีการรายงานจึงถือว่าไม่มีความเคลื่อนไหว"), min_value=1, max_value=366
    )
    due_dates = forms.CharField(
        label=_("กำหนดวันรายงานความก้าวหน้า (วันละบรรทัด ค.ศ. ปปปป-ดด-วว หรือ พ.ศ. วว/ดด/ปปปป)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_due_dates(self) -> list[datetime.date]:
        from monitoring.dates import parse_date

        dates = []
        for line in self.cleaned_data["due_dates"].splitlines():
            if not line.strip():
                continue
            try:
                dates.append(parse_date(line))
            except ValueError:
                raise forms.ValidationError(
                    _("อ่านวันที่ไม่ได้: %(value)s") % {"value": line.strip()}
                ) from None
        return dates
