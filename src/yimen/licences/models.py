"""The one approval seal (行政审批专用章), every use of it, and the licence registry (证照库).

A bureau has one seal in use at a time. Each seal is a key pair with an X.509
certificate issued by a seal authority (CA); rotating the seal retires the old
one but keeps its certificate and authority, so every document it sealed still
verifies. Each use of the seal is recorded with the document's SHA-256, which
is how a verifier knows a file is byte for byte what the bureau issued.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yimen.cases.models import Case
from yimen.catalog.models import ItemVersion, MaterialKind
from yimen.subjects.models import LockerEntry, Subject


class SealAuthority(models.Model):
    """The CA that certifies the bureau's seals: what a verifier must trust."""

    name = models.CharField(_("名称"), max_length=200)
    certificate_pem = models.TextField(_("CA 证书（PEM）"))
    fingerprint = models.CharField(_("SHA-256 指纹"), max_length=64, unique=True)
    # Only for the embedded demo CA, so that a rotation can certify the next seal.
    key_encrypted = models.TextField(_("私钥（加密保存）"), blank=True)
    is_demo = models.BooleanField(_("演示用"), default=False)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("印章证书颁发机构")
        verbose_name_plural = _("印章证书颁发机构")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Seal(models.Model):
    """One key pair and certificate of the approval seal."""

    class Source(models.TextChoices):
        EMBEDDED = "embedded", _("内置（数据库加密保存）")
        PKCS12 = "pkcs12", _("PKCS#12 文件")

    authority = models.ForeignKey(
        SealAuthority, on_delete=models.PROTECT, related_name="seals", verbose_name=_("颁发机构")
    )
    name = models.CharField(_("名称"), max_length=200)
    source = models.CharField(_("密钥来源"), max_length=10, choices=Source.choices)
    algorithm = models.CharField(_("签名算法"), max_length=20)
    certificate_pem = models.TextField(_("印章证书（PEM）"))
    chain_pem = models.TextField(_("中间证书（PEM）"), blank=True)
    fingerprint = models.CharField(_("SHA-256 指纹"), max_length=64, unique=True)
    key_encrypted = models.TextField(_("私钥（加密保存）"), blank=True)
    sm2_public_key = models.CharField(_("SM2 公钥"), max_length=128, blank=True)
    sm2_key_encrypted = models.TextField(_("SM2 私钥（加密保存）"), blank=True)
    is_demo = models.BooleanField(_("演示用"), default=False)
    active_from = models.DateTimeField(_("启用时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政审批专用章")
        verbose_name_plural = _("行政审批专用章")
        ordering = ["-active_from", "-pk"]
        indexes = [models.Index(fields=["retired_at", "active_from"], name="licences_seal_active")]

    def __str__(self) -> str:
        return f"{self.name}（{self.fingerprint[:16]}）"

    @property
    def key_id(self) -> str:
        """How QR payloads name the seal that signed them."""
        return self.fingerprint[:16]


class DocumentKind(models.TextChoices):
    """What the seal is put on: the e-licence, and the letters of a case (the values are
    the letter kinds of `documents.LetterKind`)."""

    LICENCE = "licence", _("电子证照")
    RECEIPT = "receipt", _("受理通知书")
    CORRECTION = "correction", _("补正材料通知书")
    REFUSAL = "refusal", _("不予受理通知书")
    GRANT = "grant", _("准予行政许可决定书")
    DENY = "deny", _("不予行政许可决定书")


class SealUse(models.Model):
    """One document sealed: which seal, what, for which case, by whom, and its exact bytes."""

    seal = models.ForeignKey(
        Seal, on_delete=models.PROTECT, related_name="uses", verbose_name=_("印章")
    )
    kind = models.CharField(_("文书类型"), max_length=20, choices=DocumentKind.choices)
    document_number = models.CharField(_("文书编号"), max_length=80, blank=True)
    case_ref = models.CharField(_("办件编号"), max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("用印人"),
    )
    at = models.DateTimeField(_("用印时间"))
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    file = models.FileField(_("盖章文件"), upload_to="sealed/%Y/%m/")

    class Meta:
        verbose_name = _("用印记录")
        verbose_name_plural = _("用印记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["sha256"], name="licences_use_sha256"),
            models.Index(fields=["case_ref", "at"], name="licences_use_case"),
            models.Index(fields=["seal", "at"], name="licences_use_seal"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number or self.case_ref}"


class LicenceSequence(models.Model):
    """One counter per area and year; incremented under a row lock held only while a
    number is taken."""

    key = models.CharField(max_length=20, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class LicenceNumberTaken(models.Model):
    """A licence number taken for a case and not on a licence (yet).

    Issuing takes its number in a short transaction of its own, so that licences are
    rendered and sealed side by side, then registers the licence and drops this row in
    a second one. A row that stays says why the number was never used (`void_reason`),
    or, without a reason, that issuing stopped part-way; every number up to the counter
    is on a licence or here.
    """

    number = models.CharField(_("证照编号"), max_length=32, unique=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="+", verbose_name=_("办件")
    )
    taken_at = models.DateTimeField(_("取号时间"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("取号人"),
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作废人"),
    )

    class Meta:
        verbose_name = _("未用的证照编号")
        verbose_name_plural = _("未用的证照编号")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number


class LicenceStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class Licence(models.Model):
    """An issued e-licence in the registry. Expiry is read from the dates, never stored."""

    number = models.CharField(_("证照编号"), max_length=40, unique=True)
    identifier = models.CharField(_("电子证照标识"), max_length=120, unique=True)
    title = models.CharField(_("证照名称"), max_length=200)
    holder = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="licences", verbose_name=_("持证主体")
    )
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="licence", verbose_name=_("办件")
    )
    item_code = models.CharField(_("事项编码"), max_length=40)
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项版本")
    )
    type_code = models.CharField(_("证照类型代码"), max_length=40)
    kind = models.ForeignKey(
        MaterialKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("材料类型")
    )
    issued_at = models.DateTimeField(_("发证时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期止"), null=True, blank=True, help_text=_("空为长期"))
    file = models.FileField(_("证照文件"), upload_to="licences/%Y/")
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, unique=True)
    seal = models.ForeignKey(
        Seal, on_delete=models.PROTECT, related_name="licences", verbose_name=_("印章")
    )
    sm2_signature = models.CharField(_("SM2 签名"), max_length=128, blank=True)
    qr_payload = models.TextField(_("二维码内容"), help_text=_("印在证照上、经印章签名的查验信息"))
    locker_entry = models.ForeignKey(
        LockerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=[(s.value, s.label) for s in (LicenceStatus.VALID, LicenceStatus.REVOKED)],
        default=LicenceStatus.VALID,
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销人"),
    )
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["holder", "status"], name="licences_holder_status"),
            models.Index(fields=["status", "valid_until"], name="licences_status_until"),
            models.Index(fields=["item_code", "issued_at"], name="licences_item_issued"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licences_licence_period",
            ),
            models.CheckConstraint(
                condition=Q(status=LicenceStatus.VALID) | Q(revoked_at__isnull=False),
                name="licences_revoked_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    def status_on(self, day: dt.date) -> str:
        """valid, revoked or expired on `day`."""
        if self.status == LicenceStatus.REVOKED:
            return LicenceStatus.REVOKED
        if self.valid_until is not None and day > self.valid_until:
            return LicenceStatus.EXPIRED
        return LicenceStatus.VALID
