"""Statistics kept up to date as cases move: one row per day and dimension set.

A case adds to the row of the day it was received, accepted or completed, under
its department, service center, channel and item. The working days a completed
case took go into a histogram (one row per day, dimensions and number of days)
so a percentile can be read without touching the cases again.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yimen.cases.models import Channel
from yimen.catalog.models import Department, ServiceCenter, ServiceItem

__all__ = ["CaseDailyStat", "CaseWorkdayCount"]

# Working days beyond this are counted in the last bucket ("60 or more").
HISTOGRAM_CAP = 60

DIMENSIONS = ("day", "department", "center", "channel", "item")


class StatDimensions(models.Model):
    day = models.DateField(_("日期"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("实施部门")
    )
    center = models.ForeignKey(
        ServiceCenter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理中心"),
    )
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )

    class Meta:
        abstract = True


def unique_per_dimensions(name: str, *extra: str) -> list[models.UniqueConstraint]:
    """One row per dimension set; a case with no center has its own row (NULL is not equal to
    NULL in a plain unique constraint, hence the two partial ones)."""
    fields = [*DIMENSIONS, *extra]
    return [
        models.UniqueConstraint(
            fields=fields, condition=Q(center__isnull=False), name=f"{name}_unique"
        ),
        models.UniqueConstraint(
            fields=[f for f in fields if f != "center"],
            condition=Q(center__isnull=True),
            name=f"{name}_unique_no_center",
        ),
    ]


class CaseDailyStat(StatDimensions):
    received = models.PositiveIntegerField(_("收件数"), default=0)
    accepted = models.PositiveIntegerField(_("受理数"), default=0)
    online = models.PositiveIntegerField(_("网上申请数"), default=0)
    reused = models.PositiveIntegerField(_("材料库复用材料数"), default=0)
    completed = models.PositiveIntegerField(_("办结数"), default=0)
    completed_within_one_visit = models.PositiveIntegerField(_("最多跑一次办结数"), default=0)
    zero_visit = models.PositiveIntegerField(_("零跑动办结数"), default=0)
    early = models.PositiveIntegerField(_("提前办结数"), default=0)
    sum_workdays = models.PositiveIntegerField(_("办结用时合计（工作日）"), default=0)
    sum_committed_days = models.PositiveIntegerField(_("承诺时限合计（工作日）"), default=0)

    COUNTS = (
        "received",
        "accepted",
        "online",
        "reused",
        "completed",
        "completed_within_one_visit",
        "zero_visit",
        "early",
        "sum_workdays",
        "sum_committed_days",
    )

    class Meta:
        verbose_name = _("办件日统计")
        verbose_name_plural = _("办件日统计")
        constraints = unique_per_dimensions("oversight_case_daily_stat")
        indexes = [
            models.Index(fields=["day", "department"], name="oversight_stat_day_dept"),
            models.Index(fields=["department", "day"], name="oversight_stat_dept_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.center_id}/{self.channel}/{self.item_id}"


class CaseWorkdayCount(StatDimensions):
    """How many cases completed that day took `workdays` working days on the clock."""

    workdays = models.PositiveSmallIntegerField(_("用时（工作日）"))
    cases = models.PositiveIntegerField(_("办件数"), default=0)

    class Meta:
        verbose_name = _("办结用时分布")
        verbose_name_plural = _("办结用时分布")
        constraints = unique_per_dimensions("oversight_case_workday_count", "workdays")
        indexes = [models.Index(fields=["day", "department"], name="oversight_hist_day_dept")]

    def __str__(self) -> str:
        return f"{self.day} {self.workdays}d × {self.cases}"
