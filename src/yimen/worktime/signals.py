"""Keep get_calendar()'s version stamp moving whenever entered data changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import AnnualCalendar, CalendarDay
from .selectors import clear_calendar_cache


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="worktime_day_changed")
def day_changed(sender, instance: CalendarDay, raw: bool = False, **kwargs) -> None:
    if not raw:  # a day loaded from a backup (loaddata) comes with its year's stamp
        AnnualCalendar.objects.filter(pk=instance.annual_id).update(updated_at=timezone.now())
    clear_calendar_cache()


@receiver([post_save, post_delete], sender=AnnualCalendar, dispatch_uid="worktime_year_changed")
def year_changed(sender, **kwargs) -> None:
    clear_calendar_cache()
