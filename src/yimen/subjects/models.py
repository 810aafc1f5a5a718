"""Subjects (persons and organisations), accounts, staff roles, authorisations, the locker.

A subject is whoever a case is for: a person (by resident ID) or an
organisation (by USCC). An account is a sign-in; a person may be linked to
one. Everything a subject handed in and staff verified, or was issued, sits in
the subject's material locker and is reused instead of being asked for again.
"""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.catalog.models import Department, MaterialKind, Role, ServiceCenter, ServiceItem
from yimen.subjects.masking import mask_id, mask_phone
from yimen.subjects.sealing import lookup_digest, seal, unseal


class Account(AbstractUser):
    """A sign-in: a citizen (by phone), a company clerk, or a member of staff."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, unique=True, null=True, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def public_username(self) -> str:
        """The username as shown back: a citizen's username is their phone, so it is masked."""
        return self.masked_phone if self.username == self.phone else self.username


class SubjectQuerySet(models.QuerySet):
    """Subjects are found by ID or USCC through its keyed hash: a resident ID is stored
    sealed, so no query can compare it."""

    def by_code(self, code: str) -> "SubjectQuerySet":
        """Subjects whose resident ID or USCC is `code` (in its normalised form)."""
        return self.filter(code_digest=lookup_digest(code))

    def by_codes(self, codes) -> "SubjectQuerySet":
        return self.filter(code_digest__in=[lookup_digest(code) for code in codes])


class Subject(models.Model):
    """The common part of a person and an organisation; cases and the locker point here.

    `code` is the resident ID or USCC in clear, as Python sees it. In the database a
    USCC (public: it is printed on every licence) is kept as it is, a resident ID
    sealed (`yimen.subjects.sealing`); `code_digest` finds either.
    """

    class Kind(models.TextChoices):
        PERSON = "person", _("自然人")
        ORGANISATION = "organisation", _("法人")

    kind = models.CharField(_("主体类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    stored_code = models.CharField(
        _("证件号码（存储形式）"),
        max_length=100,
        editable=False,
        help_text=_("统一社会信用代码为明文，身份证号为加密后的密文。"),
    )
    code_digest = models.CharField(_("证件号码检索摘要"), max_length=64, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("主体")
        verbose_name_plural = _("主体")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code_digest"], name="subjects_subject_unique_code"
            )
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_code}）"

    def save(self, *args, **kwargs):
        if "_code" in self.__dict__:
            code = self.__dict__.pop("_code")
            self.stored_code = seal(code) if self.kind == self.Kind.PERSON else code
            self.code_digest = lookup_digest(code)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "stored_code", "code_digest"}
        super().save(*args, **kwargs)

    @property
    def code(self) -> str:
        """身份证号或统一社会信用代码, in clear."""
        if "_code" in self.__dict__:
            return self.__dict__["_code"]
        if self.kind == self.Kind.PERSON and self.stored_code:
            return unseal(self.stored_code)
        return self.stored_code

    @code.setter
    def code(self, value: str) -> None:
        # Sealed on save, once the kind is known (persons and organisations set it there).
        self.__dict__["_code"] = value

    @property
    def masked_code(self) -> str:
        # A USCC is public (printed on every licence); a resident ID is not.
        return mask_id(self.code) if self.kind == self.Kind.PERSON else self.code

    def concrete(self) -> "Person | Organisation":
        if isinstance(self, Person | Organisation):
            return self
        return self.person if self.kind == self.Kind.PERSON else self.organisation


class Person(Subject):
    """自然人, from the population registry or registered at a window."""

    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    account = models.OneToOneField(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账号"),
    )

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def save(self, *args, **kwargs):
        self.kind = Subject.Kind.PERSON
        super().save(*args, **kwargs)

    @property
    def resident_id(self) -> str:
        return self.code

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.code[6:10]), int(self.code[10:12]), int(self.code[12:14]))

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Organisation(Subject):
    """法人 or other organisation, from the legal-person registry or registered at a window."""

    class Type(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
        COOPERATIVE = "cooperative", _("农民专业合作社")
        PUBLIC_INSTITUTION = "public_institution", _("事业单位")
        SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
        GOVERNMENT = "government", _("机关")
        OTHER = "other", _("其他组织")

    org_type = models.CharField(_("组织类型"), max_length=20, choices=Type.choices)
    legal_representative = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="represented_organisations",
        verbose_name=_("法定代表人"),
    )

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def save(self, *args, **kwargs):
        self.kind = Subject.Kind.ORGANISATION
        super().save(*args, **kwargs)

    @property
    def uscc(self) -> str:
        return self.code


