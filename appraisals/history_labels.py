"""What the appraisals' actions are called on a plan's timeline (indicators.history)."""

from django.utils.translation import pgettext_lazy

from indicators.history import ACTION_LABELS

LABELS = {
    "result_save": pgettext_lazy("history", "บันทึกผลการดำเนินงาน"),
    "result_import": pgettext_lazy("history", "นำเข้าผลการดำเนินงานจากไฟล์"),
    "evidence_add": pgettext_lazy("history", "เพิ่มหลักฐาน"),
    "evidence_delete": pgettext_lazy("history", "ลบหลักฐาน"),
    "self_assess": pgettext_lazy("history", "ส่งการประเมินตนเอง"),
    "assess": pgettext_lazy("history", "ผู้ประเมินให้คะแนน"),
    "acknowledge": pgettext_lazy("history", "รับทราบผลการประเมิน"),
    "refusal": pgettext_lazy("history", "บันทึกการไม่ลงนามรับทราบ"),
    "review": pgettext_lazy("history", "ผู้บังคับบัญชาเหนือขึ้นไปให้ความเห็น"),
    "round_close": pgettext_lazy("history", "ปิดรอบการประเมิน"),
    "round_reopen": pgettext_lazy("history", "เปิดรอบการประเมินใหม่ (ส่วนราชการ)"),
    # The individual development plan (appraisals.development).
    "development_add": pgettext_lazy("history", "เพิ่มรายการแผนพัฒนารายบุคคล"),
    "development_delete": pgettext_lazy("history", "ลบรายการแผนพัฒนารายบุคคล"),
    "development_acknowledge": pgettext_lazy("history", "รับทราบแผนพัฒนารายบุคคล"),
    "development_hours": pgettext_lazy("history", "บันทึกชั่วโมงที่พัฒนาจริง"),
}


def register_history_labels() -> None:
    ACTION_LABELS.update(LABELS)
