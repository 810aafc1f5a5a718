"""Years of holidays and adjusted workdays entered by admins from the State Council notice."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 2000
MAX_YEAR = 2099


class AnnualCalendar(models.Model):
    """One year's arrangement; it replaces the built-in data for that year."""

    year = models.PositiveSmallIntegerField(
        _("年份"),
        unique=True,
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
    )
    source = models.CharField(
        _("依据文件"),
        max_length=200,
        blank=True,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"),
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    # Bumped on every change to the year or its days; get_calendar() watches it.
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度节假日安排")
        verbose_name_plural = _("年度节假日安排")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="worktime_annualcalendar_year_range",
                violation_error_message=_("只能录入2000年至2099年。"),
            )
        ]

    def __str__(self) -> str:
        return _("%(year)s年节假日安排") % {"year": self.year}


class CalendarDay(models.Model):
    """A holiday, or a weekend day that is worked (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("节假日")
        ADJUSTED_WORKDAY = "workday", _("调休工作日")

    annual = models.ForeignKey(
        AnnualCalendar,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("年度"),
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("节日名称"), max_length=50, help_text=_("例如：春节、国庆节"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日和调休日")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["holiday", "workday"]),
                name="worktime_calendarday_kind_valid",
                violation_error_message=_("类型只能是节假日或调休工作日。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()}）"