class StaffRole(models.Model):
    """A staff member's role, scoped to a service center and/or a department (blank = any)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="staff_roles", verbose_name=_("账号")
    )
    role = models.CharField(_("岗位"), max_length=16, choices=Role.choices)
    center = models.ForeignKey(
        ServiceCenter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("服务中心"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("部门"),
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("工作人员岗位")
        verbose_name_plural = _("工作人员岗位")
        indexes = [models.Index(fields=["account", "is_active"])]

    def __str__(self) -> str:
        scope = " · ".join(str(s) for s in (self.center, self.department) if s)
        return f"{self.get_role_display()}（{scope}）" if scope else self.get_role_display()


class ApiToken(models.Model):
    """A personal access token; only its hash is kept, the value is shown once."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号")
    )
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("令牌前缀"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("访问令牌")
        verbose_name_plural = _("访问令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"


class OneTimeCode(models.Model):
    """An SMS sign-in code; only its hash is kept."""

    phone = models.CharField(_("手机号码"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return mask_phone(self.phone)


class SmsMessage(models.Model):
    """The demo outbox: what the log backend would have sent."""

    phone = models.CharField(_("手机号码"), max_length=20)
    text = models.TextField(_("短信内容"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("短信（演示发件箱）")
        verbose_name_plural = _("短信（演示发件箱）")
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return mask_phone(self.phone)


class Authorisation(models.Model):
    """委托: a subject lets an account act for it, for some items or all, for a period.

    A person authorises another person or a grid worker (帮办代办); an
    organisation authorises its clerks (经办人).
    """

    principal = models.ForeignKey(
        Subject,
        on_delete=models.CASCADE,
        related_name="authorisations_given",
        verbose_name=_("委托人"),
    )
    agent = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="authorisations_held",
        verbose_name=_("受托人"),
    )
    all_items = models.BooleanField(_("全部事项"), default=False)
    items = models.ManyToManyField(ServiceItem, blank=True, verbose_name=_("委托事项"))
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("截止日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    granted_by = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    granted_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )

    class Meta:
        verbose_name = _("委托授权")
        verbose_name_plural = _("委托授权")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["agent", "principal"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="subjects_authorisation_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.agent}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class DelegatedAct(models.Model):
    """One act done under an authorisation: who acted, and for whom."""

    authorisation = models.ForeignKey(
        Authorisation, on_delete=models.PROTECT, related_name="acts", verbose_name=_("委托授权")
    )
    actor = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理人")
    )
    principal = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("委托人")
    )
    action = models.CharField(_("行为"), max_length=40)
    item_code = models.CharField(_("事项编码"), max_length=40, blank=True)
    case_ref = models.CharField(_("办件编号"), max_length=40, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代办记录")
        verbose_name_plural = _("代办记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.actor} → {self.principal}：{self.action}"


class LockerEntry(models.Model):
    """A document in a subject's material locker (材料库)."""

    class Source(models.TextChoices):
        SUBMITTED = "submitted", _("申请人提交")
        ISSUED = "issued", _("本系统核发")
        IMPORTED = "imported", _("外部导入")

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="locker", verbose_name=_("主体")
    )
    kind = models.ForeignKey(
        MaterialKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("材料类型")
    )
    title = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="locker/%Y/%m/")
    filename = models.CharField(_("原文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    origin_item_code = models.CharField(_("来源事项"), max_length=40, blank=True)
    origin_ref = models.CharField(_("来源办件或证照编号"), max_length=80, blank=True)
    verified_by = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核验人"),
    )
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)
    stored_at = models.DateTimeField(_("入库时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("材料库材料")
        verbose_name_plural = _("材料库材料")
        ordering = ["-stored_at", "-pk"]
        indexes = [models.Index(fields=["subject", "kind", "revoked_at"])]

    def __str__(self) -> str:
        return self.title

    def is_usable_on(self, day: dt.date) -> bool:
        return (
            self.revoked_at is None
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class LockerReuse(models.Model):
    """A locker document used for an application instead of being handed in again."""

    entry = models.ForeignKey(
        LockerEntry, on_delete=models.PROTECT, related_name="reuses", verbose_name=_("材料")
    )
    item_code = models.CharField(_("事项编码"), max_length=40)
    case_ref = models.CharField(_("办件编号"), max_length=40, blank=True)
    actor = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("办理人")
    )
    authorisation = models.ForeignKey(
        Authorisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依据的委托"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("材料复用记录")
        verbose_name_plural = _("材料复用记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.entry} → {self.item_code}"


class LockerAccessGrant(models.Model):
    """Lets a member of staff read a subject's locker while serving a case for it.

    The cases app grants access when staff take up a case and revokes it when
    they are done; nothing else opens a locker to staff.
    """

    staff = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="locker_grants", verbose_name=_("工作人员")
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="locker_grants", verbose_name=_("主体")
    )
    case_ref = models.CharField(_("办件编号"), max_length=40)
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("材料库查阅授权")
        verbose_name_plural = _("材料库查阅授权")
        indexes = [models.Index(fields=["staff", "subject", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.staff} · {self.subject} · {self.case_ref}"
