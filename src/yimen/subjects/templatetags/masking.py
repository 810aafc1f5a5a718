"""`{% load masking %}` then `{{ person.code|mask_id }}` and `{{ account.phone|mask_phone }}`."""

from django import template

from yimen.subjects import masking

register = template.Library()
register.filter("mask_id", masking.mask_id)
register.filter("mask_phone", masking.mask_phone)
