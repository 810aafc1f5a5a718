"""Statistics follow the cases: each case event and each locker reuse adds to its day's
and its month's rows inside the transaction that wrote it, and each rating to its month's
(until an appeal against it is upheld: `rating_appeal_decide` takes it away)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from yimen.cases.models import CaseEvent
from yimen.oversight.models.ratings import Rating
from yimen.oversight.services.stats import (
    stats_record_event,
    stats_record_rating,
    stats_record_reuse,
)
from yimen.subjects.models import LockerReuse


@receiver(post_save, sender=CaseEvent, dispatch_uid="oversight.stats.case_event")
def case_event_saved(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        stats_record_event(instance)


@receiver(post_save, sender=LockerReuse, dispatch_uid="oversight.stats.locker_reuse")
def locker_reuse_saved(sender, instance: LockerReuse, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        stats_record_reuse(instance)


@receiver(post_save, sender=Rating, dispatch_uid="oversight.stats.rating")
def rating_saved(sender, instance: Rating, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        stats_record_rating(instance)
