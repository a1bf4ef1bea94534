"""The agency tree: department > division > group > individual."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey


class Kind(models.TextChoices):
    DEPARTMENT = "department", _("กรม/ส่วนราชการ")
    DIVISION = "division", _("สำนัก/กอง")
    GROUP = "group", _("กลุ่มงาน/ฝ่าย")
    INDIVIDUAL = "individual", _("บุคคล")


# A unit's parent must be a unit of a higher kind (a lower rank number).
RANK = {Kind.DEPARTMENT: 0, Kind.DIVISION: 1, Kind.GROUP: 2, Kind.INDIVIDUAL: 3}


class StaffType(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", _("ข้าราชการ")
    PROBATIONER = "probationer", _("ข้าราชการทดลองปฏิบัติหน้าที่ราชการ")
    GOVERNMENT_EMPLOYEE = "government_employee", _("พนักงานราชการ")
    PERMANENT_EMPLOYEE = "permanent_employee", _("ลูกจ้างประจำ")


class Node(MPTTModel):
    """A unit or a person. Individuals are leaves; a head heads its parent unit."""

    code = models.CharField(_("รหัส"), max_length=32, unique=True)
    name = models.CharField(_("ชื่อ"), max_length=255)
    kind = models.CharField(_("ประเภท"), max_length=16, choices=Kind.choices)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("ต้นสังกัด"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.CharField(_("ตำแหน่ง"), max_length=255, blank=True)
    position_level = models.CharField(_("ระดับตำแหน่ง"), max_length=64, blank=True)
    staff_type = models.CharField(
        _("ประเภทบุคลากร"),
        max_length=32,
        choices=StaffType.choices,
        default=StaffType.CIVIL_SERVANT,
    )
    email = models.EmailField(_("อีเมล"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ผู้ใช้"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="node",
    )
    is_head = models.BooleanField(_("หัวหน้าหน่วยงาน"), default=False)
    is_hr = models.BooleanField(_("เจ้าหน้าที่บุคคล"), default=False)
    is_active = models.BooleanField(_("ใช้งาน"), default=True)

    class Meta:
        verbose_name = _("หน่วยงาน/บุคคล")
        verbose_name_plural = _("โครงสร้างองค์กร")
        constraints = [
            models.UniqueConstraint(
                fields=["parent"], condition=Q(is_head=True), name="one_head_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(is_head=False) | Q(kind="individual"), name="only_people_head"
            ),
            models.CheckConstraint(
                condition=Q(is_hr=False) | Q(kind="individual"), name="only_people_are_hr"
            ),
        ]
        indexes = [
            models.Index(fields=["tree_id", "lft"], name="node_tree_lft"),
            # The head counts of the tree and unit pages count active people in a
            # lft range: an index-only scan of this (10 departments of 20,000: the
            # administrator's tree 115 -> 58 ms, BENCHMARKS.md "A ministry").
            models.Index(
                fields=["tree_id", "lft"],
                include=["id"],
                condition=Q(kind="individual", is_active=True),
                name="node_people_tree_lft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_unit(self) -> bool:
        return self.kind != Kind.INDIVIDUAL

    def clean(self) -> None:
        """The tree rules of DOMAIN.md, checked before any write (service and admin)."""
        errors: dict[str, list] = {}
        parent = self.parent
        if self.is_head and self.kind != Kind.INDIVIDUAL:
            errors.setdefault("is_head", []).append(_("หัวหน้าต้องเป็นบุคคล"))
        if self.is_hr and self.kind != Kind.INDIVIDUAL:
            errors.setdefault("is_hr", []).append(_("เจ้าหน้าที่บุคคลต้องเป็นบุคคล"))
        if parent is None:
            if self.kind != Kind.DEPARTMENT:
                errors.setdefault("parent", []).append(_("มีเพียงกรม/ส่วนราชการเท่านั้นที่ไม่มีต้นสังกัด"))
        elif parent.kind == Kind.INDIVIDUAL:
            errors.setdefault("parent", []).append(
                _("ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล (%(parent)s)") % {"parent": parent.code}
            )
        elif self.kind != Kind.INDIVIDUAL and RANK[parent.kind] >= RANK[self.kind]:
            errors.setdefault("parent", []).append(
                _("%(kind)s ต้องอยู่ใต้หน่วยงานที่สูงกว่า ไม่ใช่%(parent_kind)s")
                % {"kind": self.get_kind_display(), "parent_kind": parent.get_kind_display()}
            )
        if (
            parent is not None
            and self.pk
            and parent.pk
            and (
                parent.pk == self.pk
                or (parent.tree_id == self.tree_id and self.lft < parent.lft < self.rght)
            )
        ):
            errors.setdefault("parent", []).append(
                _("ไม่สามารถย้ายหน่วยงานไปอยู่ใต้ตัวเองหรือหน่วยงานย่อยของตัวเองได้")
            )
        if self.pk and self.kind == Kind.INDIVIDUAL and self.children.exists():
            errors.setdefault("kind", []).append(_("บุคคลต้องไม่มีหน่วยงานหรือบุคคลในสังกัด"))
        elif self.pk and self.kind != Kind.INDIVIDUAL:
            # A change of kind must keep the units below of a lower kind.
            not_lower = [k for k, rank in RANK.items() if rank <= RANK[self.kind]]
            clash = self.children.filter(kind__in=not_lower).first()
            if clash is not None:
                errors.setdefault("kind", []).append(
                    _("%(child)s เป็น%(child_kind)s จึงอยู่ใต้%(kind)sไม่ได้")
                    % {
                        "child": clash.name,
                        "child_kind": clash.get_kind_display(),
                        "kind": self.get_kind_display(),
                    }
                )
        if self.is_head and parent is not None:
            clash = Node.objects.filter(parent=parent, is_head=True).exclude(pk=self.pk)
            if clash.exists():
                errors.setdefault("is_head", []).append(
                    _("%(unit)s มีหัวหน้าแล้ว (%(head)s)")
                    % {"unit": parent.name, "head": clash.first().name}
                )
        if errors:
            raise ValidationError(errors)
