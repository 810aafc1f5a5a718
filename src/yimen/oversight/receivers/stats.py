"""Statistics follow the cases: each case event and each locker reuse adds to its day's
and its month's rows inside the transaction that wrote it, and each rating to its month's,
until an appeal against it is upheld."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from yimen.cases.models import CaseEvent
from yimen.oversight.models.ratings import Rating, RatingAppeal
from yimen.oversight.services.stats import (
    stats_record_event,
    stats_record_overturned,
    stats_record_rating,
    stats_record_reuse,
)
from yimen.subjects.models import LockerReuse

UPHELD = RatingAppeal.Status.UPHELD


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


@receiver(pre_save, sender=RatingAppeal, dispatch_uid="oversight.stats.rating_appeal")
def rating_appeal_saving(sender, instance: RatingAppeal, raw: bool = False, **kwargs):
    """The rating stops counting as its appeal becomes upheld: compared with the stored
    appeal, so saving an upheld appeal again takes nothing more away."""
    if raw or instance.status != UPHELD:
        return
    if not RatingAppeal.objects.filter(pk=instance.pk, status=UPHELD).exists():
        stats_record_overturned(instance.rating)
