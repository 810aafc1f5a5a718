"""Admin pages where staff enter a year from the State Council's holiday notice."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .errors import CalendarError
from .models import AnnualCalendar, CalendarDay
from .services import validate_calendar_year


class CalendarDayFormSet(BaseInlineFormSet):
    """Applies the same rules as ``calendar_year_set`` to the inline rows."""

    def clean(self) -> None:
        super().clean()
        year = self.instance.year
        if any(self.errors) or year is None:
            return
        holidays, workdays = {}, {}
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            is_holiday = data["kind"] == CalendarDay.Kind.HOLIDAY
            (holidays if is_holiday else workdays)[data["date"]] = data["name"]
        try:
            validate_calendar_year(year, holidays, workdays)
        except CalendarError as error:
            raise ValidationError(error.message, code=error.code) from error


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    formset = CalendarDayFormSet
    fields = ["date", "kind", "name"]
    extra = 3


@admin.register(AnnualCalendar)
class AnnualCalendarAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "holiday_count", "workday_count", "updated_at"]
    search_fields = ["year", "source"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CalendarDayInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
                workday_count=Count("days", filter=Q(days__kind=CalendarDay.Kind.ADJUSTED_WORKDAY)),
            )
        )

    @admin.display(description=_("节假日天数"), ordering="holiday_count")
    def holiday_count(self, obj: AnnualCalendar) -> int:
        return obj.holiday_count

    @admin.display(description=_("调休工作日天数"), ordering="workday_count")
    def workday_count(self, obj: AnnualCalendar) -> int:
        return obj.workday_count
