"""The window hall (实体大厅): appointments for a time slot and queue tickets called to windows.

A ticket waits from the moment it is issued until a window first calls it; that waiting
time (`called_at - issued_at`) is what supervision measures against the seed's 多时难等.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.catalog.models import ServiceCenter
from yimen.subjects.masking import mask_phone
from yimen.subjects.models import Subject

__all__ = ["Appointment", "QueueCounter", "QueueTicket", "ServiceLine"]


class ServiceLine(models.TextChoices):
    """A center's queue; its value is the letter its ticket numbers start with."""

    GENERAL = "A", _("综合窗口")
    BUSINESS = "B", _("企业服务")


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("未到")

    class Via(models.TextChoices):
        ONLINE = "online", _("网上预约")
        PHONE = "phone", _("电话预约")
        KIOSK = "kiosk", _("自助终端")

    ACTIVE = (Status.BOOKED, Status.CHECKED_IN)

    code = models.CharField(_("预约号"), max_length=8, unique=True)
    center = models.ForeignKey(
        ServiceCenter, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务中心")
    )
    day = models.DateField(_("预约日期"))
    starts_at = models.DateTimeField(_("时段开始"))
    ends_at = models.DateTimeField(_("时段结束"))
    line = models.CharField(_("窗口类别"), max_length=1, choices=ServiceLine.choices)
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("预约人"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=100)
    phone = models.CharField(_("手机号码"), max_length=20)
    item_codes = models.JSONField(_("办理事项"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    booked_via = models.CharField(_("预约渠道"), max_length=10, choices=Via.choices)
    created_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "day"],
                condition=Q(status__in=["booked", "checked_in"], subject__isnull=False),
                name="cases_appointment_one_per_subject_day",
            ),
            models.UniqueConstraint(
                fields=["phone", "day"],
                condition=Q(status__in=["booked", "checked_in"]),
                name="cases_appointment_one_per_phone_day",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="cases_appointment_slot"
            ),
        ]
        indexes = [
            models.Index(fields=["center", "starts_at", "status"], name="cases_appt_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {mask_phone(self.phone)}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class QueueCounter(models.Model):
    """The last number issued per center, day and line; incremented under its row lock."""

    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    line = models.CharField(max_length=1, choices=ServiceLine.choices)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "line"], name="cases_queue_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day} {self.line}{self.value:03d}"


class QueueTicket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVED = "served", _("已办理")
        NO_SHOW = "no_show", _("过号")
        CANCELLED = "cancelled", _("已作废")

    class Source(models.TextChoices):
        KIOSK = "kiosk", _("自助终端取号")
        APPOINTMENT = "appointment", _("预约签到")
        WINDOW = "window", _("窗口取号")

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务中心")
    )
    day = models.DateField(_("日期"))
    line = models.CharField(_("窗口类别"), max_length=1, choices=ServiceLine.choices)
    seq = models.PositiveIntegerField(_("序号"))
    source = models.CharField(_("取号方式"), max_length=12, choices=Source.choices)
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("预约"),
    )
    # From this moment (the appointment's slot start) the ticket is called before walk-ins.
    priority_from = models.DateTimeField(_("优先叫号起始"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("最近叫号时间"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("叫号次数"), default=0)
    window = models.CharField(_("窗口"), max_length=20, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("叫号人员"),
    )
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "day", "line", "seq"], name="cases_ticket_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(called_at__isnull=True) | Q(called_at__gte=models.F("issued_at")),
                name="cases_ticket_called_after_issued",
            ),
        ]
        indexes = [
            models.Index(
                fields=["center", "day", "status", "issued_at"], name="cases_ticket_queue"
            ),
            models.Index(fields=["day", "center"], name="cases_ticket_day"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.line}{self.seq:03d}"
