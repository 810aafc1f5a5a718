"""Ratings (好差评) of finished cases, the rectification of bad ones, and appeals.

A rating is attributed to the departments and staff who handled the case. A bad
rating (不满意 or 非常不满意) opens a rectification that moves through its steps,
each with a deadline in working days. The department may appeal a mistaken or
malicious rating; an upheld appeal keeps the rating visible but out of every figure.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.cases.models import Case
from yimen.catalog.models import Department, ServiceItem

__all__ = ["Rating", "RatingAppeal", "RatingInvite", "Rectification", "RectificationStep"]


class Satisfaction(models.IntegerChoices):
    """GB/T 39046 satisfaction codes."""

    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


BAD_LEVELS = (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)
GOOD_LEVELS = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASIC)


class RatingChannel(models.TextChoices):
    """Where a rating was given (GB/T 39735 rating channels)."""

    PC = "pc", _("电脑端")
    MOBILE = "mobile", _("移动端")
    QR = "qr", _("二维码")
    TABLET = "tablet", _("政务大厅平板")
    TERMINAL = "terminal", _("其他终端")
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")


class RatingTag(models.TextChoices):
    FAST = "fast", _("办理快捷")
    TOLD_AT_ONCE = "told_at_once", _("一次告知清楚")
    COURTEOUS = "courteous", _("服务热情")
    ONE_TRIP = "one_trip", _("最多跑一次")
    SLOW = "slow", _("办理时间长")
    UNCLEAR = "unclear", _("告知不清楚")
    RUDE = "rude", _("服务态度差")
    MANY_TRIPS = "many_trips", _("多次跑动")
    EXTRA_MATERIALS = "extra_materials", _("要求额外材料")
    SYSTEM = "system", _("系统不好用")


class RatingQuerySet(models.QuerySet):
    def counted(self) -> "RatingQuerySet":
        """Ratings that count in figures: all but those overturned on appeal."""
        return self.exclude(appeal__status=RatingAppeal.Status.UPHELD)

    def bad(self) -> "RatingQuerySet":
        return self.filter(level__in=BAD_LEVELS)


class Rating(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("办件")
    )
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评价人账号"),
    )
    rater_phone = models.CharField(_("评价人手机号"), max_length=20, blank=True)
    # Who rated, as one value: "account:<id>", or "phone:<number>" for an SMS link
    # answered by someone without an account.
    rater_key = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Satisfaction.choices)
    tags = models.JSONField(_("评价原因"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=RatingChannel.choices)
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    departments = models.ManyToManyField(Department, related_name="+", verbose_name=_("被评价部门"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("被评价人员")
    )

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rater_key"], name="oversight_rating_one_per_rater"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="oversight_rating_level"
            ),
        ]
        indexes = [
            models.Index(fields=["rated_at"], name="oversight_rating_at"),
            models.Index(fields=["level", "rated_at"], name="oversight_rating_level_at"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    def tag_labels(self) -> list[str]:
        return [str(RatingTag(t).label) for t in self.tags if t in RatingTag.values]


class RatingInvite(models.Model):
    """A one-time rating link sent by SMS; rating through it needs no sign-in."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("手机号码"), max_length=20)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.sent_at:%Y-%m-%d}"


class Rectification(models.Model):
    """差评整改: verify → rectify or explain → follow up with the rater → close."""

    class Step(models.TextChoices):
        VERIFY = "verify", _("核实")
        RECTIFY = "rectify", _("整改或解释说明")
        FOLLOW_UP = "follow_up", _("回访")
        CLOSE = "close", _("审核办结")
        CLOSED = "closed", _("已办结")

    class Outcome(models.TextChoices):
        RECTIFIED = "rectified", _("已整改")
        EXPLAINED = "explained", _("已解释说明")
        APPEAL_UPHELD = "appeal_upheld", _("申诉成立，差评不计")

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="rectification", verbose_name=_("差评")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门")
    )
    step = models.CharField(_("当前环节"), max_length=10, choices=Step.choices, default=Step.VERIFY)
    step_due = models.DateField(_("本环节期限"), null=True, blank=True)
    outcome = models.CharField(_("整改结果"), max_length=15, choices=Outcome.choices, blank=True)
    rater_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    opened_at = models.DateTimeField(_("开始时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(fields=["step", "step_due"], name="oversight_rectify_due"),
            models.Index(fields=["department", "step"], name="oversight_rectify_dept"),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id} · {self.get_step_display()}"

    @property
    def is_open(self) -> bool:
        return self.step != self.Step.CLOSED


class RectificationStep(models.Model):
    """One step done: what was done, by whom, and the deadline it had."""

    class Action(models.TextChoices):
        VERIFY = "verify", _("核实")
        RECTIFY = "rectify", _("整改")
        EXPLAIN = "explain", _("解释说明")
        FOLLOW_UP = "follow_up", _("回访")
        CLOSE = "close", _("审核办结")

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=10, choices=Action.choices)
    due_on = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("完成时间"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("情况说明"))

    class Meta:
        verbose_name = _("整改环节")
        verbose_name_plural = _("整改环节")
        ordering = ["done_at", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification_id} · {self.get_action_display()}"

    @property
    def late(self) -> bool:
        return timezone.localdate(self.done_at) > self.due_on


class RatingAppeal(models.Model):
    """申诉复核: the department contests a rating; a supervisor decides."""

    class Kind(models.TextChoices):
        MISTAKEN = "mistaken", _("误评")
        MALICIOUS = "malicious", _("恶意差评")

    class Status(models.TextChoices):
        PENDING = "pending", _("待复核")
        UPHELD = "upheld", _("申诉成立")
        REFUSED = "refused", _("申诉不成立")

    rating = models.OneToOneField(
        Rating, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("评价")
    )
    kind = models.CharField(_("申诉类型"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("申诉时间"))
    status = models.CharField(
        _("复核结果"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    decision_note = models.TextField(_("复核意见"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")

    def __str__(self) -> str:
        return f"{self.rating_id} · {self.get_status_display()}"
