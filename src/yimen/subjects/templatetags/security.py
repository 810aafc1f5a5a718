"""`{% load security %}`: `user|second_factor_waived` (staff signed in without a second
factor because the site is a demo) and `a_timedelta|minutes`."""

import datetime as dt

from django import template

from yimen.subjects import second_factor

register = template.Library()


@register.filter
def second_factor_waived(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and second_factor.waived_for(user)


@register.filter
def minutes(duration: dt.timedelta | None) -> int:
    return int(duration.total_seconds() // 60) if duration else 0
