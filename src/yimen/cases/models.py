"""Cases (办件): an application for one item version, its materials, tasks, clock and events.

A case keeps the catalog version it was filed under for life. Its deadline
is stored (the queues sort and filter by it) but always recomputed from the
acceptance date, the extension and the clock pauses by `clocks.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yimen.cases.fields import SealedJSONField
from yimen.cases.states import ACTION_LABELS, CaseState
from yimen.catalog.models import (
    Bundle,
    DeliveryMode,
    Department,
    ItemVersion,
    MaterialSpec,
    Role,
    ServiceCenter,
    StageKind,
)
from yimen.errors import IllegalAction
from yimen.subjects.models import LockerEntry, Subject


class Channel(models.TextChoices):
    WINDOW = "window", gettext_lazy("综合窗口")
    ONLINE = "online", gettext_lazy("网上大厅")
    MOBILE = "mobile", gettext_lazy("手机端")
    KIOSK = "kiosk", gettext_lazy("自助终端")
    ASSISTED = "assisted", gettext_lazy("帮办代办")


class Decision(models.TextChoices):
    GRANT = "grant", gettext_lazy("准予")
    DENY = "deny", gettext_lazy("不予")


class CaseNumberSequence(models.Model):
    """One counter per area and day; incremented under a row lock, never count()+1."""

    key = models.CharField(max_length=20, unique=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class Filing(models.Model):
    """One application act: a single item, or a bundle (一件事) filed as several cases."""

    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, verbose_name=gettext_lazy("一件事")
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=gettext_lazy("申请主体"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(gettext_lazy("申请渠道"), max_length=10, choices=Channel.choices)
    idempotency_key = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(gettext_lazy("提交时间"), default=timezone.now)
    completed_at = models.DateTimeField(gettext_lazy("全部办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("申请")
        verbose_name_plural = gettext_lazy("申请")
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="cases_filing_unique_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} @ {self.submitted_at:%Y-%m-%d %H:%M}"


class Case(models.Model):
    case_no = models.CharField(gettext_lazy("办件编号"), max_length=30, unique=True)
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(
        ItemVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("事项版本"),
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=gettext_lazy("申请主体"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("实施部门"),
    )
    center = models.ForeignKey(
        ServiceCenter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("受理中心"),
    )
    channel = models.CharField(gettext_lazy("申请渠道"), max_length=10, choices=Channel.choices)
    state = models.CharField(
        gettext_lazy("状态"), max_length=12, choices=CaseState.choices, default=CaseState.SUBMITTED
    )
    form_data = SealedJSONField(gettext_lazy("申请表"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("首问负责人"),
    )
    received_at = models.DateTimeField(gettext_lazy("收件时间"))
    intake_from = models.DateField(gettext_lazy("受理审查起算日"))
    accepted_on = models.DateField(gettext_lazy("受理日期"), null=True, blank=True)
    deemed_accepted = models.BooleanField(gettext_lazy("逾期视为受理"), default=False)
    deadline = models.DateField(gettext_lazy("承诺办结期限"), null=True, blank=True)
    legal_deadline = models.DateField(gettext_lazy("法定办结期限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(
        gettext_lazy("期限待定（缺节假日数据）"), default=False
    )
    extension_days = models.PositiveIntegerField(gettext_lazy("延长天数"), default=0)
    extension_reason = models.TextField(gettext_lazy("延长理由"), blank=True)
    refuse_reason = models.TextField(gettext_lazy("不予受理理由"), blank=True)
    refuse_basis = models.TextField(gettext_lazy("不予受理依据"), blank=True)
    decision = models.CharField(
        gettext_lazy("审批决定"), max_length=5, choices=Decision.choices, blank=True
    )
    decision_reason = models.TextField(gettext_lazy("决定理由"), blank=True)
    decided_at = models.DateTimeField(gettext_lazy("决定时间"), null=True, blank=True)
    licence_ref = models.CharField(gettext_lazy("证照编号"), max_length=80, blank=True)
    delivery_mode = models.CharField(
        gettext_lazy("送达方式"), max_length=10, choices=DeliveryMode.choices, blank=True
    )
    tracking_no = models.CharField(gettext_lazy("快递单号"), max_length=40, blank=True)
    completed_at = models.DateTimeField(gettext_lazy("办结时间"), null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = gettext_lazy("办件")
        verbose_name_plural = gettext_lazy("办件")
        indexes = [
            models.Index(fields=["state", "deadline"], name="cases_state_deadline"),
            models.Index(fields=["department", "state", "deadline"], name="cases_dept_state"),
            models.Index(fields=["subject", "state"], name="cases_subject_state"),
            models.Index(fields=["state", "intake_from"], name="cases_state_intake"),
        ]

    def __str__(self) -> str:
        return self.case_no

    @property
    def is_open(self) -> bool:
        return self.state not in (CaseState.REFUSED, CaseState.COMPLETED)

    def require_state(self, *states: str, action: str = "") -> None:
        if self.state not in states:
            raise IllegalAction(
                "illegal_state",
                _("办件当前状态为“%(s)s”，不能%(a)s。")
                % {"s": self.get_state_display(), "a": action_label(action)},
            )


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


class CaseMaterial(models.Model):
    class Status(models.TextChoices):
        PROVIDED = "provided", gettext_lazy("已提交")
        REUSED = "reused", gettext_lazy("材料库复用")
        MISSING = "missing", gettext_lazy("未提交")
        PENDING = "pending", gettext_lazy("容缺后补")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    spec = models.ForeignKey(MaterialSpec, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(gettext_lazy("状态"), max_length=10, choices=Status.choices)
    locker_entry = models.ForeignKey(
        LockerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(gettext_lazy("补交期限"), null=True, blank=True)
    supplied_at = models.DateTimeField(gettext_lazy("提交时间"), null=True, blank=True)
    file = models.FileField(gettext_lazy("上传的材料"), upload_to="cases/", blank=True)

    class Meta:
        verbose_name = gettext_lazy("办件材料")
        verbose_name_plural = gettext_lazy("办件材料")
        ordering = ["spec__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "spec"], name="cases_material_unique_spec")
        ]

    def __str__(self) -> str:
        return f"{self.spec.name}（{self.get_status_display()}）"

    @property
    def present(self) -> bool:
        return self.status in (self.Status.PROVIDED, self.Status.REUSED)


class CorrectionNotice(models.Model):
    """一次性告知: every deficiency of an application, told at once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="corrections")
    number = models.PositiveSmallIntegerField(gettext_lazy("第几次告知"))
    deficiencies = models.JSONField(gettext_lazy("补正内容"))
    reason = models.TextField(gettext_lazy("再次告知理由"), blank=True)
    is_violation = models.BooleanField(gettext_lazy("违反一次性告知"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(gettext_lazy("告知时间"))
    resolved_at = models.DateTimeField(gettext_lazy("补齐时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("补正告知")
        verbose_name_plural = gettext_lazy("补正告知")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="cases_correction_unique")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.number}"


class Task(models.Model):
    """Work a stage gives a role in a department; a parallel stage opens several at once."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("待办")
        DONE = "done", gettext_lazy("已办")
        RETURNED = "returned", gettext_lazy("已退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    stage_order = models.PositiveIntegerField(gettext_lazy("环节顺序"))
    stage_kind = models.CharField(gettext_lazy("环节"), max_length=16, choices=StageKind.choices)
    stage_name = models.CharField(gettext_lazy("环节名称"), max_length=100)
    role = models.CharField(gettext_lazy("责任岗位"), max_length=16, choices=Role.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(gettext_lazy("开始时间"))
    done_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opinion = models.TextField(gettext_lazy("意见"), blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = gettext_lazy("环节任务")
        verbose_name_plural = gettext_lazy("环节任务")
        ordering = ["stage_order", "pk"]
        indexes = [
            models.Index(fields=["status", "role", "department"], name="cases_task_queue"),
            models.Index(fields=["case", "status"], name="cases_task_case"),
        ]

    def __str__(self) -> str:
        return f"{self.stage_name} · {self.department_id}"


class ClockPause(models.Model):
    """A dated period during which the case's clock stands still (both days included)."""

    class Kind(models.TextChoices):
        STAGE = "stage", gettext_lazy("特别程序环节")
        INSPECTION = "inspection", gettext_lazy("现场踏勘")
        EXPERT_REVIEW = "expert_review", gettext_lazy("专家评审")
        TESTING = "testing", gettext_lazy("检验检测")
        HEARING = "hearing", gettext_lazy("听证")
        PUBLICITY = "publicity", gettext_lazy("公示")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=Kind.choices)
    reason = models.TextField(gettext_lazy("理由"))
    stage_order = models.PositiveIntegerField(null=True, blank=True)
    started_on = models.DateField(gettext_lazy("开始日期"))
    ended_on = models.DateField(gettext_lazy("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(gettext_lazy("恢复说明"), blank=True)

    class Meta:
        verbose_name = gettext_lazy("计时暂停")
        verbose_name_plural = gettext_lazy("计时暂停")
        ordering = ["started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="cases_pause_period",
            )
        ]
        indexes = [
            # Running special procedures: the deadline warnings and overrun checks read only these.
            models.Index(
                fields=["started_on"],
                condition=Q(ended_on__isnull=True),
                name="cases_pause_open",
            ),
            # Special procedures ended lately: the supervision dashboard's durations.
            models.Index(
                fields=["ended_on"],
                condition=Q(ended_on__isnull=False),
                name="cases_pause_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}–{self.ended_on or ''}"


class Visit(models.Model):
    """One trip to a service center; a bundle visit is one visit for all its cases."""

    class Purpose(models.TextChoices):
        SUBMIT = "submit", gettext_lazy("提交申请")
        CORRECTION = "correction", gettext_lazy("补正材料")
        PENDING_MATERIAL = "pending_material", gettext_lazy("补交容缺材料")
        COLLECT = "collect", gettext_lazy("领取证照")

    cases = models.ManyToManyField(Case, related_name="visits")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(gettext_lazy("事由"), max_length=20, choices=Purpose.choices)
    center = models.ForeignKey(
        ServiceCenter, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(gettext_lazy("时间"))

    class Meta:
        verbose_name = gettext_lazy("到场记录")
        verbose_name_plural = gettext_lazy("到场记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.at:%Y-%m-%d}"


class CaseEvent(models.Model):
    """Who did what to a case, when, from which state to which. Numbered without gaps."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = gettext_lazy("办件日志")
        verbose_name_plural = gettext_lazy("办件日志")
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="cases_event_unique_seq")
        ]
        indexes = [models.Index(fields=["action", "at"], name="cases_event_action")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"


class ApplicationDraft(models.Model):
    """An online application saved step by step (草稿) until it is submitted or deleted.

    `form_data` holds what was typed, kept even when a check failed: an item's fields by
    key, or for a bundle each item's fields under its item code. `uploads` holds the files
    uploaded so far, by material kind code. `key` makes the final submission idempotent.
    """

    class Step(models.IntegerChoices):
        APPLICANT = 1, gettext_lazy("选择申请人")
        FORM = 2, gettext_lazy("填写申请表")
        MATERIALS = 3, gettext_lazy("提交材料")
        REVIEW = 4, gettext_lazy("确认提交")

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_drafts"
    )
    item_code = models.CharField(gettext_lazy("事项编码"), max_length=40, blank=True)
    bundle_code = models.CharField(gettext_lazy("一件事编码"), max_length=40, blank=True)
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_lazy("申请主体")
    )
    form_data = SealedJSONField(gettext_lazy("申请表"), default=dict, blank=True)
    uploads = models.JSONField(gettext_lazy("已上传的材料"), default=dict, blank=True)
    step = models.PositiveSmallIntegerField(
        gettext_lazy("进行到"), choices=Step.choices, default=Step.APPLICANT
    )
    key = models.CharField(max_length=32)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(gettext_lazy("保存时间"), auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("申请草稿")
        verbose_name_plural = gettext_lazy("申请草稿")
        constraints = [
            models.CheckConstraint(
                condition=(Q(item_code="") & ~Q(bundle_code=""))
                | (~Q(item_code="") & Q(bundle_code="")),
                name="cases_draft_item_or_bundle",
            )
        ]
        indexes = [models.Index(fields=["account", "-updated_at"], name="cases_draft_account")]

    def __str__(self) -> str:
        return f"{self.account_id} · {self.item_code or self.bundle_code}"

    @property
    def is_bundle(self) -> bool:
        return bool(self.bundle_code)

    @property
    def code(self) -> str:
        """The item or bundle code applied for."""
        return self.bundle_code or self.item_code


from yimen.cases.models_hall import *  # noqa: E402, F403
