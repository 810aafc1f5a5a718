"""Statistics kept up to date as cases move: one row per day and dimension set, and the
same figures per month.

A case adds to the row of the day it was received, accepted or completed, under
its department, service center, channel and item. The working days a completed
case took go into a histogram (one row per day, dimensions and number of days)
so a percentile can be read without touching the cases again.

The monthly tables hold the same counts per month, department, center and channel
(no item): a year is a few thousand of their rows against hundreds of thousands of
daily ones, so reports that do not group by item read them. The ratings given in a
month are counted there too, per level, less those overturned on appeal.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yimen.cases.models import Channel
from yimen.catalog.models import Department, ServiceCenter, ServiceItem
from yimen.oversight.models.ratings import Satisfaction

__all__ = [
    "CaseDailyStat",
    "CaseMonthlyStat",
    "CaseMonthlyWorkdayCount",
    "CaseWorkdayCount",
    "RatingMonthlyCount",
]

# Working days beyond this are counted in the last bucket ("60 or more").
HISTOGRAM_CAP = 60

DIMENSIONS = ("day", "department", "center", "channel", "item")
MONTHLY_DIMENSIONS = ("month", "department", "center", "channel")


class PlaceDimensions(models.Model):
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

    class Meta:
        abstract = True


class StatDimensions(PlaceDimensions):
    day = models.DateField(_("日期"))
    item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项")
    )

    class Meta:
        abstract = True


class MonthDimensions(PlaceDimensions):
    month = models.DateField(_("月份"), help_text=_("该月第一天"))

    class Meta:
        abstract = True


def unique_per_dimensions(
    name: str, dimensions: tuple[str, ...], *extra: str
) -> list[models.UniqueConstraint]:
    """One row per dimension set; a case with no center has its own row (NULL is not equal to
    NULL in a plain unique constraint, hence the two partial ones)."""
    fields = [*dimensions, *extra]
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


class StatCounts(models.Model):
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
        abstract = True


class CaseDailyStat(StatDimensions, StatCounts):
    class Meta:
        verbose_name = _("办件日统计")
        verbose_name_plural = _("办件日统计")
        constraints = unique_per_dimensions("oversight_case_daily_stat", DIMENSIONS)
        indexes = [
            models.Index(fields=["day", "department"], name="oversight_stat_day_dept"),
            models.Index(fields=["department", "day"], name="oversight_stat_dept_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.department_id}/{self.center_id}/{self.channel}/{self.item_id}"


class CaseMonthlyStat(MonthDimensions, StatCounts):
    class Meta:
        verbose_name = _("办件月统计")
        verbose_name_plural = _("办件月统计")
        constraints = unique_per_dimensions("oversight_case_monthly_stat", MONTHLY_DIMENSIONS)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department_id}/{self.center_id}/{self.channel}"


class WorkdayBucket(models.Model):
    """How many cases completed in the row's period took `workdays` working days on the
    clock."""

    workdays = models.PositiveSmallIntegerField(_("用时（工作日）"))
    cases = models.PositiveIntegerField(_("办件数"), default=0)

    class Meta:
        abstract = True


class CaseWorkdayCount(StatDimensions, WorkdayBucket):
    class Meta:
        verbose_name = _("办结用时分布")
        verbose_name_plural = _("办结用时分布")
        constraints = unique_per_dimensions("oversight_case_workday_count", DIMENSIONS, "workdays")
        indexes = [models.Index(fields=["day", "department"], name="oversight_hist_day_dept")]

    def __str__(self) -> str:
        return f"{self.day} {self.workdays}d × {self.cases}"


class CaseMonthlyWorkdayCount(MonthDimensions, WorkdayBucket):
    class Meta:
        verbose_name = _("办结用时月分布")
        verbose_name_plural = _("办结用时月分布")
        constraints = unique_per_dimensions(
            "oversight_case_monthly_workdays", MONTHLY_DIMENSIONS, "workdays"
        )

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.workdays}d × {self.cases}"


class RatingMonthlyCount(MonthDimensions):
    """Ratings given in the month on cases of the row's department, center and channel, at
    one level; a rating overturned on appeal no longer counts."""

    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Satisfaction.choices)
    ratings = models.PositiveIntegerField(_("评价数"), default=0)

    class Meta:
        verbose_name = _("好差评月统计")
        verbose_name_plural = _("好差评月统计")
        constraints = unique_per_dimensions(
            "oversight_rating_monthly_count", MONTHLY_DIMENSIONS, "level"
        )

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} level {self.level} × {self.ratings}"
