"""Complaints (社会监督) about a case, a window or a member of staff.

Each complaint is routed to the department that answers for it (the case's or the
staff member's department), else to the supervisor office; it is answered within a
working-day limit and closed with the complainant's response recorded.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yimen.cases.models import Case
from yimen.catalog.models import Department, ServiceCenter

__all__ = ["Complaint"]


class Complaint(models.Model):
    class Target(models.TextChoices):
        CASE = "case", _("办件")
        WINDOW = "window", _("窗口")
        STAFF = "staff", _("工作人员")

    class Channel(models.TextChoices):
        WEB = "web", _("网站")
        KIOSK = "kiosk", _("自助终端")
        PHONE = "phone", _("电话")

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    target = models.CharField(_("投诉对象"), max_length=10, choices=Target.choices)
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办件"),
    )
    center = models.ForeignKey(
        ServiceCenter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务中心"),
    )
    window = models.CharField(_("窗口"), max_length=50, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被投诉人员"),
    )
    # None: the supervisor office answers.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("承办部门"),
    )
    channel = models.CharField(_("投诉渠道"), max_length=10, choices=Channel.choices)
    name = models.CharField(_("投诉人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    content = models.TextField(_("投诉内容"))
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    due_on = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("答复内容"), blank=True)
    founded = models.BooleanField(_("投诉属实"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    complainant_satisfied = models.BooleanField(_("投诉人满意"), null=True, blank=True)
    response_note = models.TextField(_("投诉人意见"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        indexes = [
            models.Index(fields=["status", "due_on"], name="oversight_complaint_due"),
            models.Index(fields=["department", "status"], name="oversight_complaint_dept"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """投诉编号: the day it came in and its id, e.g. TS20250926000012."""
        return f"TS{timezone.localdate(self.received_at):%Y%m%d}{self.pk:06d}"
