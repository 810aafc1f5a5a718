"""The catalog (实施清单): departments, centers, service items and their versions.

A service item keeps its identity (the item code) for life; everything an
applicant or a case relies on lives in an `ItemVersion`. A version is edited as
a draft, frozen when published, and stays readable for ever so that every case
keeps the version it was filed under.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.catalog import pinyin
from yimen.catalog.errors import CatalogError


class Role(models.TextChoices):
    """Staff roles; a stage names the role responsible for it (四定责)."""

    CLERK = "clerk", _("综合窗口受理人员")
    REVIEWER = "reviewer", _("审查人员")
    INSPECTOR = "inspector", _("踏勘人员")
    APPROVER = "approver", _("审批负责人")
    CATALOG_ADMIN = "catalog_admin", _("事项管理员")
    SUPERVISOR = "supervisor", _("监督人员")
    REGULATOR = "regulator", _("监管部门人员")
    GRID_WORKER = "grid_worker", _("网格员")


class ItemType(models.TextChoices):
    """GB/T 39046-2020 item type codes."""

    LICENSING = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    ENFORCEMENT = "03", _("行政强制")
    LEVY = "04", _("行政征收")
    BENEFIT = "05", _("行政给付")
    INSPECTION = "06", _("行政检查")
    CONFIRMATION = "07", _("行政确认")
    REWARD = "08", _("行政奖励")
    RULING = "09", _("行政裁决")
    OTHER_POWER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class SubjectType(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人")
    BOTH = "both", _("自然人、法人")


class HandlingType(models.TextChoices):
    """GB/T 39046 case type: 1 即办件, 2 承诺件."""

    INSTANT = "1", _("即办件")
    COMMITTED = "2", _("承诺件")


class OnlineDepth(models.IntegerChoices):
    CONSULT = 1, _("Ⅰ级（网上咨询）")
    PRE_REVIEW = 2, _("Ⅱ级（网上预审）")
    ONLINE_ACCEPT = 3, _("Ⅲ级（网上受理）")
    FULL_ONLINE = 4, _("Ⅳ级（全程网办）")


class DeliveryMode(models.TextChoices):
    WINDOW = "window", _("窗口领取")
    POST = "post", _("快递送达")
    ELECTRONIC = "electronic", _("电子证照")


class Department(models.Model):
    code = models.CharField(_("部门编码"), max_length=20, unique=True)
    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    is_regulator = models.BooleanField(_("监管部门"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class ServiceCenter(models.Model):
    class Level(models.TextChoices):
        DISTRICT = "district", _("区级政务服务中心")
        STREET = "street", _("街道（镇）公共服务中心")

    code = models.CharField(_("中心编码"), max_length=20, unique=True)
    name = models.CharField(_("中心名称"), max_length=100, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    address = models.CharField(_("地址"), max_length=200)
    hours = models.CharField(_("办公时间"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    items = models.ManyToManyField(
        "ServiceItem", verbose_name=_("可办事项"), related_name="centers", blank=True
    )

    class Meta:
        verbose_name = _("政务服务中心")
        verbose_name_plural = _("政务服务中心")
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A life or business event (生育, 养老, 开办企业 ...) used to browse items."""

    code = models.CharField(_("主题编码"), max_length=30, unique=True)
    name = models.CharField(_("主题名称"), max_length=50, unique=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("办事主题")
        verbose_name_plural = _("办事主题")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class MaterialKind(models.Model):
    """A kind of document recognised across items (居民身份证, 营业执照 ...).

    The material locker stores documents by kind, so a document handed in for
    one item is recognised by every other item that asks for the same kind.
    """

    code = models.CharField(_("材料类型编码"), max_length=40, unique=True)
    name = models.CharField(_("材料类型名称"), max_length=100)
    is_licence = models.BooleanField(_("证照类"), default=False)

    class Meta:
        verbose_name = _("材料类型")
        verbose_name_plural = _("材料类型")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(models.Model):
    """The lasting identity of a service item; its content lives in versions."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        CANCELLED = "cancelled", _("已取消")

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.TextField(_("取消原因"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("办事主题"), blank=True)
    popularity = models.PositiveIntegerField(_("办件热度"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class FrozenWhenPublished(models.Model):
    """Refuses any write to a version (or its parts) once it has been published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._require_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._require_draft()
        return super().delete(*args, **kwargs)

    def owning_version(self) -> "ItemVersion":
        raise NotImplementedError

    def _require_draft(self) -> None:
        version = self.owning_version()
        if (
            version.pk
            and ItemVersion.objects.filter(pk=version.pk)
            .exclude(status=VersionStatus.DRAFT)
            .exists()
        ):
            raise CatalogError("version_frozen", _("已发布的事项版本不可修改，请新建修订草稿。"))


class ItemVersion(models.Model):
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="versions", verbose_name=_("事项")
    )
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(
        _("版本状态"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.CharField(_("发布人"), max_length=150, blank=True)
    change_note = models.TextField(_("修订说明"), blank=True)

    name = models.CharField(_("事项名称"), max_length=200)
    name_syllables = models.TextField(_("事项名称拼音"), blank=True, editable=False)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    subject_type = models.CharField(_("服务对象"), max_length=12, choices=SubjectType.choices)
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="led_versions",
        verbose_name=_("实施部门"),
    )
    co_departments = models.ManyToManyField(
        Department, related_name="co_versions", blank=True, verbose_name=_("并联审查部门")
    )
    acceptance_conditions = models.TextField(_("受理条件"))
    handling_type = models.CharField(_("办件类型"), max_length=1, choices=HandlingType.choices)
    legal_limit_days = models.PositiveIntegerField(_("法定办结时限（工作日）"))
    committed_limit_days = models.PositiveIntegerField(_("承诺办结时限（工作日）"))
    extension_days = models.PositiveIntegerField(_("可延长时限（工作日）"), default=10)
    fee_fen = models.PositiveIntegerField(_("收费金额（分）"), default=0)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    visits_required = models.PositiveSmallIntegerField(
        _("到现场次数"), choices=[(0, "0"), (1, "1"), (2, "2")], default=1
    )
    visits_reason = models.CharField(_("到现场原因"), max_length=200, blank=True)
    online_depth = models.PositiveSmallIntegerField(
        _("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.ONLINE_ACCEPT
    )
    delivery_modes = models.JSONField(_("送达方式"), default=list)
    handling_locations = models.TextField(_("办理地点"))
    consult_phone = models.CharField(_("咨询电话"), max_length=40)
    complaint_phone = models.CharField(_("投诉电话"), max_length=40)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "number"], name="catalog_version_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(committed_limit_days__lte=models.F("legal_limit_days")),
                name="catalog_version_committed_within_legal",
                violation_error_message=_("承诺时限不得超过法定时限。"),
            ),
        ]
        indexes = [models.Index(fields=["item", "status", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.item.code} v{self.number}）"

    def save(self, *args, **kwargs):
        if self.pk:
            self._refuse_changes_when_frozen()
        if self.pk is None or self.is_draft:  # a published name, and so its syllables, is frozen
            _spell_name(self, kwargs)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise CatalogError("version_frozen", _("已发布的事项版本不可删除。"))
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    # What a version says to applicants, in the order staff read and exchange it.
    CONTENT_FIELDS = (
        "name",
        "item_type",
        "subject_type",
        "lead_department",
        "co_departments",
        "acceptance_conditions",
        "handling_type",
        "legal_limit_days",
        "committed_limit_days",
        "extension_days",
        "fee_fen",
        "fee_basis",
        "visits_required",
        "visits_reason",
        "online_depth",
        "delivery_modes",
        "handling_locations",
        "consult_phone",
        "complaint_phone",
    )

    # Once published only these may change: withdrawal and the closing date.
    LIFECYCLE_FIELDS = frozenset({"status", "effective_until"})

    def _refuse_changes_when_frozen(self) -> None:
        stored = ItemVersion.objects.filter(pk=self.pk).first()
        if stored is None or stored.status == VersionStatus.DRAFT:
            return
        changed = {
            f.attname
            for f in self._meta.concrete_fields
            if getattr(stored, f.attname) != getattr(self, f.attname)
        }
        if changed - self.LIFECYCLE_FIELDS or (
            "status" in changed and self.status != VersionStatus.RETIRED
        ):
            raise CatalogError("version_frozen", _("已发布的事项版本不可修改，请新建修订草稿。"))


class LegalBasis(FrozenWhenPublished):
    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="legal_bases")
    order = models.PositiveIntegerField(_("排序"), default=0)
    law = models.CharField(_("法律法规名称"), max_length=200)
    article = models.CharField(_("条款"), max_length=100)
    text = models.TextField(_("条文内容"), blank=True)

    class Meta:
        verbose_name = _("设定依据")
        verbose_name_plural = _("设定依据")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"

    def owning_version(self) -> ItemVersion:
        return self.version


class FormField(FrozenWhenPublished):
    """A field the applicant fills in when applying for this item."""

    class FieldType(models.TextChoices):
        TEXT = "text", _("文本")
        NUMBER = "number", _("数字")
        DATE = "date", _("日期")
        CHOICE = "choice", _("选项")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveIntegerField(_("排序"), default=0)
    key = models.SlugField(_("字段标识"), max_length=50)
    label = models.CharField(_("字段名称"), max_length=100)
    field_type = models.CharField(_("字段类型"), max_length=10, choices=FieldType.choices)
    required = models.BooleanField(_("必填"), default=True)
    choices = models.JSONField(_("可选值"), default=list, blank=True)
    min_value = models.DecimalField(
        _("最小值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("最大值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_length = models.PositiveIntegerField(_("最大长度"), null=True, blank=True)
    pattern = models.CharField(_("格式（正则表达式）"), max_length=200, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("申请表字段")
        verbose_name_plural = _("申请表字段")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="catalog_form_field_unique_key")
        ]

    def __str__(self) -> str:
        return self.label

    def owning_version(self) -> ItemVersion:
        return self.version


class MaterialSpec(FrozenWhenPublished):
    class Form(models.TextChoices):
        PAPER = "paper", _("纸质")
        ELECTRONIC = "electronic", _("电子")
        BOTH = "both", _("纸质或电子")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人自备")
        GOVERNMENT = "government", _("政府部门核发")
        OTHER = "other", _("其他")

    class Necessity(models.TextChoices):
        REQUIRED = "required", _("必要")
        OPTIONAL = "optional", _("非必要")
        TOLERABLE = "tolerable", _("容缺后补")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveIntegerField(_("排序"), default=0)
    kind = models.ForeignKey(
        MaterialKind, on_delete=models.PROTECT, related_name="specs", verbose_name=_("材料类型")
    )
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=10, choices=Form.choices)
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=0)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=1)
    source = models.CharField(_("来源渠道"), max_length=12, choices=Source.choices)
    reusable = models.BooleanField(_("可从材料库复用"), default=True)
    necessity = models.CharField(_("必要性"), max_length=10, choices=Necessity.choices)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)
    sample = models.FileField(_("示范文本"), upload_to="catalog/samples/", blank=True)
    notes = models.TextField(_("填报须知"), blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    def owning_version(self) -> ItemVersion:
        return self.version


class StageKind(models.TextChoices):
    ACCEPT = "accept", _("受理")
    REVIEW = "review", _("审查")
    INSPECTION = "inspection", _("现场踏勘")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    TESTING = "testing", _("检验检测")
    HEARING = "hearing", _("听证")
    PUBLICITY = "publicity", _("公示")
    DECISION = "decision", _("决定")
    ISSUE = "issue", _("制证")
    DELIVER = "deliver", _("送达")


class StageSpec(FrozenWhenPublished):
    """One stage of an item's process and who answers for it (四定责)."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveIntegerField(_("顺序"))
    kind = models.CharField(_("环节"), max_length=16, choices=StageKind.choices)
    name = models.CharField(_("环节名称"), max_length=100)
    role = models.CharField(_("责任岗位"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stage_specs",
        verbose_name=_("责任部门"),
        help_text=_("留空表示由实施部门负责。"),
    )
    parallel_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="parallel_stage_specs",
        verbose_name=_("并联审查部门"),
        help_text=_("这些部门同时审查，全部完成后进入下一环节。"),
    )
    share_days = models.PositiveIntegerField(_("环节时限（工作日）"), default=0)
    stops_clock = models.BooleanField(_("特别程序（不计入办理时限）"), default=False)
    max_days = models.PositiveIntegerField(_("特别程序最长时限（工作日）"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="catalog_stage_unique_order")
        ]

    def __str__(self) -> str:
        return self.name

    def owning_version(self) -> ItemVersion:
        return self.version


class Bundle(models.Model):
    """一件事: several items a person usually needs together, filed at once."""

    code = models.CharField(_("一件事编码"), max_length=40, unique=True)
    name = models.CharField(_("一件事名称"), max_length=200)
    name_syllables = models.TextField(_("一件事名称拼音"), blank=True, editable=False)
    description = models.TextField(_("说明"), blank=True)
    themes = models.ManyToManyField(Theme, verbose_name=_("办事主题"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        _spell_name(self, kwargs)
        super().save(*args, **kwargs)


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        related_name="bundle_memberships",
        verbose_name=_("事项"),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一件事包含的事项")
        verbose_name_plural = _("一件事包含的事项")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="catalog_bundle_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.item}"


def _spell_name(obj: ItemVersion | Bundle, save_kwargs: dict) -> None:
    """Store the syllables of obj.name with it: the public search reads them."""
    update_fields = save_kwargs.get("update_fields")
    if update_fields is None or "name" in update_fields:
        obj.name_syllables = pinyin.name_syllables(obj.name)
        if update_fields is not None:
            save_kwargs["update_fields"] = {*update_fields, "name_syllables"}


def _refuse_m2m_change_when_frozen(sender, instance, action, **kwargs):
    if action not in {"pre_add", "pre_remove", "pre_clear"}:
        return
    version = instance if isinstance(instance, ItemVersion) else instance.version
    if version.pk and not ItemVersion.objects.get(pk=version.pk).is_draft:
        raise CatalogError("version_frozen", _("已发布的事项版本不可修改，请新建修订草稿。"))


models.signals.m2m_changed.connect(
    _refuse_m2m_change_when_frozen, sender=ItemVersion.co_departments.through
)
models.signals.m2m_changed.connect(
    _refuse_m2m_change_when_frozen, sender=StageSpec.parallel_departments.through
)
