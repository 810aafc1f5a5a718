"""Counters kept in one database row each: case numbers, licence numbers, queue tickets."""

from django.db.models import F, Model


def advance(model: type[Model], count: int = 1, **key) -> int:
    """Add `count` to the `value` of `model`'s row for `key` (made at its first use) and
    return the new value. The row stays locked until the transaction ends."""
    counter = model.objects.filter(**key)
    if not counter.update(value=F("value") + count):
        model.objects.get_or_create(**key)
        counter.update(value=F("value") + count)
    return counter.values_list("value", flat=True).get()
