"""The forms of the account pages: activation, issuing, the password reset request."""

import logging
import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kpi_portal.import_flow import TableUploadForm
from kpi_portal.security import client_ip

logger = logging.getLogger("kpi_portal.security")


class ActivationForm(forms.Form):
    login = forms.CharField(
        label=_("ชื่อผู้ใช้หรือรหัสบุคลากร"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("รหัสเปิดใช้งาน"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class IssueForm(forms.Form):
    """HR's choice: whom (a unit, a file, everyone without a password) and how."""

    SCOPES = (("unit", _("หน่วยงาน")), ("file", _("ไฟล์รายชื่อ")), ("missing", _("ทุกคนที่ยังไม่มีรหัสผ่าน")))
    DELIVERIES = (
        ("email", _("ส่งลิงก์ทางอีเมลถึงผู้ที่มีอีเมล ที่เหลือพิมพ์เป็นเอกสารรหัส")),
        ("sheet", _("พิมพ์เป็นเอกสารรหัสทุกคน")),
    )
    scope = forms.ChoiceField(choices=SCOPES, widget=forms.HiddenInput)
    unit = forms.CharField(label=_("รหัสหน่วยงาน"), max_length=32, required=False)
    include_with_password = forms.BooleanField(
        label=_("รวมผู้ที่มีรหัสผ่านแล้ว (ต้องตั้งรหัสผ่านใหม่ด้วยรหัสเปิดใช้งาน)"), required=False
    )
    delivery = forms.ChoiceField(
        label=_("ช่องทาง"), choices=DELIVERIES, initial="email", widget=forms.RadioSelect
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "unit" and not data.get("unit"):
            self.add_error("unit", _("กรุณาระบุรหัสหน่วยงาน"))
        return data


class IssueFileForm(TableUploadForm):
    """The list of people to issue for: a column รหัส or ชื่อผู้ใช้ (or both)."""


def _same_address(first: str, second: str) -> bool:
    fold = lambda text: unicodedata.normalize("NFKC", text or "").casefold()  # noqa: E731
    return bool(first) and fold(first) == fold(second)


class AccountPasswordResetForm(PasswordResetForm):
    """Django's reset request, answering the same whoever the address belongs to.

    An address matches the account's e-mail or the person's e-mail in the org
    tree (the import keeps it there). Mail goes out from the background task,
    which makes the token itself: the request does the same work for a known
    and an unknown address, and no token sits in the task queue.
    """

    def get_users(self, email):
        users = (
            get_user_model()
            ._default_manager.filter(Q(email__iexact=email) | Q(node__email__iexact=email))
            .filter(is_active=True)
            .select_related("node")
            .distinct()
        )
        for user in users:
            node = getattr(user, "node", None)
            addresses = [user.email, node.email if node is not None else ""]
            if user.has_usable_password() and any(_same_address(email, a) for a in addresses):
                yield user

    def save(self, request=None, **kwargs):
        from accounts.tasks import send_password_reset

        email = self.cleaned_data["email"]
        base_url = request.build_absolute_uri("/") if request is not None else ""
        address = client_ip(request) if request is not None else "-"
        language = translation.get_language() or "th"
        known = 0
        for user in self.get_users(email):
            known += 1
            send_password_reset.enqueue(
                user_id=user.pk, email=email, base_url=base_url, language=language
            )
            logger.info(
                "Password reset requested: user=%s#%s ip=%s", user.get_username(), user.pk, address
            )
        if not known:
            logger.info("Password reset requested for an unknown address: ip=%s", address)
